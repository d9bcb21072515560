"""Makes `close()` of the generated SmartGift and Spaaza classes close the client in Rust.

uniffi's `close()` (AutoCloseable, what `use {}` calls) destroys the object, after which a
call throws IllegalStateException from generated code: a till that catches
VoucherException, as it does in every other language, would not catch it. Here `close()`
calls the Rust method `closeClient()` instead, so a later call is VoucherException
INVALID_REQUEST naming `client`, the rule the core gives every language; the native object
still goes when the JVM collects it (uniffi registers it with a Cleaner), and `destroy()`
still frees it at once. Run on the file uniffi-bindgen writes (`make kotlin-generate`); a
uniffi release whose template differs fails here, never silently.

Usage: close_clients.py voucherkit_kotlin.kt
"""

import pathlib
import sys

CLASSES = ["SmartGift", "Spaaza"]
GENERATED = """    @Synchronized
    override fun close() {
        this.destroy()
    }
"""
PATCHED = """    @Synchronized
    override fun close() {
        // voucherkit (tools/close_clients.py): the client closes in Rust; a later call is
        // INVALID_REQUEST naming `client`. The object itself goes with its Cleaner.
        this.closeClient()
    }
"""

# uniffi's `use {}` for its objects (more specific than Kotlin's AutoCloseable.use, so the
# one a till gets) calls destroy(): it calls close() instead where there is one, which for
# every other object is destroy() again.
USE_GENERATED = """            // N.B. our implementation is on the nullable type `Disposable?`.
            this?.destroy()
"""
USE_PATCHED = """            // N.B. our implementation is on the nullable type `Disposable?`.
            // voucherkit (tools/close_clients.py): close() where there is one, so `use {}`
            // ends a client as close() does.
            if (this is AutoCloseable) this.close() else this?.destroy()
"""

path = pathlib.Path(sys.argv[1])
text = path.read_text(encoding="utf-8")
if text.count(USE_GENERATED) != 1:
    sys.exit(f"{path}: uniffi's use {{}} is not as expected")
text = text.replace(USE_GENERATED, USE_PATCHED)
for name in CLASSES:
    start = text.find(f"\nopen class {name}: Disposable, AutoCloseable, {name}Interface\n")
    if start < 0:
        sys.exit(f"{path}: no generated class {name}")
    end = text.find("\nopen class ", start + 1)
    end = len(text) if end < 0 else end
    body = text[start:end]
    if body.count(GENERATED) != 1 or "fun `closeClient`()" not in body:
        sys.exit(f"{path}: class {name} does not have uniffi's close() and closeClient() as expected")
    text = text[:start] + body.replace(GENERATED, PATCHED) + text[end:]
path.write_text(text, encoding="utf-8")
