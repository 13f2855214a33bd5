"""Start and stop a Prism mock server for Together's OpenAPI spec, on 127.0.0.1 only."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.reference import ROOT


def prism_binary() -> str | None:
    """The project's Prism (``npm install`` puts it in node_modules), or ``$PRISM``."""
    explicit = os.environ.get("PRISM")
    if explicit and Path(explicit).exists():
        return explicit
    local = ROOT / "node_modules" / ".bin" / "prism"
    if local.exists():
        return str(local)
    return shutil.which("prism")


#: Defects of the spec that make Prism's own answers break the spec, so that no client could
#: pass: (why, text of the spec, corrected text). Prism serves a corrected copy from a temporary
#: folder; a fix whose text is no longer in the spec (it was corrected upstream) does nothing.
SPEC_FIXES: tuple[tuple[str, str, str], ...] = (
    (
        "FinetuneEventLevels is a string enum listing null, so Prism sends levels it then rejects",
        "    FinetuneEventLevels:\n      type: string\n      enum:\n        - null\n",
        "    FinetuneEventLevels:\n      type: string\n      enum:\n",
    ),
    (
        "TrainingMethodSFT.train_on_inputs is true, false or its default 'auto', not a boolean",
        "                - auto\n          type: boolean\n          default: auto\n",
        "                - auto\n          default: auto\n",
    ),
    (
        "cosine scheduler arguments match the linear ones too, so oneOf rejects every cosine",
        "        lr_scheduler_args:\n          oneOf:\n",
        "        lr_scheduler_args:\n          anyOf:\n",
    ),
)


def served_spec(spec: Path, folder: Path) -> Path:
    """``spec`` with :data:`SPEC_FIXES` applied, written into ``folder`` (or ``spec`` itself)."""
    original = spec.read_text(encoding="utf-8")
    text = original
    for _, wrong, right in SPEC_FIXES:
        text = text.replace(wrong, right)
    if text == original:
        return spec
    fixed = folder / spec.name
    fixed.write_text(text, encoding="utf-8")
    return fixed


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _wait_listening(port: int, process: subprocess.Popen[bytes], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"prism exited early with code {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"prism did not listen on 127.0.0.1:{port} within {timeout}s")


@contextmanager
def running_prism(spec: Path, *, dynamic: bool, timeout: float = 90.0) -> Iterator[str]:
    """Serve ``spec`` with Prism; yields the base URL. ``dynamic`` makes answers random."""
    binary = prism_binary()
    if binary is None:
        raise RuntimeError("prism is not installed (npm install in the project root)")
    port = _free_port()
    args = [binary, "mock", "-h", "127.0.0.1", "-p", str(port), "--errors"]
    if dynamic:
        args.append("-d")
    with tempfile.TemporaryDirectory() as folder:
        args.append(str(served_spec(spec, Path(folder))))
        process = subprocess.Popen(
            args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
        )
        try:
            _wait_listening(port, process, timeout)
            yield f"http://127.0.0.1:{port}"
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
