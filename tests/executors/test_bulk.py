"""The bulk runner against a loopback server playing the chat completions endpoint.

The server answers each request by the ``custom_id`` its last message carries, so every
result line can be checked against what the server said for that id: 429 storms, slow
answers, connections reset before answering, permanent failures, cancellation, a torn last
line, and ``kill -9`` of a runner in a subprocess at random points, then resumed.
"""

from __future__ import annotations

import asyncio
import collections
import itertools
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any, Self

import pytest
from aiohttp import web

from together_fn.bulk import BulkInputError, CorruptOutputError, GovernorSettings
from together_fn.config import ClientConfig
from together_fn.executors.aiohttp_transport import AiohttpTransport
from together_fn.executors.bulk import bulk_run, run_bulk
from together_fn.http import HttpRequest, HttpResponse, Timeout
from together_fn.retry import RetryPolicy
from together_fn.wait import WaitPolicy

REPO = Path(__file__).resolve().parents[2]
#: Quick retries and short pauses, so that storms pass in a fraction of a second.
FAST_GOVERNOR = GovernorSettings(first_backoff=0.02, max_pause=0.2)


def answer(custom_id: str) -> dict[str, Any]:
    """What the server answers for ``custom_id``: the test's expected response body."""
    return {
        "id": f"cmpl-{custom_id}",
        "object": "chat.completion",
        "model": "m",
        "choices": [
            {"index": 0, "message": {"role": "assistant", "content": f"answer to {custom_id}"}}
        ],
        "usage": {"prompt_tokens": 5, "completion_tokens": 5, "total_tokens": 10},
    }


class BulkServer:
    """A chat completions server on 127.0.0.1, in its own thread and event loop."""

    def __init__(self, *, jitter: float = 0.0) -> None:
        self.jitter = jitter
        self.hits: collections.Counter[str] = collections.Counter()
        self.storm = 0
        self.fail: set[str] = set()
        self.reset_once: set[str] = set()
        self.slow: dict[str, float] = {}
        self.extra_headers: dict[str, dict[str, str]] = {}
        self.sent_at: list[float] = []
        self._lock = threading.Lock()
        self._ready = threading.Event()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self.port = 0

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        body = await request.json()
        custom_id = body["messages"][-1]["content"]
        with self._lock:
            self.hits[custom_id] += 1
            self.sent_at.append(time.monotonic())
            first = self.hits[custom_id] == 1
            storming = self.storm > 0
            if storming:
                self.storm -= 1
        if self.jitter:
            await asyncio.sleep(random.uniform(0, self.jitter))
        if storming:
            return web.json_response(
                {"error": {"message": "slow down", "type": "rate_limit_exceeded"}},
                status=429,
                headers={"retry-after-ms": "20"},
            )
        if custom_id in self.reset_once and first:
            assert request.transport is not None
            request.transport.abort()
            raise ConnectionResetError("reset by the test server")
        if custom_id in self.slow:
            await asyncio.sleep(self.slow[custom_id])
        if custom_id in self.fail:
            return web.json_response(
                {"error": {"message": f"no model for {custom_id}", "type": "invalid_request"}},
                status=400,
                headers={"x-request-id": f"req-{custom_id}"},
            )
        headers = {"x-request-id": f"req-{custom_id}", **self.extra_headers.get(custom_id, {})}
        return web.json_response(answer(custom_id), headers=headers)

    def _serve(self) -> None:
        asyncio.set_event_loop(self._loop)
        app = web.Application()
        app.router.add_post("/v1/chat/completions", self._handle)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False)
        self._loop.run_until_complete(self._runner.setup())
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        self._loop.run_until_complete(site.start())
        self.port = self._runner.addresses[0][1]
        self._ready.set()
        self._loop.run_forever()
        self._loop.run_until_complete(self._runner.cleanup())
        self._loop.close()

    def __enter__(self) -> Self:
        self._thread.start()
        self._ready.wait(10)
        return self

    def __exit__(self, *_: object) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)


@pytest.fixture
def server() -> Any:
    with BulkServer() as running:
        yield running


def config(server: BulkServer, retries: int = 8) -> ClientConfig:
    return ClientConfig(
        api_key="tk-bulk",
        base_url=server.base_url,
        timeout=Timeout(connect=2.0, read=5.0),
        retry=RetryPolicy(max_retries=retries, initial_delay=0.01, max_delay=0.05),
    )


def write_input(path: Path, ids: list[str]) -> None:
    lines = [
        {"custom_id": i, "body": {"model": "m", "messages": [{"role": "user", "content": i}]}}
        for i in ids
    ]
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))


def read_output(path: Path) -> list[dict[str, Any]]:
    data = path.read_bytes()
    assert not data or data.endswith(b"\n"), "the output ends with a complete line"
    return [json.loads(line) for line in data.splitlines()]


def assert_exactly_once(path: Path, ids: list[str], failing: frozenset[str] = frozenset()) -> None:
    lines = read_output(path)
    counts = collections.Counter(line["custom_id"] for line in lines)
    assert sorted(counts) == sorted(ids)
    assert set(counts.values()) == {1}
    for line in lines:
        cid = line["custom_id"]
        if cid in failing:
            assert line["status"] == "error"
        else:
            assert line["status"] == "ok", line
            assert line["response"] == answer(cid)


@pytest.mark.asyncio
async def test_every_id_once_with_its_answer_and_a_rerun_sends_nothing(
    server: BulkServer, tmp_path: Path
) -> None:
    ids = [f"q-{n}" for n in range(300)]
    write_input(tmp_path / "in.jsonl", ids)
    out = tmp_path / "out.jsonl"
    summary = await run_bulk(tmp_path / "in.jsonl", out, config=config(server), concurrency=16)
    assert (summary.total, summary.ok, summary.failed, summary.remaining) == (300, 300, 0, 0)
    assert summary.complete
    assert_exactly_once(out, ids)
    assert sum(server.hits.values()) == 300
    again = await run_bulk(tmp_path / "in.jsonl", out, config=config(server))
    assert (again.skipped, again.written, again.remaining) == (300, 0, 0)
    assert sum(server.hits.values()) == 300


@pytest.mark.asyncio
async def test_a_429_storm_slows_down_and_every_request_still_succeeds(
    server: BulkServer, tmp_path: Path
) -> None:
    ids = [f"s-{n}" for n in range(200)]
    write_input(tmp_path / "in.jsonl", ids)
    server.storm = 150
    out = tmp_path / "out.jsonl"
    summary = await run_bulk(
        tmp_path / "in.jsonl", out, config=config(server), concurrency=32, governor=FAST_GOVERNOR
    )
    assert summary.ok == 200
    assert summary.rate_limited == 150
    assert summary.retries == 150
    assert_exactly_once(out, ids)
    retried = [line for line in read_output(out) if line["attempts"] > 1]
    assert len(retried) >= 150 // 8  # no request needed more than the policy's 8 retries


@pytest.mark.asyncio
async def test_resets_and_slow_answers_are_retried_or_awaited(
    server: BulkServer, tmp_path: Path
) -> None:
    ids = [f"r-{n}" for n in range(60)]
    server.reset_once = {f"r-{n}" for n in range(0, 60, 5)}
    server.slow = {f"r-{n}": 0.3 for n in range(1, 60, 7)}
    write_input(tmp_path / "in.jsonl", ids)
    out = tmp_path / "out.jsonl"
    summary = await run_bulk(tmp_path / "in.jsonl", out, config=config(server), concurrency=8)
    assert summary.ok == 60
    assert_exactly_once(out, ids)
    attempts = {line["custom_id"]: line["attempts"] for line in read_output(out)}
    assert {attempts[i] for i in server.reset_once} == {2}
    assert all(attempts[i] == 1 for i in ids if i not in server.reset_once)
    slow_elapsed = [
        line["elapsed"] for line in read_output(out) if line["custom_id"] in server.slow
    ]
    assert min(slow_elapsed) >= 0.3


@pytest.mark.asyncio
async def test_failures_are_written_and_retried_only_on_request(
    server: BulkServer, tmp_path: Path
) -> None:
    ids = [f"f-{n}" for n in range(30)]
    server.fail = {"f-3", "f-17"}
    write_input(tmp_path / "in.jsonl", ids)
    out = tmp_path / "out.jsonl"
    first = await run_bulk(tmp_path / "in.jsonl", out, config=config(server))
    assert (first.ok, first.failed, first.statuses) == (28, 2, ((400, 2),))
    assert_exactly_once(out, ids, failing=frozenset(server.fail))
    error = next(line for line in read_output(out) if line["custom_id"] == "f-3")["error"]
    assert error == {
        "status": 400,
        "type": "invalid_request",
        "message": "no model for f-3",
        "request_id": "req-f-3",
    }
    assert server.hits["f-3"] == 1  # a 400 is never retried

    server.fail = set()
    kept = await run_bulk(tmp_path / "in.jsonl", out, config=config(server))
    assert (kept.skipped, kept.written) == (30, 0)
    assert server.hits["f-3"] == 1

    retried = await run_bulk(tmp_path / "in.jsonl", out, config=config(server), retry_failed=True)
    assert (retried.skipped, retried.ok, retried.compacted) == (28, 2, True)
    assert server.hits["f-3"] == 2
    assert_exactly_once(out, ids)


@pytest.mark.asyncio
async def test_input_problems_are_all_reported_before_anything_is_sent(
    server: BulkServer, tmp_path: Path
) -> None:
    good = {"custom_id": "a", "body": {"model": "m", "messages": []}}
    lines = [
        json.dumps(good),
        json.dumps({"body": {"model": "m"}}),
        "not json",
        json.dumps(good),
        json.dumps({"custom_id": "b", "body": {"messages": []}}),
    ]
    (tmp_path / "in.jsonl").write_text("\n".join(lines) + "\n")
    with pytest.raises(BulkInputError) as raised:
        await run_bulk(tmp_path / "in.jsonl", tmp_path / "out.jsonl", config=config(server))
    assert [p.line for p in raised.value.problems] == [2, 3, 4, 5]
    assert "already used on line 1" in raised.value.problems[2].message
    assert not server.hits
    assert not (tmp_path / "out.jsonl").exists()


@pytest.mark.asyncio
async def test_cancelling_stops_cleanly_and_the_next_run_finishes(
    server: BulkServer, tmp_path: Path
) -> None:
    ids = [f"c-{n}" for n in range(80)]
    server.slow = dict.fromkeys(ids, 0.05)
    write_input(tmp_path / "in.jsonl", ids)
    out = tmp_path / "out.jsonl"
    task = asyncio.create_task(
        run_bulk(tmp_path / "in.jsonl", out, config=config(server), concurrency=4)
    )
    while not out.exists() or len(read_output(out)) < 10:
        await asyncio.sleep(0.01)
    task.cancel()
    summary = await task
    assert summary.interrupted
    written = read_output(out)
    assert summary.written == len(written)
    assert summary.remaining == 80 - len(written) > 0
    server.slow = {}
    rest = await run_bulk(tmp_path / "in.jsonl", out, config=config(server))
    assert (rest.skipped, rest.ok) == (len(written), 80 - len(written))
    assert_exactly_once(out, ids)


@pytest.mark.asyncio
async def test_a_torn_last_line_is_cut_off_and_its_id_sent_again(
    server: BulkServer, tmp_path: Path
) -> None:
    ids = ["t-1", "t-2", "t-3"]
    write_input(tmp_path / "in.jsonl", ids)
    out = tmp_path / "out.jsonl"
    await run_bulk(tmp_path / "in.jsonl", out, config=config(server))
    lines = out.read_bytes().splitlines(keepends=True)
    torn = lines[-1][:25]
    out.write_bytes(b"".join(lines[:-1]) + torn)
    summary = await run_bulk(tmp_path / "in.jsonl", out, config=config(server))
    assert (summary.truncated_bytes, summary.skipped, summary.ok) == (len(torn), 2, 1)
    assert_exactly_once(out, ids)


@pytest.mark.asyncio
async def test_a_second_run_on_the_same_output_is_refused(
    server: BulkServer, tmp_path: Path
) -> None:
    import fcntl

    write_input(tmp_path / "in.jsonl", ["l-1"])
    out = tmp_path / "out.jsonl"
    with open(out, "ab") as held:
        fcntl.flock(held.fileno(), fcntl.LOCK_EX)
        with pytest.raises(RuntimeError, match="another bulk run"):
            await run_bulk(tmp_path / "in.jsonl", out, config=config(server))
    assert not server.hits


@pytest.mark.asyncio
async def test_an_output_broken_before_its_end_is_left_alone(
    server: BulkServer, tmp_path: Path
) -> None:
    write_input(tmp_path / "in.jsonl", ["o-1", "o-2"])
    out = tmp_path / "out.jsonl"
    out.write_bytes(
        b"not a result\n" + json.dumps({"custom_id": "o-1", "status": "ok"}).encode() + b"\n"
    )
    before = out.read_bytes()
    with pytest.raises(CorruptOutputError, match="line 1"):
        await run_bulk(tmp_path / "in.jsonl", out, config=config(server))
    assert out.read_bytes() == before
    assert not server.hits


@pytest.mark.asyncio
async def test_the_request_rate_never_exceeds_rpm(server: BulkServer, tmp_path: Path) -> None:
    ids = [f"p-{n}" for n in range(100)]
    write_input(tmp_path / "in.jsonl", ids)
    # The moments the runner hands each request to the transport: what the governor
    # decides. (Arrivals at the server are squeezed by a busy machine opening connections.)
    transport = AiohttpTransport(limit=64)
    handed: list[float] = []
    sending = transport.asend

    async def asend(request: HttpRequest) -> HttpResponse:
        handed.append(time.monotonic())
        return await sending(request)

    transport.asend = asend  # type: ignore[method-assign]
    # 50 requests a second, a burst of at most 50: the last 50 need at least a second.
    try:
        summary = await run_bulk(
            tmp_path / "in.jsonl",
            tmp_path / "out.jsonl",
            config=config(server),
            rpm=3000,
            transport=transport,
        )
    finally:
        await transport.aclose()
    assert summary.ok == 100
    assert len(handed) == 100
    # Any n consecutive sends span at least (n - 50) / 50 s (less a little clock rounding).
    assert handed[-1] - handed[0] >= 1.0 - 0.02
    for start in range(25):
        assert handed[start + 75] - handed[start] >= 0.5 - 0.02


@pytest.mark.asyncio
async def test_a_spent_rate_limit_holds_the_next_send_until_its_reset(
    server: BulkServer, tmp_path: Path
) -> None:
    ids = [f"e-{n}" for n in range(6)]
    server.extra_headers = {
        "e-2": {
            "x-ratelimit-limit": "100",
            "x-ratelimit-remaining": "0",
            "x-ratelimit-reset": "0.5",
        }
    }
    write_input(tmp_path / "in.jsonl", ids)
    await run_bulk(
        tmp_path / "in.jsonl", tmp_path / "out.jsonl", config=config(server), concurrency=1
    )
    gaps = [b - a for a, b in itertools.pairwise(server.sent_at)]
    assert gaps[2] >= 0.45  # the send after e-2's answer waited for the reset
    assert max(gaps[:2] + gaps[3:]) < 0.45


@pytest.mark.asyncio
async def test_progress_is_told_of_every_line(server: BulkServer, tmp_path: Path) -> None:
    class Bar:
        total: int | None = None
        done = 0
        postfix = ""

        def update(self, n: int = 1) -> None:
            self.done += n

        def set_postfix_str(self, text: str, refresh: bool = True) -> None:
            self.postfix = text

    ids = [f"g-{n}" for n in range(20)]
    write_input(tmp_path / "in.jsonl", ids)
    bar = Bar()
    await run_bulk(
        tmp_path / "in.jsonl", tmp_path / "out.jsonl", config=config(server), progress=bar
    )
    assert (bar.total, bar.done) == (20, 20)


@pytest.mark.asyncio
async def test_progress_true_draws_a_tqdm_bar(
    server: BulkServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_input(tmp_path / "in.jsonl", ["bar-1", "bar-2", "bar-3"])
    await run_bulk(
        tmp_path / "in.jsonl", tmp_path / "out.jsonl", config=config(server), progress=True
    )
    drawn = capsys.readouterr().err
    assert "3/3" in drawn
    assert "req" in drawn


RUNNER = """
import sys
from together_fn.config import ClientConfig
from together_fn.executors.bulk import bulk_run
from together_fn.http import Timeout
from together_fn.retry import RetryPolicy
from together_fn.wait import WaitPolicy
config = ClientConfig(
    api_key="tk-bulk", base_url=sys.argv[3], timeout=Timeout(connect=2.0, read=5.0),
    retry=RetryPolicy(max_retries=8, initial_delay=0.01, max_delay=0.05),
)
bulk_run(sys.argv[1], sys.argv[2], config=config, concurrency=16, fsync_every=50)
"""


def lines_in(path: Path) -> int:
    """Complete lines written so far (cheap enough to poll)."""
    try:
        return path.read_bytes().count(b"\n")
    except FileNotFoundError:
        return 0


def test_kill_9_at_random_points_then_resume_gives_every_id_once(tmp_path: Path) -> None:
    ids = [f"k-{n}" for n in range(2500)]
    write_input(tmp_path / "in.jsonl", ids)
    out = tmp_path / "out.jsonl"
    draw = random.Random(7)
    with BulkServer(jitter=0.01) as server:
        command = [
            sys.executable,
            "-c",
            RUNNER,
            str(tmp_path / "in.jsonl"),
            str(out),
            server.base_url,
        ]
        env = {**os.environ, "PYTHONPATH": str(REPO)}
        counts = []
        for round_ in range(4):
            # Killed once the output reaches a random point of this round's fifth of the
            # input: mid-run however fast the machine is.
            target = draw.randrange(round_ * len(ids) // 5, (round_ + 1) * len(ids) // 5)
            process = subprocess.Popen(command, env=env, cwd=REPO)
            deadline = time.monotonic() + 30
            while lines_in(out) < target and process.poll() is None:
                assert time.monotonic() < deadline, "the runner made no progress"
                time.sleep(0.002)
            process.send_signal(signal.SIGKILL)
            process.wait(10)
            counts.append(len(read_output(out)) if out.exists() else 0)
        finished = subprocess.run(command, env=env, cwd=REPO, timeout=60, check=False)
        assert finished.returncode == 0
    assert counts == sorted(counts)
    assert 0 < counts[-1] < len(ids), "the kills landed mid-run"
    assert_exactly_once(out, ids)


def test_ctrl_c_stops_cleanly_and_reports_what_remains(tmp_path: Path) -> None:
    ids = [f"i-{n}" for n in range(400)]
    write_input(tmp_path / "in.jsonl", ids)
    out = tmp_path / "out.jsonl"
    script = (
        RUNNER.replace("bulk_run(", "import attrs, json\nsummary = bulk_run(")
        + "print(json.dumps(attrs.asdict(summary)))\n"
    )
    with BulkServer() as server:
        server.slow = dict.fromkeys(ids, 0.05)
        command = [sys.executable, "-c", script, str(tmp_path / "in.jsonl"), str(out)]
        process = subprocess.Popen(
            [*command, server.base_url],
            env={**os.environ, "PYTHONPATH": str(REPO)},
            cwd=REPO,
            stdout=subprocess.PIPE,
            text=True,
        )
        deadline = time.monotonic() + 20
        while (not out.exists() or len(read_output(out)) < 20) and time.monotonic() < deadline:
            time.sleep(0.02)
        process.send_signal(signal.SIGINT)
        stdout, _ = process.communicate(timeout=20)
    assert process.returncode == 0
    summary = json.loads(stdout.splitlines()[-1])
    written = read_output(out)
    assert summary["interrupted"] is True
    assert summary["ok"] == len(written) >= 20
    assert summary["remaining"] == 400 - len(written) > 0
    assert len({line["custom_id"] for line in written}) == len(written)


def test_bulk_run_is_the_sync_twin(server: BulkServer, tmp_path: Path) -> None:
    write_input(tmp_path / "in.jsonl", ["x"])
    summary = bulk_run(tmp_path / "in.jsonl", tmp_path / "out.jsonl", config=config(server))
    assert summary.ok == 1
    assert_exactly_once(tmp_path / "out.jsonl", ["x"])


class BatchServer(BulkServer):
    """The Batch API on 127.0.0.1: files (upload, content), batches (create, retrieve).

    A batch answers every request of its input file as the chat server would, except the
    ids in ``fail`` (an error file line) and ``lost`` (in neither file); it reports
    ``IN_PROGRESS`` on its first poll and ``COMPLETED`` after.
    """

    def __init__(self) -> None:
        super().__init__()
        self.files: dict[str, bytes] = {}
        self.batches: dict[str, dict[str, Any]] = {}
        self.polls: collections.Counter[str] = collections.Counter()
        self.lost: set[str] = set()
        self.created: list[dict[str, Any]] = []

    async def _start_upload(self, request: web.Request) -> web.StreamResponse:
        form = await request.post()
        assert form["purpose"] == "batch-api"
        file_id = f"file-{len(self.files)}"
        self.files[file_id] = b""
        location = f"http://127.0.0.1:{self.port}/storage/{file_id}"
        return web.Response(
            status=302, headers={"location": location, "x-together-file-id": file_id}
        )

    async def _put(self, request: web.Request) -> web.StreamResponse:
        assert "authorization" not in request.headers
        self.files[request.match_info["id"]] = await request.read()
        return web.Response(status=200)

    async def _preprocess(self, request: web.Request) -> web.StreamResponse:
        file_id = request.match_info["id"]
        size = len(self.files[file_id])
        return web.json_response({"id": file_id, "object": "file", "bytes": size})

    async def _content(self, request: web.Request) -> web.StreamResponse:
        return web.Response(body=self.files[request.match_info["id"]])

    def _run_batch(self, input_file_id: str) -> tuple[str, str]:
        output, errors = [], []
        for data in self.files[input_file_id].splitlines():
            request = json.loads(data)
            cid = request["custom_id"]
            self.hits[cid] += 1
            if cid in self.lost:
                continue
            if cid in self.fail:
                errors.append(
                    {"custom_id": cid, "error": {"message": f"bad {cid}", "code": "invalid"}}
                )
            else:
                response = {"status_code": 200, "request_id": f"req-{cid}", "body": answer(cid)}
                output.append({"id": f"r-{cid}", "custom_id": cid, "response": response})
        names = []
        for lines in (output, errors):
            file_id = f"file-{len(self.files)}"
            self.files[file_id] = "".join(json.dumps(x) + "\n" for x in lines).encode()
            names.append(file_id)
        return names[0], names[1]

    async def _create(self, request: web.Request) -> web.StreamResponse:
        body = await request.json()
        self.created.append(body)
        batch_id = f"batch-{len(self.batches)}"
        output_id, error_id = self._run_batch(body["input_file_id"])
        self.batches[batch_id] = {
            "id": batch_id,
            "input_file_id": body["input_file_id"],
            "endpoint": body["endpoint"],
            "output_file_id": output_id,
            "error_file_id": error_id,
        }
        return web.json_response({"job": {"id": batch_id, "status": "VALIDATING"}})

    async def _retrieve(self, request: web.Request) -> web.StreamResponse:
        batch_id = request.match_info["id"]
        self.polls[batch_id] += 1
        if self.polls[batch_id] == 1:
            return web.json_response({"id": batch_id, "status": "IN_PROGRESS"})
        return web.json_response({**self.batches[batch_id], "status": "COMPLETED"})

    def _serve(self) -> None:
        asyncio.set_event_loop(self._loop)
        app = web.Application()
        app.router.add_post("/v1/files", self._start_upload)
        app.router.add_put("/storage/{id}", self._put)
        app.router.add_post("/v1/files/{id}/preprocess", self._preprocess)
        app.router.add_get("/v1/files/{id}/content", self._content)
        app.router.add_post("/v1/batches", self._create)
        app.router.add_get("/v1/batches/{id}", self._retrieve)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False)
        self._loop.run_until_complete(self._runner.setup())
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        self._loop.run_until_complete(site.start())
        self.port = self._runner.addresses[0][1]
        self._ready.set()
        self._loop.run_forever()
        self._loop.run_until_complete(self._runner.cleanup())
        self._loop.close()


BATCH_OPTIONS: dict[str, Any] = {
    "via": "batch",
    "wait": WaitPolicy(timeout=10, initial_interval=0.01, max_interval=0.02),
    "allow_insecure_targets": True,  # the loopback server's storage URL is plain http
}


@pytest.mark.asyncio
async def test_via_batch_merges_output_and_error_files_into_result_lines(tmp_path: Path) -> None:
    ids = [f"b-{n}" for n in range(40)]
    write_input(tmp_path / "in.jsonl", ids)
    out = tmp_path / "out.jsonl"
    with BatchServer() as server:
        server.fail = {"b-7"}
        server.lost = {"b-9"}
        summary = await run_bulk(tmp_path / "in.jsonl", out, config=config(server), **BATCH_OPTIONS)
        assert server.created == [{"endpoint": "/v1/chat/completions", "input_file_id": "file-0"}]
        assert server.files["file-0"] == (tmp_path / "in.jsonl").read_bytes()
        assert server.polls["batch-0"] == 2
    assert (summary.via, summary.batch_id) == ("batch", "batch-0")
    assert (summary.total, summary.ok, summary.failed, summary.remaining) == (40, 38, 1, 1)
    lines = read_output(out)
    assert sorted(line["custom_id"] for line in lines) == sorted(set(ids) - {"b-9"})
    by_id = {line["custom_id"]: line for line in lines}
    assert by_id["b-0"]["response"] == answer("b-0")
    assert by_id["b-7"]["error"] == {
        "status": None,
        "type": "invalid",
        "message": "bad b-7",
        "request_id": None,
    }


@pytest.mark.asyncio
async def test_via_batch_uploads_only_what_is_missing(tmp_path: Path) -> None:
    ids = [f"m-{n}" for n in range(10)]
    write_input(tmp_path / "in.jsonl", ids)
    out = tmp_path / "out.jsonl"
    with BulkServer() as chat:
        write_input(tmp_path / "first.jsonl", ids[:6])
        await run_bulk(tmp_path / "first.jsonl", out, config=config(chat))
    with BatchServer() as server:
        summary = await run_bulk(tmp_path / "in.jsonl", out, config=config(server), **BATCH_OPTIONS)
        uploaded = [json.loads(x)["custom_id"] for x in server.files["file-0"].splitlines()]
    assert uploaded == ids[6:]
    assert (summary.skipped, summary.ok, summary.remaining) == (6, 4, 0)
    assert_exactly_once(out, ids)
