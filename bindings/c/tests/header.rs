//! The committed headers must be exactly what build.rs generates from the current sources
//! (rustls-ffi's rule): run `make header` after changing bindings/c/src. And they must
//! expose everything the core has: these tests fail when the core gains an error kind
//! (`ErrorKind::ALL`) or a transport option (`voucherkit_core::OPTIONS`) that voucherkit.h
//! or the C++ wrapper lacks.

use voucherkit_core::{ErrorKind, OPTIONS, OptionKind};

const GENERATED: &str = include_str!(concat!(env!("OUT_DIR"), "/voucherkit.h"));
const GENERATED_TESTING: &str = include_str!(concat!(env!("OUT_DIR"), "/testing.h"));

fn committed(relative: &str) -> String {
    let path = format!("{}/include/{relative}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e} (run `make header`)"))
}

#[test]
fn committed_headers_are_the_generated_ones() {
    assert!(
        committed("voucherkit.h") == GENERATED,
        "bindings/c/include/voucherkit.h differs from the header generated from bindings/c/src: run `make header`"
    );
    assert!(
        committed("voucherkit/testing.h") == GENERATED_TESTING,
        "bindings/c/include/voucherkit/testing.h differs from the one generated from src/sandbox.rs: run `make header`"
    );
}

#[test]
fn header_version_macros_match_the_package() {
    for (name, value) in [
        ("MAJOR", env!("CARGO_PKG_VERSION_MAJOR")),
        ("MINOR", env!("CARGO_PKG_VERSION_MINOR")),
        ("PATCH", env!("CARGO_PKG_VERSION_PATCH")),
    ] {
        let line = format!("#define VOUCHERKIT_VERSION_{name} {value}\n");
        assert!(GENERATED.contains(&line), "missing {line:?}");
    }
}

/// The sandbox is for tests: declared in voucherkit/testing.h only.
#[test]
fn the_sandbox_is_declared_in_the_testing_header_only() {
    for name in [
        "vk_sandbox_start",
        "vk_scripted_server_start",
        "vk_text_str",
        "vk_sandbox_free",
    ] {
        assert!(!GENERATED.contains(name), "voucherkit.h declares {name}");
        assert!(
            GENERATED_TESTING.contains(&format!(" {name}(")),
            "testing.h lacks {name}"
        );
    }
    assert!(!GENERATED.contains("vk_debug_panic"));
    assert!(!GENERATED_TESTING.contains("vk_debug_panic"));
}

fn upper(kind: ErrorKind) -> String {
    format!("VK_{}", kind.as_str().to_ascii_uppercase())
}

fn camel(snake: &str) -> String {
    snake
        .split('_')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect()
}

/// Every core error kind is a `VK_<NAME>` status with the core's code, and a member of the
/// C++ `voucherkit::ErrorKind` enum bound to that status; nothing more in either.
#[test]
fn every_error_kind_is_a_status_and_a_cpp_enum_member() {
    let error_hpp = committed("voucherkit/error.hpp");
    let cpp_enum = error_hpp
        .split("enum class ErrorKind")
        .nth(1)
        .and_then(|rest| rest.split("};").next())
        .expect("enum class ErrorKind in voucherkit/error.hpp");
    for &kind in ErrorKind::ALL {
        let define = format!("#define {} {}\n", upper(kind), kind.code());
        assert!(
            GENERATED.contains(&define),
            "voucherkit.h lacks {define:?} for the core's {}",
            kind.as_str()
        );
        let member = format!("{} = {},", camel(kind.as_str()), upper(kind));
        assert!(
            cpp_enum.contains(&member),
            "voucherkit::ErrorKind lacks `{member}` for the core's {}",
            kind.as_str()
        );
    }
    let statuses = GENERATED
        .lines()
        .filter(|l| l.starts_with("#define VK_") && !l.contains("VK_OK ") && !l.contains("AUTH_"))
        .count();
    assert_eq!(
        statuses,
        ErrorKind::ALL.len(),
        "voucherkit.h has statuses the core lacks"
    );
    assert_eq!(cpp_enum.matches(" = VK_").count(), ErrorKind::ALL.len());
}

/// The body of `struct NAME { … }` in a header.
fn struct_body<'a>(header: &'a str, start: &str) -> &'a str {
    header
        .split(start)
        .nth(1)
        .and_then(|rest| rest.split("\n}").next())
        .unwrap_or_else(|| panic!("no {start:?}"))
}

/// The C and C++ names of a core option: durations carry their unit (`timeout_ms`, a
/// std::chrono::milliseconds in C++ keeps the C name without it), `ca_bundle` is a path.
fn names(option: &str, kind: OptionKind) -> (String, String) {
    match (option, kind) {
        ("ca_bundle", _) => ("ca_bundle_path".into(), "ca_bundle_path".into()),
        (name, OptionKind::Duration) => (format!("{name}_ms"), name.into()),
        (name, _) => (name.into(), name.into()),
    }
}

/// Every core option is a field of `vk_client_options` and a member of the C++
/// `voucherkit::ClientOptions`.
#[test]
fn every_core_option_is_a_c_field_and_a_cpp_member() {
    let c = struct_body(GENERATED, "typedef struct vk_client_options {");
    let options_hpp = committed("voucherkit/options.hpp");
    let cpp = struct_body(&options_hpp, "struct ClientOptions {");
    for option in OPTIONS {
        let (c_name, cpp_name) = names(option.name, option.kind);
        assert!(
            c.contains(&format!(" {c_name};")) || c.contains(&format!("*{c_name};")),
            "vk_client_options lacks `{c_name}` for the core option {}",
            option.name
        );
        assert!(
            [";", "{", " ="]
                .iter()
                .any(|end| cpp.contains(&format!(" {cpp_name}{end}"))),
            "voucherkit::ClientOptions lacks `{cpp_name}` for the core option {}",
            option.name
        );
    }
}
