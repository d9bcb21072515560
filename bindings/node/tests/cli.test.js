'use strict'
// `npx voucherkit …`: the Rust command line run through the addon by cli.js.
const { test } = require('node:test')
const assert = require('node:assert/strict')
const path = require('node:path')
const { spawn, spawnSync } = require('node:child_process')

const { SmartGift } = require('voucherkit')
const pkg = require('../package.json')

const CLI = path.join(__dirname, '..', pkg.bin.voucherkit)

function run(...args) {
  return spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 120_000, stdio: ['ignore', 'pipe', 'pipe'] })
}

test('npx voucherkit demo plays a till session and exits 0', () => {
  const done = run('demo')
  assert.equal(done.status, 0, done.stderr)
  assert.match(done.stdout, /voucherkit demo/)
  assert.match(done.stdout, /1\. check voucher 1000000001/)
  assert.match(done.stdout, /The voucher has been redeemed\./)
  assert.match(done.stdout, /regenerated voucher/)
  assert.match(done.stdout, /outcome_unknown/)
})

test('help exits 0; a usage error exits 2 with the command line’s message', () => {
  const help = run('--help')
  assert.equal(help.status, 0)
  assert.match(help.stdout, /demo/)
  assert.match(help.stdout, /sandbox/)
  const wrong = run('no-such-command')
  assert.equal(wrong.status, 2)
  assert.match(wrong.stderr, /no-such-command/)
})

test('npx voucherkit sandbox serves until Ctrl-C (SIGINT), then exits 0', async () => {
  const proc = spawn(process.execPath, [CLI, 'sandbox'], { stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  let err = ''
  proc.stderr.on('data', (d) => (err += d))
  const exited = new Promise((resolve) => proc.on('exit', (code, signal) => resolve({ code, signal })))
  try {
    const url = await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no banner: ${out} ${err}`)), 60_000)
      proc.stdout.on('data', (d) => {
        out += d
        const m = /Smart Gift\s+base URL (\S+)/.exec(out)
        if (m) {
          clearTimeout(timer)
          resolve(m[1])
        }
      })
    })
    const sg = new SmartGift({ apiKey: 'sk_demo_harbour_7Qm2xV9pL4', baseUrl: url })
    assert.equal((await sg.check({ voucherNo: '1000000001', siteId: 12 })).remainingValue, '100')
    proc.kill('SIGINT')
    const { code, signal } = await exited
    assert.equal(signal, null, err)
    assert.equal(code, 0, err)
    assert.match(out, /sandbox stopped/)
  } finally {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL')
  }
})

test('npx voucherkit demo | head -1: a closed stdout ends the demo quietly with exit 0', async () => {
  // Node ignores SIGPIPE, so the Rust command line sees EPIPE: it must stop writing,
  // never panic (which the addon would report as exit 70).
  const proc = spawn(process.execPath, [CLI, 'demo'], { stdio: ['ignore', 'pipe', 'pipe'] })
  let err = ''
  proc.stderr.on('data', (d) => (err += d))
  const exited = new Promise((resolve) => proc.on('exit', (code, signal) => resolve({ code, signal })))
  await new Promise((resolve) => proc.stdout.once('data', resolve))
  proc.stdout.destroy() // the reader goes away after the first chunk, as `head -1` does
  const { code, signal } = await exited
  assert.equal(signal, null, err)
  assert.equal(code, 0, err)
  assert.doesNotMatch(err, /panic|Broken pipe|internal error/i)
})
