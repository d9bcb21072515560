//! Generates `voucherkit.h` from src/ with cbindgen (a pinned build-dependency), and
//! `voucherkit/testing.h` from src/sandbox.rs alone: the sandbox and scripted server are for
//! a till's tests, so its production code, which includes voucherkit.h, never sees them.
//!
//! The headers go to `$OUT_DIR` only: a build never writes into the source tree.
//! `make header` copies them to `bindings/c/include/` (committed, as rustls-ffi does), and
//! the `c_header` test fails when they differ.

use std::env;
use std::path::PathBuf;

fn main() {
    let root = PathBuf::from(env::var("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR"));
    let out = PathBuf::from(env::var("OUT_DIR").expect("OUT_DIR")).join("voucherkit.h");
    println!("cargo:rerun-if-changed=cbindgen.toml");
    println!("cargo:rerun-if-changed=src");

    // SONAME (Linux only): `libvoucherkit.so.<MAJOR>`, MAJOR being CARGO_PKG_VERSION_MAJOR,
    // i.e. VOUCHERKIT_VERSION_MAJOR in include/voucherkit.h. Programs linked against the
    // library then record `NEEDED libvoucherkit.so.<MAJOR>`, and a library of another major
    // is never loaded in its place. `make install` installs `libvoucherkit.so.<VERSION>`
    // with the symlinks `libvoucherkit.so.<MAJOR>` and `libvoucherkit.so` (c.mk).
    // While the major is 0 every 0.x release shares `libvoucherkit.so.0`: a release that
    // breaks the ABI (a function removed or its signature changed, a struct's layout, an
    // enum's or status code's value) must bump VOUCHERKIT_VERSION_MAJOR deliberately, as a
    // 0.x minor bump would be loaded silently by programs built against the previous one.
    // `cdylib-link-arg` reaches this package's cdylib only: not the staticlib, not the
    // other crates of the workspace (their cdylibs have their own names).
    if env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("linux") {
        let major = env::var("CARGO_PKG_VERSION_MAJOR").expect("CARGO_PKG_VERSION_MAJOR");
        println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,libvoucherkit.so.{major}");
    }

    let mut config =
        cbindgen::Config::from_file(root.join("cbindgen.toml")).expect("cbindgen.toml");
    // The version macros come from Cargo.toml, so they can never drift from vk_version().
    let version = |part: &str| env::var(format!("CARGO_PKG_VERSION_{part}")).expect("version");
    let macros = format!(
        "\n/** The version of voucherkit this header belongs to; vk_version() gives the \
         library's. */\n\
         #define VOUCHERKIT_VERSION_MAJOR {}\n\
         #define VOUCHERKIT_VERSION_MINOR {}\n\
         #define VOUCHERKIT_VERSION_PATCH {}\n\
         /** \"MAJOR.MINOR.PATCH\", equal to what vk_version() returns. */\n\
         #define VOUCHERKIT_VERSION_STRING \"{}\"\n",
        version("MAJOR"),
        version("MINOR"),
        version("PATCH"),
        env::var("CARGO_PKG_VERSION").expect("version"),
    );
    config.after_includes = Some(config.after_includes.unwrap_or_default() + &macros);

    // Everything src/sandbox.rs exports goes to testing.h instead.
    let testing_src = root.join("src/sandbox.rs");
    let testing_items = exported_items(&std::fs::read_to_string(&testing_src).expect("sandbox.rs"));
    config.export.exclude.extend(testing_items);
    cbindgen::Builder::new()
        .with_config(config)
        .with_src(root.join("src/lib.rs"))
        .generate()
        .expect("cbindgen could not generate voucherkit.h")
        .write_to_file(&out);

    let mut testing = cbindgen::Config::from_file(root.join("cbindgen-testing.toml"))
        .expect("cbindgen-testing.toml");
    testing.export.exclude.clear();
    println!("cargo:rerun-if-changed=cbindgen-testing.toml");
    cbindgen::Builder::new()
        .with_config(testing)
        .with_src(testing_src)
        .generate()
        .expect("cbindgen could not generate voucherkit/testing.h")
        .write_to_file(out.with_file_name("testing.h"));
}

/// The names of the `pub struct`s and `extern "C"` functions a source file exports.
fn exported_items(src: &str) -> Vec<String> {
    let name = |rest: &str| {
        rest.chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect::<String>()
    };
    src.lines()
        .filter_map(|line| {
            let line = line.trim_start();
            line.strip_prefix("pub struct ")
                .or_else(|| line.strip_prefix("pub unsafe extern \"C\" fn "))
                .or_else(|| line.strip_prefix("pub extern \"C\" fn "))
                .map(name)
        })
        .collect()
}
