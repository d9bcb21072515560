//! Any answer (status, headers, body) through both Spaaza decoders (the voucher writes
//! share one), the error mapper as a read and as a write, and the retry rules.
#![no_main]

use libfuzzer_sys::fuzz_target;
use voucherkit_core::Provider;
use voucherkit_core::fuzzing::spaaza_answers;
use voucherkit_fuzz::{answer, check_decoded, check_mapped};

const P: Provider = Provider::Spaaza;

fuzz_target!(|data: &[u8]| {
    let a = answer(data);
    let d = spaaza_answers(&a);
    let s = a.status;
    check_decoded(&d.voucher, P, s, true);
    check_decoded(&d.get_vouchers, P, s, false);
    check_mapped(&d.mapped, P, s);
    if let Ok(list) = &d.get_vouchers {
        assert!(list.raw.is_object());
    }
});
