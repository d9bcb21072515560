//! The `voucherkit` command line, as a library so that every binding can offer the same
//! `demo` and `sandbox` commands (`python -m voucherkit demo`, `npx voucherkit demo`).
//!
//! ```no_run
//! let code = voucherkit_cli::run(vec!["demo".to_string()]);
//! std::process::exit(code);
//! ```

/// `println!` that never panics: a reader that went away (`voucherkit demo | head -3`)
/// ends the output quietly (see `output::line`).
macro_rules! outln {
    () => {
        $crate::output::line(format_args!(""))
    };
    ($($arg:tt)*) => {
        $crate::output::line(format_args!($($arg)*))
    };
}

/// `eprintln!` that never panics (a closed stderr loses the message, nothing more).
macro_rules! errln {
    ($($arg:tt)*) => {
        $crate::output::error_line(format_args!($($arg)*))
    };
}

mod args;
mod calls;
mod demo;
mod output;
mod serve;

use clap::Parser;

pub use output::{describe_error, exit_code};

use crate::args::{Cli, Command, JournalOp};
use crate::calls::Shown;

/// Runs the command line with `args` (without the program name) and returns the exit
/// code: 0 on success, 2 on a usage error, 10 + the error kind's code on a failure.
///
/// Output to a closed pipe (`voucherkit demo | head -3`) never panics: writing stops
/// quietly and the exit code is what it would have been (0 for a success), as `head`
/// users expect. Process-wide signal handling is left alone (SIGPIPE stays as the host
/// set it: ignored in the `voucherkit` binary, as Rust starts every program, and in Node).
pub fn run(args: Vec<String>) -> i32 {
    let argv = std::iter::once("voucherkit".to_owned()).chain(args);
    let cli = match Cli::try_parse_from(argv) {
        Ok(cli) => cli,
        Err(e) => {
            let code = e.exit_code();
            let _ = e.print();
            return code;
        }
    };
    match cli.command {
        Command::Demo => demo::run(),
        Command::Sandbox {
            port,
            data,
            journal,
        } => serve::run(port, data.as_deref(), journal.as_deref()),
        Command::SmartGift { common, op } => finish(calls::smartgift(&common, &op), common.json),
        Command::Spaaza { common, op } => finish(calls::spaaza(&common, &op), common.json),
        Command::Journal {
            op: JournalOp::List(args),
        } => finish(calls::journal_list(&args), args.json),
    }
}

fn finish(result: voucherkit_core::Result<Shown>, json: bool) -> i32 {
    match result {
        Ok(shown) => {
            match shown {
                Shown::Result(value) => output::print_result(&value, json),
                Shown::Entries(entries) => output::print_entries(&entries, json),
                Shown::Reconciled(entries) => output::print_reconciled(&entries, json),
            }
            0
        }
        Err(err) => {
            output::print_error(&err, json);
            exit_code(&err)
        }
    }
}
