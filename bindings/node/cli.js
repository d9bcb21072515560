#!/usr/bin/env node
'use strict'
// `npx voucherkit demo` plays a whole till session against the embedded sandbox;
// `npx voucherkit sandbox` serves the sandbox until Ctrl-C; every other command of the
// voucherkit command line works too. It is the Rust CLI itself, run through the addon.
const native = require('./native.js')

process.exitCode = native.runCli(process.argv.slice(2))
