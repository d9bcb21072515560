//! The stateful emulator driven by the real voucherkit clients over HTTP on
//! 127.0.0.1: the till scenarios of each provider, plus the control endpoint, fault rules
//! and data sets. One test binary (`cargo test -p voucherkit-sandbox --test emulator`).

mod support;

mod control;
mod smartgift;
mod spaaza;
