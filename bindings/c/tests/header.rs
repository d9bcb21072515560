//! The committed `include/voucherkit.h` must be exactly what build.rs generates from the
//! current sources (rustls-ffi's rule): run `make header` after changing bindings/c/src.

#[test]
fn committed_header_is_the_generated_one() {
    let generated = include_str!(concat!(env!("OUT_DIR"), "/voucherkit.h"));
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/include/voucherkit.h");
    let committed =
        std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e} (run `make header`)"));
    assert!(
        committed == generated,
        "bindings/c/include/voucherkit.h differs from the header generated from bindings/c/src: run `make header`"
    );
}

#[test]
fn header_version_macros_match_the_package() {
    let generated = include_str!(concat!(env!("OUT_DIR"), "/voucherkit.h"));
    for (name, value) in [
        ("MAJOR", env!("CARGO_PKG_VERSION_MAJOR")),
        ("MINOR", env!("CARGO_PKG_VERSION_MINOR")),
        ("PATCH", env!("CARGO_PKG_VERSION_PATCH")),
    ] {
        let line = format!("#define VOUCHERKIT_VERSION_{name} {value}\n");
        assert!(generated.contains(&line), "missing {line:?}");
    }
}
