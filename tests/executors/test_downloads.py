"""Downloads to disk over both transports, against a loopback server that cuts, lies and
misbehaves: resumed, restarted, refused, and never leaving a partial file behind."""

from __future__ import annotations

import asyncio
import hashlib
import os
import threading
import tracemalloc
from collections.abc import AsyncIterator, Callable, Sequence
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from returns.result import Failure, Result, Success

from tests.executors.conftest import KEY, NO_JITTER, assert_secret_free, config_for
from tests.executors.loopback import Behaviour, Loopback, Received, Wire, json_reply
from together_fn.api.files import retrieve_file_content
from together_fn.calls import Call
from together_fn.client import AsyncTogether, Together
from together_fn.errors import DownloadError, NotFoundError, TogetherError
from together_fn.executors import AsyncExecutor, Executor
from together_fn.executors.aiohttp_transport import AiohttpTransport
from together_fn.executors.download import DownloadedFile, adownload, download
from together_fn.executors.requests_transport import RequestsTransport

PATH = "/v1/files/file-1/content"
DATA = os.urandom(256 * 1024 + 17)
DIGEST = hashlib.sha256(DATA).hexdigest()


def serve(
    data: bytes = DATA,
    *,
    cut_after: int | None = None,
    shift: int = 0,
    ignore_range: bool = False,
    disposition: str | None = None,
    pause: Callable[[Wire], object] | None = None,
) -> Behaviour:
    """A file server honouring ``Range: bytes=N-``; it can drop the connection after
    ``cut_after`` body bytes, answer with a range shifted by ``shift``, or ignore ranges."""

    def behave(received: Received, wire: Wire) -> None:
        asked = received.header("range")
        start = int(asked.removeprefix("bytes=").rstrip("-")) if asked and not ignore_range else 0
        body = memoryview(data)[start:]  # a view: the server must not copy 100 MiB either
        headers = [("Content-Type", "application/octet-stream"), ("Content-Length", str(len(body)))]
        if disposition is not None:
            headers.append(("Content-Disposition", disposition))
        if start:
            shown = f"bytes {start + shift}-{len(data) - 1}/{len(data)}"
            wire.head(206, [*headers, ("Content-Range", shown)])
        else:
            wire.head(200, headers)
        if cut_after is None:
            wire.sock.sendall(body)
            return
        wire.sock.sendall(body[:cut_after])
        if pause is not None:
            pause(wire)
        wire.pause(0.05)
        wire.close()

    return behave


class Runner:
    """Performs downloads with one transport through the real executor."""

    def __init__(self, kind: str, server: Loopback) -> None:
        self.kind = kind
        self.server = server
        self.sleeps: list[float] = []
        self.transport: Any = RequestsTransport() if kind == "requests" else AiohttpTransport()

    async def download(
        self, destination: Path | str, call: Call[bytes] | None = None, **kwargs: Any
    ) -> Result[DownloadedFile, TogetherError]:
        call = call or retrieve_file_content("file-1")
        config = config_for(self.server)
        if self.kind == "requests":
            executor = Executor(self.transport, config, clock=NO_JITTER, sleep=self.sleeps.append)
            return await asyncio.to_thread(download, executor, call, destination, **kwargs)

        async def sleep(seconds: float) -> None:
            self.sleeps.append(seconds)

        aexecutor = AsyncExecutor(self.transport, config, clock=NO_JITTER, sleep=sleep)
        return await adownload(aexecutor, call, destination, **kwargs)

    async def aclose(self) -> None:
        if self.kind == "requests":
            self.transport.close()
        else:
            await self.transport.aclose()


@pytest_asyncio.fixture(params=["requests", "aiohttp"])
async def runner(request: pytest.FixtureRequest, server: Loopback) -> AsyncIterator[Runner]:
    chosen = Runner(request.param, server)
    yield chosen
    await chosen.aclose()


def entries(directory: Path) -> list[str]:
    return sorted(os.listdir(directory))


def ranges(server: Loopback) -> list[str | None]:
    return [r.header("range") for r in server.requests_to(PATH)]


@pytest.mark.asyncio
async def test_a_whole_download(runner: Runner, server: Loopback, tmp_path: Path) -> None:
    server.route(PATH, serve())
    seen: list[tuple[int, int | None]] = []
    result = await runner.download(
        tmp_path, sha256=DIGEST, expected_size=len(DATA), progress=lambda d, t: seen.append((d, t))
    )
    saved = result.unwrap()
    assert saved.path == str(tmp_path / "file-1")
    assert saved.filename == "file-1"
    assert (saved.size, saved.sha256, saved.resumes) == (len(DATA), DIGEST, 0)
    assert saved.response is not None
    assert saved.response.status == 200
    assert (tmp_path / "file-1").read_bytes() == DATA
    assert entries(tmp_path) == ["file-1"]
    assert seen[-1] == (len(DATA), len(DATA))
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)
    sent = server.requests_to(PATH)[0]
    assert sent.header("accept-encoding") == "identity"
    assert sent.header("authorization") == f"Bearer {KEY}"


@pytest.mark.asyncio
@pytest.mark.parametrize("cut_after", [1, len(DATA) // 2, len(DATA) - 1])
async def test_a_cut_download_is_resumed(
    runner: Runner, server: Loopback, tmp_path: Path, cut_after: int
) -> None:
    server.route(PATH, serve(cut_after=cut_after), serve())
    saved = (await runner.download(tmp_path / "out.jsonl", sha256=DIGEST)).unwrap()
    assert (saved.size, saved.resumes) == (len(DATA), 1)
    assert (tmp_path / "out.jsonl").read_bytes() == DATA
    assert ranges(server) == [None, f"bytes={cut_after}-"]
    assert entries(tmp_path) == ["out.jsonl"]


@pytest.mark.asyncio
async def test_several_cuts_are_resumed_in_turn(
    runner: Runner, server: Loopback, tmp_path: Path
) -> None:
    server.route(PATH, serve(cut_after=1000), serve(cut_after=5000), serve())
    saved = (await runner.download(tmp_path / "f")).unwrap()
    assert saved.resumes == 2
    assert ranges(server) == [None, "bytes=1000-", "bytes=6000-"]
    assert (tmp_path / "f").read_bytes() == DATA


@pytest.mark.asyncio
async def test_too_many_cuts_fail_and_leave_nothing(
    runner: Runner, server: Loopback, tmp_path: Path
) -> None:
    server.route(PATH, serve(cut_after=100))
    result = await runner.download(tmp_path, max_resumes=2)
    error = result.failure()
    assert isinstance(error, DownloadError)
    assert "connection dropped" in str(error) or "ended early" in str(error)
    assert "2 resumes" in str(error)
    assert server.hits(PATH) == 3
    assert entries(tmp_path) == []
    assert_secret_free(error)


@pytest.mark.asyncio
async def test_a_wrong_content_range_fails_and_leaves_nothing(
    runner: Runner, server: Loopback, tmp_path: Path
) -> None:
    server.route(PATH, serve(cut_after=1000), serve(shift=1))
    error = (await runner.download(tmp_path / "f")).failure()
    assert isinstance(error, DownloadError)
    assert "asked for bytes from 1000, the server sent 1001-" in str(error)
    assert entries(tmp_path) == []


@pytest.mark.asyncio
async def test_a_200_instead_of_206_restarts_from_zero(
    runner: Runner, server: Loopback, tmp_path: Path
) -> None:
    server.route(PATH, serve(cut_after=70_000), serve(ignore_range=True))
    seen: list[int] = []
    saved = (
        await runner.download(tmp_path / "f", sha256=DIGEST, progress=lambda d, _: seen.append(d))
    ).unwrap()
    assert saved.size == len(DATA)
    assert (tmp_path / "f").read_bytes() == DATA  # not the first 70 000 bytes twice
    assert ranges(server) == [None, "bytes=70000-"]
    assert max(seen) == len(DATA)
    assert 0 < seen[0] <= 70_000  # progress of the first, abandoned answer


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("disposition", "name"),
    [
        ('attachment; filename="../../evil.jsonl"', "evil.jsonl"),
        ('attachment; filename="/etc/passwd"', "passwd"),
        ('attachment; filename="C:\\\\x.csv"', "x.csv"),
        ('attachment; filename="a\\\\..\\\\b"', "b"),
        ('attachment; filename=".."', "file-1"),
        ('attachment; filename=""', "file-1"),
        ("attachment; filename*=UTF-8''..%2F..%2F%00x%0A.txt", "x.txt"),
        ("attachment; filename*=UTF-8''%C3%A9t%C3%A9.csv", "été.csv"),
        ("attachment; filename=" + "n" * 600 + ".jsonl", "n" * 194 + ".jsonl"),
    ],
)
async def test_hostile_names_stay_inside_the_directory(
    runner: Runner, server: Loopback, tmp_path: Path, disposition: str, name: str
) -> None:
    target = tmp_path / "inside"
    target.mkdir()
    server.route(PATH, serve(disposition=disposition))
    saved = (await runner.download(target)).unwrap()
    assert saved.path == str(target / name)
    assert entries(target) == [name]
    assert entries(tmp_path) == ["inside"]
    assert (target / name).read_bytes() == DATA


@pytest.mark.asyncio
async def test_an_existing_file_is_refused_before_any_request(
    runner: Runner, server: Loopback, tmp_path: Path
) -> None:
    server.route(PATH, serve())
    existing = tmp_path / "keep.jsonl"
    existing.write_bytes(b"precious")
    error = (await runner.download(existing)).failure()
    assert isinstance(error, DownloadError)
    assert "exists; pass overwrite=True" in str(error)
    assert server.hits(PATH) == 0
    assert existing.read_bytes() == b"precious"


@pytest.mark.asyncio
async def test_an_existing_file_named_by_the_server_is_kept(
    runner: Runner, server: Loopback, tmp_path: Path
) -> None:
    server.route(PATH, serve(disposition='attachment; filename="keep.jsonl"'))
    (tmp_path / "keep.jsonl").write_bytes(b"precious")
    error = (await runner.download(tmp_path)).failure()
    assert isinstance(error, DownloadError)
    assert "exists" in str(error)
    assert (tmp_path / "keep.jsonl").read_bytes() == b"precious"
    assert entries(tmp_path) == ["keep.jsonl"]


@pytest.mark.asyncio
async def test_overwrite_replaces(runner: Runner, server: Loopback, tmp_path: Path) -> None:
    server.route(PATH, serve())
    existing = tmp_path / "f"
    existing.write_bytes(b"old")
    assert isinstance(await runner.download(existing, overwrite=True), Success)
    assert existing.read_bytes() == DATA
    assert entries(tmp_path) == ["f"]


@pytest.mark.asyncio
async def test_a_missing_directory_is_an_error(
    runner: Runner, server: Loopback, tmp_path: Path
) -> None:
    server.route(PATH, serve())
    error = (await runner.download(tmp_path / "no" / "f")).failure()
    assert isinstance(error, DownloadError)
    assert "does not exist" in str(error)
    error = (await runner.download(str(tmp_path / "no") + os.sep)).failure()
    assert "not an existing directory" in str(error)
    assert server.hits(PATH) == 0


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("script", "kwargs", "error_type", "message"),
    [
        (
            [json_reply({"error": {"message": "no such file"}}, status=404)],
            {},
            NotFoundError,
            "no such file",
        ),
        ([serve()], {"sha256": "0" * 64}, DownloadError, "sha256 is"),
        ([serve()], {"expected_size": 10}, DownloadError, "10 were expected"),
        (
            [serve(data=DATA + b"x", cut_after=None)],
            {"expected_size": len(DATA)},
            DownloadError,
            "expected",
        ),
    ],
)
async def test_no_temporary_file_is_left_on_failure(
    runner: Runner,
    server: Loopback,
    tmp_path: Path,
    script: Sequence[Behaviour],
    kwargs: dict[str, Any],
    error_type: type[Exception],
    message: str,
) -> None:
    server.route(PATH, *script)
    result = await runner.download(tmp_path, **kwargs)
    assert isinstance(result, Failure)
    assert isinstance(result.failure(), error_type)
    assert message in str(result.failure())
    assert entries(tmp_path) == []


@pytest.mark.asyncio
async def test_a_retryable_status_is_retried(
    runner: Runner, server: Loopback, tmp_path: Path
) -> None:
    server.route(PATH, json_reply({"error": {"message": "busy"}}, status=503), serve())
    saved = (await runner.download(tmp_path)).unwrap()
    assert saved.size == len(DATA)
    assert runner.sleeps == [0.5]


def test_an_interrupt_leaves_no_temporary_file(server: Loopback, tmp_path: Path) -> None:
    server.route(PATH, serve())
    executor = Executor(RequestsTransport(), config_for(server), clock=NO_JITTER)

    def interrupt(done: int, total: int | None) -> None:
        raise KeyboardInterrupt

    try:
        with pytest.raises(KeyboardInterrupt):
            download(executor, retrieve_file_content("file-1"), tmp_path, progress=interrupt)
    finally:
        executor.close()
    assert entries(tmp_path) == []


@pytest.mark.asyncio
async def test_cancelling_leaves_no_temporary_file(server: Loopback, tmp_path: Path) -> None:
    release = threading.Event()
    server.route(PATH, serve(cut_after=1000, pause=lambda _: release.wait(5)))
    executor = AsyncExecutor(AiohttpTransport(), config_for(server), clock=NO_JITTER)
    started = asyncio.Event()

    def progress(done: int, total: int | None) -> None:
        started.set()

    task = asyncio.create_task(
        adownload(executor, retrieve_file_content("file-1"), tmp_path, progress=progress)
    )
    try:
        await asyncio.wait_for(started.wait(), 5)
        assert any(name.endswith(".part") for name in entries(tmp_path))
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    finally:
        release.set()
        await executor.aclose()
    assert entries(tmp_path) == []


@pytest.mark.asyncio
async def test_memory_stays_bounded_on_a_large_body(
    runner: Runner, server: Loopback, tmp_path: Path
) -> None:
    size = 100 * 1024 * 1024
    big = bytes(size)
    server.route(PATH, serve(big))
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        saved = (await runner.download(tmp_path / "big")).unwrap()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert saved.size == size
    assert (tmp_path / "big").stat().st_size == size
    assert peak - before < 64 * 1024 * 1024, f"peak grew by {(peak - before) / 2**20:.1f} MiB"


FILE = {"id": "file-1", "object": "file", "filename": "train.jsonl", "bytes": len(DATA)}


def test_the_facade_returns_or_saves_the_content(server: Loopback, tmp_path: Path) -> None:
    server.route(PATH, serve())
    server.route("/v1/files/file-1", json_reply(FILE))
    server.route("/v1/files", json_reply({"data": [FILE]}))
    with Together(api_key=KEY, base_url=f"{server.url}/v1", env={}) as client:
        assert client.files.retrieve_content("file-1") == DATA
        saved = client.files.retrieve_content(file_id="file-1", output=tmp_path / "out.jsonl")
        assert saved.path == str(tmp_path / "out.jsonl")
        assert (tmp_path / "out.jsonl").read_bytes() == DATA
        with pytest.raises(DownloadError, match="exists"):
            client.files.retrieve_content("file-1", output=tmp_path / "out.jsonl")
        again = client.files.retrieve_content(
            "file-1", output=tmp_path / "out.jsonl", overwrite=True
        )
        assert again.sha256 == DIGEST
        assert client.files.retrieve("file-1").filename == "train.jsonl"
        assert [f.id for f in client.files.list().data] == ["file-1"]
    assert entries(tmp_path) == ["out.jsonl"]


@pytest.mark.asyncio
async def test_the_async_facade_returns_or_saves_the_content(
    server: Loopback, tmp_path: Path
) -> None:
    server.route(PATH, serve(cut_after=5000), serve(), serve())
    server.route("/v1/files/file-1", json_reply({"id": "file-1", "deleted": True}))
    async with AsyncTogether(api_key=KEY, base_url=f"{server.url}/v1", env={}) as client:
        saved = await client.files.retrieve_content("file-1", output=tmp_path)
        assert saved.filename == "file-1"
        assert saved.resumes == 1
        assert (tmp_path / "file-1").read_bytes() == DATA
        assert await client.files.retrieve_content("file-1") == DATA
        deleted = await client.files.delete("file-1")
        assert deleted.deleted is True
    assert server.requests_to("/v1/files/file-1")[0].method == "DELETE"


def test_progress_true_draws_a_tqdm_bar(
    server: Loopback, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    server.route(PATH, serve())
    executor = Executor(RequestsTransport(), config_for(server), clock=NO_JITTER)
    try:
        result = download(executor, retrieve_file_content("file-1"), tmp_path, progress=True)
    finally:
        executor.close()
    assert isinstance(result, Success)
    drawn = capsys.readouterr().err
    assert "file-1" in drawn
    assert "100%" in drawn


def test_invalid_arguments_fail_before_any_request(server: Loopback, tmp_path: Path) -> None:
    server.route(PATH, serve())
    executor = Executor(RequestsTransport(), config_for(server), clock=NO_JITTER)
    call = retrieve_file_content("file-1")
    try:
        for kwargs in (
            {"sha256": "not-a-digest"},
            {"expected_size": -1},
            {"max_resumes": -1},
            {"chunk_size": 0},
        ):
            with pytest.raises(ValueError):
                download(executor, call, tmp_path, **kwargs)
    finally:
        executor.close()
    assert server.hits(PATH) == 0
    assert entries(tmp_path) == []


def test_without_hard_links_existing_files_are_still_kept(
    server: Loopback, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_links(*_: object) -> None:
        raise PermissionError("this file system has no hard links")

    monkeypatch.setattr(os, "link", no_links)
    server.route(PATH, serve(disposition='attachment; filename="keep.jsonl"'))
    (tmp_path / "keep.jsonl").write_bytes(b"precious")
    executor = Executor(RequestsTransport(), config_for(server), clock=NO_JITTER)
    try:
        kept = download(executor, retrieve_file_content("file-1"), tmp_path)
        saved = download(executor, retrieve_file_content("file-1"), tmp_path / "new.jsonl")
    finally:
        executor.close()
    assert "exists" in str(kept.failure())
    assert (tmp_path / "keep.jsonl").read_bytes() == b"precious"
    assert saved.unwrap().path == str(tmp_path / "new.jsonl")
    assert (tmp_path / "new.jsonl").read_bytes() == DATA
    assert entries(tmp_path) == ["keep.jsonl", "new.jsonl"]
