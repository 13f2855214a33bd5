"""The old SDK manual's examples for chat, completions, embeddings, rerank, images and models,
run against this library with only their import lines changed.

Non-streaming examples run against Prism serving the spec; streaming examples run against a
loopback server replaying a stream the real API sent (from the recorded real responses),
because Prism cannot serve event streams. Fragments that use a ``client`` defined in an
earlier block get that one line of context. Examples that fail against the old SDK itself
are listed with the reason, and a test keeps the list complete.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.executors.loopback import Loopback, stream
from tests.reference import reference_dir

pytestmark = pytest.mark.contract

MANUAL = reference_dir() / "together-python-manual.md"

IMPORTS = {
    "from together import": "from together_fn import",
    "from together.error import": "from together_fn.errors import",
    "from together.types.chat.chat_completion_message_param import": (
        "from together_fn.models.chat import"
    ),
}
CONTEXT = "from together_fn import Together, AsyncTogether\nclient = Together()\n"

#: Manual line of the opening fence → "prism" or the recorded stream to replay.
RUN = {
    132: "prism",
    223: "prism",
    233: "prism",
    257: "prism",
    273: "prism",
    287: "prism",
    617: "prism",
    625: "prism",
    676: "prism",
    684: "prism",
    746: "prism",
    1008: "chat-stream",
    1030: "prism",
    1080: "prism",
    1659: "prism",
    1782: "prism",
    1811: "chat-stream",
    1993: "prism",
    2065: "prism",
    2094: "prism",
    2225: "prism",
    2243: "prism",
    2261: "completions-stream",
    2281: "prism",
    2614: "prism",
    2680: "prism",
    2799: "prism",
    2934: "prism",
    3121: "prism",
    3147: "prism",
    3328: "prism",
    3368: "prism",
    3393: "prism",
    3408: "prism",
    3424: "prism",
}
#: Blocks that only make sense after another block (their fence line → the block before).
AFTER = {1909: 1861, 2082: 1811}

#: Blocks that fail against the old SDK too, or are not runnable code.
NOT_RUNNABLE = {
    1681: "a signature listing, not code",
    1751: "annotates with `List` without importing it (NameError in any SDK)",
    1861: "defines `tools` for the next block, run with it",
    2120: "imports the old SDK's private constants module",
    2700: "calls get_reranked_documents without its required `model` argument",
    2881: "uses `batched_documents`, which the manual never defines",
    2955: "uses `texts`, which the manual never defines",
    3065: "a signature listing, not code",
    3165: "decodes Prism's placeholder 'string' as base64 (not valid base64)",
    3262: "reads `models.data` and `m.name`, which the old SDK's list of models never had",
    3436: "compares with `prompt`, which the block never defines",
}

AREA = re.compile(r"\b(async_)?client\.(chat|completions|embeddings|rerank|images|models)\b")


def blocks() -> dict[int, str]:
    """The manual's Python blocks by the line number of their opening fence."""
    found: dict[int, str] = {}
    lines = MANUAL.read_text(encoding="utf-8").splitlines()
    start: int | None = None
    body: list[str] = []
    for number, line in enumerate(lines, start=1):
        if start is None and line.strip() == "```python":
            start, body = number, []
        elif start is not None and line.strip() == "```":
            found[start] = "\n".join(body) + "\n"
            start = None
        elif start is not None:
            body.append(line)
    return found


def ported(code: str) -> str:
    for old, new in IMPORTS.items():
        code = code.replace(old, new)
    return code


def program(line: int, every: dict[int, str]) -> str:
    code = ported(every[line])
    if line in AFTER:
        code = ported(every[AFTER[line]]) + "import json\n" + code
    if "client = Together(" not in code and "async_client = AsyncTogether(" not in code:
        code = CONTEXT + code
    return code


def recorded_stream(folder: str, needle: str) -> bytes:
    for path in sorted((reference_dir() / "real-responses" / folder).glob(f"*{needle}*.json")):
        events = json.loads(path.read_text())["response"].get("sse_events") or []
        if events and events[-1] == "data: [DONE]":
            return "".join(f"{event}\n\n" for event in events).encode()
    raise AssertionError(f"no recorded stream in {folder}")


@pytest.fixture(scope="module")
def manual_blocks() -> dict[int, str]:
    if not MANUAL.exists():
        pytest.skip(f"the old SDK's manual is not beside the project: {MANUAL}")
    return blocks()


@pytest.fixture
def streaming_server() -> Iterator[Loopback]:
    with Loopback() as server:
        server.route(
            "/v1/chat/completions", stream([recorded_stream("chat-completions", "-stream-")])
        )
        server.route("/v1/completions", stream([recorded_stream("completions", "-stream-")]))
        yield server


def test_every_example_of_these_areas_is_run_or_explained(manual_blocks: dict[int, str]) -> None:
    touching = {line for line, code in manual_blocks.items() if AREA.search(code)}
    unexplained = touching - set(RUN) - set(AFTER) - set(NOT_RUNNABLE)
    assert not unexplained, f"manual blocks neither run nor explained: {sorted(unexplained)}"
    assert set(RUN) | set(AFTER) <= set(manual_blocks)


@pytest.mark.parametrize("line", sorted([*RUN, *AFTER]))
def test_manual_example_runs(
    line: int,
    manual_blocks: dict[int, str],
    request: Any,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    target = RUN.get(line) or RUN.get(AFTER[line], "prism")
    if target == "prism":
        base_url = request.getfixturevalue("prism_static")
    else:
        server: Loopback = request.getfixturevalue("streaming_server")
        base_url = server.url + "/v1"
    monkeypatch.setenv("TOGETHER_API_KEY", "manual-example-key")
    monkeypatch.setenv("TOGETHER_BASE_URL", base_url)
    monkeypatch.chdir(tmp_path)
    code = program(line, manual_blocks)
    exec(compile(code, f"<manual line {line}>", "exec"), {"__name__": "__manual__"})
    printed = capsys.readouterr()
    assert "manual-example-key" not in printed.out + printed.err
    if target != "prism":
        assert printed.out.strip(), "a streaming example printed nothing"
