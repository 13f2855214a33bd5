"""The pure core stays pure and cheap to import: checked here, not only by a linter setting."""

from __future__ import annotations

import ast
import json
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.unit.conftest import NetworkAccessError

PACKAGE = Path(__file__).resolve().parents[2] / "together_fn"

#: Where I/O is allowed: the transports, the stateful facade, the command line, and the
#: pytest plugin (it reads the environment and places cassettes, as a harness must).
IO_ALLOWED = ("executors/", "client.py", "cli/", "testing/pytest_plugin.py")

BANNED_MODULES = frozenset(
    {"requests", "aiohttp", "socket", "random", "yaml", "urllib.request", "http.client"}
)
BANNED_NAMES = frozenset(
    {
        "builtins.open",
        "io.open",
        "os.open",
        "os.environ",
        "os.getenv",
        "os.putenv",
        "time.time",
        "time.sleep",
        "time.monotonic",
        "asyncio.sleep",
    }
)
#: ``pathlib`` reads and writes through methods, which no import reveals.
BANNED_METHODS = frozenset({"read_text", "write_text", "read_bytes", "write_bytes"})

HEAVY = ("requests", "aiohttp", "yaml", "vcr", "argparse_dataclass")


def _banned_module(name: str) -> bool:
    return any(name == m or name.startswith(f"{m}.") for m in BANNED_MODULES)


class _Scan(ast.NodeVisitor):
    """Collects I/O in one module: banned imports, and uses of banned names through aliases."""

    def __init__(self) -> None:
        self.found: list[str] = []
        self.aliases: dict[str, str] = {"open": "builtins.open"}

    def _report(self, node: ast.AST, what: str) -> None:
        self.found.append(f"line {getattr(node, 'lineno', '?')}: {what}")

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            if _banned_module(alias.name):
                self._report(node, f"import {alias.name}")
            self.aliases[alias.asname or alias.name.split(".")[0]] = (
                alias.name if alias.asname else alias.name.split(".")[0]
            )

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        module = node.module or ""
        for alias in node.names:
            full = f"{module}.{alias.name}"
            if node.level == 0 and (_banned_module(module) or _banned_module(full)):
                self._report(node, f"from {module} import {alias.name}")
            if node.level == 0 and full in BANNED_NAMES:
                self._report(node, f"from {module} import {alias.name}")
            self.aliases[alias.asname or alias.name] = full

    def _qualified(self, node: ast.expr) -> str | None:
        if isinstance(node, ast.Name):
            return self.aliases.get(node.id)
        if isinstance(node, ast.Attribute):
            base = self._qualified(node.value)
            return f"{base}.{node.attr}" if base else None
        return None

    def visit_Name(self, node: ast.Name) -> None:
        if self.aliases.get(node.id) in BANNED_NAMES:
            self._report(node, f"use of {self.aliases[node.id]}")

    def visit_Attribute(self, node: ast.Attribute) -> None:
        name = self._qualified(node)
        if name in BANNED_NAMES:
            self._report(node, f"use of {name}")
            return
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        if isinstance(node.func, ast.Attribute) and node.func.attr in BANNED_METHODS:
            self._report(node, f"call of .{node.func.attr}()")
        self.generic_visit(node)


def io_in(source: str) -> list[str]:
    """Every import or use of I/O in ``source``."""
    scan = _Scan()
    scan.visit(ast.parse(source))
    return scan.found


def pure_modules() -> list[Path]:
    return [
        path
        for path in sorted(PACKAGE.rglob("*.py"))
        if not path.relative_to(PACKAGE).as_posix().startswith(IO_ALLOWED)
    ]


def test_the_scan_covers_the_core() -> None:
    names = {p.relative_to(PACKAGE).as_posix() for p in pure_modules()}
    core = {"http.py", "config.py", "codec.py", "sse.py", "retry.py", "errors.py", "flows.py"}
    assert core | {"calls.py", "schema.py", "api/_build.py"} <= names
    assert not any(n.startswith(IO_ALLOWED) for n in names)


@pytest.mark.parametrize("path", pure_modules(), ids=lambda p: p.relative_to(PACKAGE).as_posix())
def test_pure_module_does_no_io(path: Path) -> None:
    assert io_in(path.read_text(encoding="utf-8")) == []


@pytest.mark.parametrize(
    "source",
    [
        "import requests",
        "import aiohttp.client",
        "import socket as s",
        "from random import random",
        "import yaml",
        "import urllib.request",
        "from urllib.request import urlopen",
        "from urllib import request",
        "import http.client",
        "from http import client",
        "open('x')",
        "with open('x') as f: pass",
        "import io\nio.open('x')",
        "import os\nos.environ['X']",
        "import os\nos.environ.get('X')",
        "from os import environ",
        "import os as o\no.getenv('X')",
        "import time\ntime.time()",
        "import time\ntime.sleep(1)",
        "from time import sleep\nsleep(1)",
        "import time as t\nt.monotonic()",
        "import asyncio\nawait_me = asyncio.sleep(1)",
        "from pathlib import Path\nPath('x').read_text()",
    ],
)
def test_the_scan_finds_io(source: str) -> None:
    assert io_in(source) != []


@pytest.mark.parametrize(
    "source",
    [
        "import json\njson.loads('1')",
        "from urllib.parse import urljoin",
        "import http",
        "from together_fn.http import HttpRequest",
        "from . import http",
        "def f(clock):\n    return clock.monotonic()",
        "opened = 1",
        "x = {'open': 1}['open']",
        "import time\nt = time.struct_time",
    ],
)
def test_the_scan_allows_pure_code(source: str) -> None:
    assert io_in(source) == []


def test_importing_the_package_imports_no_http_yaml_or_cli_library() -> None:
    program = (
        "import json, sys\n"
        "import together_fn, together_fn.api, together_fn.flows, together_fn.codec\n"
        "import together_fn.sse, together_fn.retry, together_fn.errors, together_fn.executors\n"
        f"print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in {HEAVY!r})))\n"
    )
    assert json.loads(_fresh_interpreter(program)) == []


def _fresh_interpreter(program: str) -> str:
    done = subprocess.run(  # a fresh interpreter: this one has imported everything already
        [sys.executable, "-c", program],
        capture_output=True,
        text=True,
        cwd=PACKAGE.parent,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_importing_the_package_imports_no_cattrs_until_the_first_decode() -> None:
    program = (
        "import json, sys\n"
        "import together_fn\n"
        "print(json.dumps(sorted(m for m in sys.modules"
        " if m.split('.')[0] == 'cattrs' or m == 'together_fn._converter')))\n"
        "from together_fn.codec import decode_json\n"
        "print(json.dumps(decode_json(b'[1, 2]', list[int]).unwrap()))\n"
        "print(json.dumps('cattrs' in sys.modules))\n"
    )
    lazy, decoded, loaded = _fresh_interpreter(program).splitlines()
    assert json.loads(lazy) == []
    assert json.loads(decoded) == [1, 2]
    assert json.loads(loaded) is True


def test_the_converters_are_there_for_whoever_asks_first() -> None:
    program = (
        "import cattrs\n"
        "from together_fn.codec import _FAST, CONVERTER, make_converter, unstructure\n"
        "assert isinstance(CONVERTER, cattrs.Converter) and isinstance(_FAST, cattrs.Converter)\n"
        "assert CONVERTER is not _FAST and isinstance(make_converter(), cattrs.Converter)\n"
        "import together_fn.codec as codec\n"
        "assert codec.CONVERTER is CONVERTER and codec._FAST is _FAST\n"
        "print(unstructure({'a': (1,)}))\n"
    )
    assert _fresh_interpreter(program).strip() == "{'a': [1]}"


def test_unit_tests_cannot_open_connections() -> None:
    with pytest.raises(NetworkAccessError):
        socket.create_connection(("127.0.0.1", 9))
    with socket.socket() as raw, pytest.raises(NetworkAccessError):
        raw.connect(("127.0.0.1", 9))
