"""Start and stop a Prism mock server for Together's OpenAPI spec, on 127.0.0.1 only."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
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
    args.append(str(spec))
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
