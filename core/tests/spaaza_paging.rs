//! Paging through get-vouchers with `Spaaza::iter_vouchers`, against the stateful sandbox.

use voucherkit_core::ErrorKind;
use voucherkit_core::spaaza::{GetVouchersRequest, Spaaza, SpaazaConfig};
use voucherkit_sandbox::{Fault, FaultRule, Sandbox};

#[test]
fn iter_vouchers_reads_page_after_page_up_to_a_maximum() {
    let sb = Sandbox::start().unwrap();
    let sp = Spaaza::new(SpaazaConfig {
        base_url: Some(sb.spaaza_url()),
        ..SpaazaConfig::admin(sb.spaaza_session_user_id(), sb.spaaza_session_key())
    })
    .unwrap();
    let req = GetVouchersRequest {
        chain_id: 2,
        show_all_statuses: true,
        ..Default::default()
    };
    let all = sp
        .get_vouchers(&GetVouchersRequest {
            number_results: Some(100),
            ..req.clone()
        })
        .unwrap();
    let before = sb.requests().len();
    let paged: Vec<i64> = sp
        .iter_vouchers(
            &GetVouchersRequest {
                number_results: Some(2),
                ..req.clone()
            },
            None,
        )
        .map(|v| v.unwrap().voucher_id.unwrap())
        .collect();
    let expected: Vec<i64> = all.vouchers.iter().map(|v| v.voucher_id.unwrap()).collect();
    assert!(expected.len() > 2, "the demo chain has several vouchers");
    assert_eq!(paged, expected);
    let pages = sb.requests().len() - before;
    assert_eq!(pages, expected.len().div_ceil(2), "one read a page");

    let before = sb.requests().len();
    let first_three: Vec<_> = sp
        .iter_vouchers(
            &GetVouchersRequest {
                number_results: Some(2),
                ..req.clone()
            },
            Some(3),
        )
        .collect();
    assert_eq!(first_three.len(), 3);
    assert_eq!(
        sb.requests().len() - before,
        2,
        "no page beyond the maximum"
    );

    // A failing page ends the iteration with its error.
    sb.inject(FaultRule::fault("/spaaza/get-vouchers", Fault::Close));
    let items: Vec<_> = sp.iter_vouchers(&req, None).collect();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0].as_ref().unwrap_err().kind, ErrorKind::Network);
}
