//! `python -m voucherkit …`: the `voucherkit` command line (cli/), run in this
//! process. `demo` and `sandbox` live in Rust, so every language offers the same ones.

use pyo3::intern;
use pyo3::prelude::*;

use crate::guard;

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(run_cli, m)?)?;
    Ok(())
}

/// Runs the command line with `args` (without the program name, e.g. `["demo"]`) and
/// returns its exit code. The GIL is released while it runs; `sandbox` serves until
/// Ctrl-C (the command line installs its own handler for it).
#[pyfunction]
fn run_cli(py: Python<'_>, args: Vec<String>) -> PyResult<i32> {
    guard(py, || {
        // Whatever Python printed first comes first: the command line writes to the
        // process's own stdout and stderr.
        let sys = py.import(intern!(py, "sys"))?;
        for stream in ["stdout", "stderr"] {
            let s = sys.getattr(stream)?;
            if !s.is_none() {
                s.call_method0(intern!(py, "flush"))?;
            }
        }
        Ok(py.detach(|| voucherkit_cli::run(args)))
    })
}
