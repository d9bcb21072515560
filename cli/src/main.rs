//! `voucherkit`: see `voucherkit --help`.

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    std::process::exit(voucherkit_cli::run(args));
}
