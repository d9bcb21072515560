//! Generates `voucherkit.h` from bindings/c with cbindgen (a pinned build-dependency).
//!
//! The header goes to `$OUT_DIR/voucherkit.h` only: a build never writes into the source
//! tree. `make header` copies it to `include/voucherkit.h` (committed, as rustls-ffi
//! does), and the `c_header` test fails when the two differ.

use std::env;
use std::path::PathBuf;

fn main() {
    let root = PathBuf::from(env::var("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR"));
    let out = PathBuf::from(env::var("OUT_DIR").expect("OUT_DIR")).join("voucherkit.h");
    println!("cargo:rerun-if-changed=cbindgen.toml");
    println!("cargo:rerun-if-changed=bindings/c");

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

    cbindgen::Builder::new()
        .with_config(config)
        .with_src(root.join("bindings/c/lib.rs"))
        .generate()
        .expect("cbindgen could not generate voucherkit.h")
        .write_to_file(&out);
}
