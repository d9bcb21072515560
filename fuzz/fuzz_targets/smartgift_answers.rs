//! Any answer (status, headers, body) through every Smart Gift decoder, the error mapper
//! as a read and as a write, and the retry rules.
#![no_main]

use libfuzzer_sys::fuzz_target;
use voucherkit_core::Provider;
use voucherkit_core::fuzzing::smartgift_answers;
use voucherkit_fuzz::{answer, check_decoded, check_mapped};

const P: Provider = Provider::SmartGift;

fuzz_target!(|data: &[u8]| {
    let a = answer(data);
    let d = smartgift_answers(&a);
    let s = a.status;
    check_decoded(&d.check, P, s, false);
    check_decoded(&d.hold, P, s, true);
    check_decoded(&d.redeem, P, s, true);
    check_decoded(&d.release, P, s, true);
    check_decoded(&d.reverse, P, s, true);
    check_mapped(&d.mapped, P, s);
    if let Ok(h) = &d.hold {
        // The token a redeem or release sends back: it must be something.
        assert!(!h.hold_token.trim().is_empty(), "{h:?}");
    }
    if let Ok(v) = &d.check
        && let Some(rest) = v.remaining_value
    {
        // The provider's digits, read without a float.
        let raw = &v.raw["remaining_value"];
        assert_eq!(voucherkit_core::money::decimal_from_json(raw), Some(rest));
    }
});
