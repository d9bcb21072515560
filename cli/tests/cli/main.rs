//! The `voucherkit` binary, run as a user would, against the sandbox on 127.0.0.1. One test
//! binary (`cargo test -p voucherkit-cli --test cli`), its tests split by concern.

mod support;

mod journal;
mod operations;
mod options;
mod output;
mod reconcile;
