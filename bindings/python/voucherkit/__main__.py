"""``python -m voucherkit``: the voucherkit command line.

    python -m voucherkit demo       a whole till session against the embedded sandbox
    python -m voucherkit sandbox    serve the sandbox on 127.0.0.1 until Ctrl-C
    python -m voucherkit --help     every command (real calls take keys from the environment)

The commands live in Rust (the same ``voucherkit`` binary every package ships), so their
output and exit codes are the same in every language.
"""

from __future__ import annotations

import sys

from voucherkit._native import run_cli


def main(argv: list[str] | None = None) -> int:
    return run_cli(sys.argv[1:] if argv is None else list(argv))


if __name__ == "__main__":
    sys.exit(main())
