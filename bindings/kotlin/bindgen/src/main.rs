//! `uniffi-bindgen` for voucherkit-kotlin: `make kotlin-generate` runs it in library mode
//! on the built `libvoucherkit_kotlin.so` to write the Kotlin source under
//! bindings/kotlin/src/main/kotlin.

fn main() {
    uniffi::uniffi_bindgen_main()
}
