"""The whole upload flow against loopback servers playing the API and the signed storage.

Each test runs over both executors (``requests`` in this thread, ``aiohttp`` in an event
loop). The servers stream request bodies through a hash, so that they use no memory of
their own for large files and the memory test measures the client alone.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import threading
import tracemalloc
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import attrs
import pytest
from returns.result import Failure, Result, Success

from tests.executors.conftest import KEY, NO_JITTER
from together_fn.config import ClientConfig
from together_fn.errors import (
    APIConnectionError,
    APIError,
    InternalServerError,
    InvalidFileFormatError,
    PermissionDeniedError,
    TogetherError,
)
from together_fn.executors import _upload_local
from together_fn.executors import upload as upload_module
from together_fn.executors._bodies import CHUNK_SIZE, encode_body
from together_fn.executors.aiohttp_transport import AiohttpTransport
from together_fn.executors.base import AsyncExecutor, Executor
from together_fn.executors.requests_transport import RequestsTransport
from together_fn.http import FileRangeBody, Timeout
from together_fn.models.files import FileResponse
from together_fn.retry import RetryPolicy
from together_fn.transfers.upload import UploadProgress, state_from_json

MIB = 1024 * 1024


@attrs.frozen(kw_only=True)
class Seen:
    """A request as a server received it; the body is kept only as its size and hash."""

    method: str
    path: str
    query: str
    headers: dict[str, str]
    size: int
    sha256: str
    body: bytes  # the first 64 KiB only


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, *args: Any) -> None:  # quiet
        pass

    def _handle(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        digest = hashlib.sha256()
        head = bytearray()
        left = length
        while left:
            chunk = self.rfile.read(min(64 * 1024, left))
            if not chunk:
                break
            digest.update(chunk)
            if len(head) < 64 * 1024:
                head += chunk[: 64 * 1024 - len(head)]
            left -= len(chunk)
        path, _, query = self.path.partition("?")
        seen = Seen(
            method=self.command,
            path=path,
            query=query,
            headers={k.lower(): v for k, v in self.headers.items()},
            size=length - left,
            sha256=digest.hexdigest(),
            body=bytes(head),
        )
        status, headers, body = self.server.answer(seen)
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self) -> None:
        self._handle()

    def do_PUT(self) -> None:
        self._handle()


Answer = tuple[int, list[tuple[str, str]], bytes]


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, answer: Callable[[Seen], Answer]) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.answer = answer
        self.url = f"http://127.0.0.1:{self.server_address[1]}"


def _json(payload: object, status: int = 200) -> Answer:
    return status, [("Content-Type", "application/json")], json.dumps(payload).encode()


class Together:
    """The API and the signed storage, as the real service behaves (two origins by default).

    ``part_failures[n]`` lists statuses part ``n`` answers before it succeeds (the last one
    repeating forever if ``always_fail`` holds ``n``).
    """

    def __init__(self, *, same_origin: bool = False) -> None:
        self.lock = threading.Lock()
        self.seen: list[Seen] = []
        self.part_failures: dict[int, list[int]] = {}
        self.always_fail: set[int] = set()
        self.stored: dict[str, str] = {}  # file or part -> sha256 of what was PUT
        self.api = _Server(self._answer)
        self.storage = self.api if same_origin else _Server(self._answer)
        self._threads = [
            threading.Thread(target=s.serve_forever, args=(0.02,), daemon=True)
            for s in {id(self.api): self.api, id(self.storage): self.storage}.values()
        ]
        for thread in self._threads:
            thread.start()

    def close(self) -> None:
        for server in {id(self.api): self.api, id(self.storage): self.storage}.values():
            server.shutdown()
            server.server_close()

    def requests(self, method: str, path: str) -> list[Seen]:
        """The requests to ``path`` (to any path below it if it ends with ``/``)."""

        def wanted(seen: Seen) -> bool:
            return seen.path.startswith(path) if path.endswith("/") else seen.path == path

        with self.lock:
            return [s for s in self.seen if s.method == method and wanted(s)]

    def _answer(self, seen: Seen) -> Answer:
        with self.lock:
            self.seen.append(seen)
        route = (seen.method, seen.path)
        if route == ("POST", "/v1/files"):
            form = dict(parse_qsl(seen.body.decode()))
            location = f"{self.storage.url}/bucket/file-1?X-Amz-Signature=s3cr3t"
            headers = [("Location", location), ("X-Together-File-Id", "file-1")]
            headers.append(("X-Form", json.dumps(form)))
            return 302, headers, b""
        if seen.method == "PUT" and seen.path == "/bucket/file-1":
            self.stored["file-1"] = seen.sha256
            return 200, [("ETag", '"whole"')], b""
        if route == ("POST", "/v1/files/file-1/preprocess"):
            return _json(_file("file-1", self.stored.get("file-1")))
        if route == ("POST", "/v1/files/multipart/initiate"):
            asked = json.loads(seen.body)
            parts = [
                {
                    "part_number": n,
                    "url": f"{self.storage.url}/bucket/big/{n}?sig=p{n}",
                    "headers": {"x-amz-meta-part": str(n)},
                }
                for n in range(1, asked["num_parts"] + 1)
            ]
            return _json({"upload_id": "up-1", "file_id": "file-big", "parts": parts})
        if seen.method == "PUT" and seen.path.startswith("/bucket/big/"):
            return self._part(int(seen.path.rsplit("/", 1)[1]), seen)
        if route == ("POST", "/v1/files/multipart/complete"):
            return _json(_file("file-big", None))
        if route == ("POST", "/v1/files/multipart/abort"):
            return _json({})
        return _json({"error": {"message": f"no route {route}"}}, status=404)

    def _part(self, number: int, seen: Seen) -> Answer:
        with self.lock:
            pending = self.part_failures.get(number, [])
            status = pending[0] if pending else None
            if pending and number not in self.always_fail:
                pending.pop(0)
        if status is not None:
            return status, [("Content-Type", "application/xml")], b"<Error>SlowDown</Error>"
        self.stored[f"part-{number}"] = seen.sha256
        return 200, [("ETag", f'"etag-{number}"')], b""


def _file(file_id: str, sha256: str | None) -> dict[str, Any]:
    return {
        "id": file_id,
        "object": "file",
        "created_at": 1700000000,
        "filename": sha256 or "train.jsonl",
        "bytes": 0,
        "purpose": "fine-tune",
        "Processed": True,
        "FileType": "jsonl",
    }


@pytest.fixture
def together() -> Iterator[Together]:
    service = Together()
    yield service
    service.close()


@pytest.fixture(params=["requests", "aiohttp"])
def kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def _config(service: Together, retries: int = 2) -> ClientConfig:
    return ClientConfig(
        api_key=KEY,
        base_url=f"{service.api.url}/v1",
        timeout=Timeout(connect=2.0, read=10.0),
        retry=RetryPolicy(max_retries=retries),
    )


def upload(
    kind: str, service: Together, path: Path, *, retries: int = 2, **options: Any
) -> tuple[Result[FileResponse, TogetherError], list[float]]:
    """Upload over the ``kind`` executor; the result and the sleeps it asked for."""
    options.setdefault("check", False)
    options.setdefault("allow_insecure_targets", True)
    sleeps: list[float] = []
    config = _config(service, retries)
    if kind == "requests":
        transport = RequestsTransport(trust_env=False)
        executor = Executor(transport, config, clock=NO_JITTER, sleep=sleeps.append)
        try:
            return upload_module.upload_file(executor, path, **options), sleeps
        finally:
            transport.close()

    async def sleep(seconds: float) -> None:
        sleeps.append(seconds)

    async def main() -> Result[FileResponse, TogetherError]:
        transport = AiohttpTransport(trust_env=False)
        executor = AsyncExecutor(transport, config, clock=NO_JITTER, sleep=sleep)
        try:
            return await upload_module.aupload_file(executor, path, **options)
        finally:
            await transport.aclose()

    return asyncio.run(main()), sleeps


def _dataset(tmp_path: Path, size: int, name: str = "train.jsonl") -> Path:
    path = tmp_path / name
    path.write_bytes(os.urandom(size))
    return path


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _assert_no_key_at_storage(service: Together) -> None:
    storage = [s for s in service.seen if s.path.startswith("/bucket/")]
    assert storage, "nothing reached the storage"
    for seen in storage:
        assert "authorization" not in seen.headers
        assert all(KEY not in value for value in seen.headers.values())


# --- single ------------------------------------------------------------------------------


def test_single_upload_follows_the_real_flow(kind: str, together: Together, tmp_path: Path) -> None:
    path = _dataset(tmp_path, 3 * 64 * 1024 + 11)
    content = path.read_bytes()
    events: list[UploadProgress] = []

    result, _ = upload(kind, together, path, progress=events.append)

    assert isinstance(result, Success)
    assert result.unwrap().id == "file-1"
    assert together.stored["file-1"] == _digest(content)  # the bytes arrived, exactly
    [start] = together.requests("POST", "/v1/files")
    assert start.headers["authorization"] == f"Bearer {KEY}"
    assert start.headers["content-type"] == "application/x-www-form-urlencoded"
    form = dict(parse_qsl(start.body.decode()))
    assert form == {
        "purpose": "fine-tune",
        "file_name": "train.jsonl",
        "file_type": "jsonl",
        "sha256": _digest(content),
        "file_size": str(len(content)),
    }
    [put] = together.requests("PUT", "/bucket/")
    assert put.query == "X-Amz-Signature=s3cr3t"
    assert put.headers["content-type"] == "application/octet-stream"
    assert put.headers["content-length"] == str(len(content))
    [preprocess] = together.requests("POST", "/v1/files/file-1/preprocess")
    assert preprocess.headers["authorization"] == f"Bearer {KEY}"
    _assert_no_key_at_storage(together)
    # The order of the steps, as the API requires it.
    assert [(s.method, s.path) for s in together.seen] == [
        ("POST", "/v1/files"),
        ("PUT", "/bucket/file-1"),
        ("POST", "/v1/files/file-1/preprocess"),
    ]
    assert [e.stage for e in events] == ["started", "uploaded", "done"]
    assert events[-1].bytes_sent == events[-1].total_bytes == len(content)


def test_the_key_never_reaches_a_signed_url_even_at_the_api_origin(
    kind: str, tmp_path: Path
) -> None:
    service = Together(same_origin=True)
    try:
        result, _ = upload(kind, service, _dataset(tmp_path, 1000))
        assert isinstance(result, Success)
        assert service.storage is service.api
        _assert_no_key_at_storage(service)
        assert service.requests("POST", "/v1/files")[0].headers["authorization"] == f"Bearer {KEY}"
    finally:
        service.close()


def test_a_signed_url_on_loopback_is_refused_unless_allowed(
    kind: str, together: Together, tmp_path: Path
) -> None:
    result, _ = upload(kind, together, _dataset(tmp_path, 100), allow_insecure_targets=False)

    assert isinstance(result, Failure)
    error = result.failure()
    assert isinstance(error, APIError)
    assert "refusing to upload" in str(error)
    assert "s3cr3t" not in str(error)
    assert together.requests("PUT", "/bucket/") == []


def test_a_storage_failure_is_retried_then_reported(
    kind: str, together: Together, tmp_path: Path
) -> None:
    def storage_down(seen: Seen) -> Answer:
        with together.lock:
            together.seen.append(seen)
        if seen.method == "PUT":
            return 503, [], b"busy"
        return original(seen)

    original = together._answer
    together.api.answer = together.storage.answer = storage_down
    result, sleeps = upload(kind, together, _dataset(tmp_path, 100), retries=2)

    assert isinstance(result, Failure)
    assert isinstance(result.failure(), InternalServerError)
    assert result.failure().attempts == 3
    assert len(together.requests("PUT", "/bucket/")) == 3
    assert len(sleeps) == 2
    assert together.requests("POST", "/v1/files/file-1/preprocess") == []


def test_a_failed_check_sends_nothing(
    kind: str, together: Together, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    @attrs.frozen
    class Report:
        ok: bool
        problems: tuple[str, ...]

    checked: list[tuple[str, str]] = []

    def checker(path: str, *, purpose: str) -> Report:
        checked.append((Path(path).name, purpose))
        return Report(ok=False, problems=("line 1: not JSON",))

    monkeypatch.setattr(_upload_local, "load_checker", lambda: checker)
    result, _ = upload(kind, together, _dataset(tmp_path, 10), check=True, purpose="eval")

    assert isinstance(result, Failure)
    assert isinstance(result.failure(), InvalidFileFormatError)
    assert "line 1: not JSON" in str(result.failure())
    assert checked == [("train.jsonl", "eval")]
    assert together.seen == []


def test_the_real_checker_runs_by_default(kind: str, together: Together, tmp_path: Path) -> None:
    bad = tmp_path / "train.jsonl"
    bad.write_text("this is not json\n")
    result, _ = upload(kind, together, bad, check=True)

    assert isinstance(result, Failure)
    assert isinstance(result.failure(), InvalidFileFormatError)
    assert together.seen == []


def test_a_progress_bar_follows_the_bytes(
    together: Together, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    result, _ = upload("requests", together, _dataset(tmp_path, 4500), tqdm=True, **SMALL)

    assert isinstance(result, Success)
    shown = capsys.readouterr().err
    assert "Uploading train.jsonl" in shown
    assert "100%" in shown


def test_invalid_options_fail_before_any_io(together: Together, tmp_path: Path) -> None:
    missing = tmp_path / "absent.jsonl"
    with pytest.raises(ValueError, match="purpose"):
        upload("requests", together, missing, purpose="training")
    with pytest.raises(ValueError, match="max_parallel_parts"):
        upload("requests", together, missing, max_parallel_parts=0)
    with pytest.raises(ValueError, match="part_size"):
        upload("requests", together, missing, part_size=0)
    result, _ = upload("requests", together, missing)
    assert isinstance(result, Failure)
    assert isinstance(result.failure(), InvalidFileFormatError)
    assert together.seen == []


def test_an_unknown_file_type_sends_nothing(kind: str, together: Together, tmp_path: Path) -> None:
    result, _ = upload(kind, together, _dataset(tmp_path, 10, name="notes.txt"))

    assert isinstance(result, Failure)
    assert isinstance(result.failure(), InvalidFileFormatError)
    assert together.seen == []


# --- multipart ---------------------------------------------------------------------------

SMALL = {"multipart_threshold": 1000, "part_size": 1000}


def test_multipart_upload_sends_every_part_exactly(
    kind: str, together: Together, tmp_path: Path
) -> None:
    path = _dataset(tmp_path, 4500)
    content = path.read_bytes()
    events: list[UploadProgress] = []

    result, _ = upload(kind, together, path, progress=events.append, **SMALL)

    assert isinstance(result, Success)
    assert result.unwrap().id == "file-big"
    [initiate] = together.requests("POST", "/v1/files/multipart/initiate")
    assert json.loads(initiate.body) == {
        "file_name": "train.jsonl",
        "file_size": 4500,
        "num_parts": 5,
        "purpose": "fine-tune",
        "file_type": "jsonl",
    }
    puts = together.requests("PUT", "/bucket/big/")
    assert sorted(p.path for p in puts) == [f"/bucket/big/{n}" for n in range(1, 6)]
    # Five balanced parts of 900 bytes rather than four of 1000 and a short one.
    for n in range(1, 6):
        start = (n - 1) * 900
        assert together.stored[f"part-{n}"] == _digest(content[start : start + 900])
    assert all(p.headers["x-amz-meta-part"] == p.path.rsplit("/", 1)[1] for p in puts)
    [complete] = together.requests("POST", "/v1/files/multipart/complete")
    assert json.loads(complete.body) == {
        "upload_id": "up-1",
        "file_id": "file-big",
        "parts": [{"part_number": n, "etag": f'"etag-{n}"'} for n in range(1, 6)],
    }
    assert together.requests("POST", "/v1/files/multipart/abort") == []
    _assert_no_key_at_storage(together)
    assert events[0].stage == "started"
    assert sorted(e.part_number or 0 for e in events if e.stage == "part") == [1, 2, 3, 4, 5]
    assert [e.bytes_sent for e in events if e.stage == "part"] == [900, 1800, 2700, 3600, 4500]
    assert [e.stage for e in events][-2:] == ["uploaded", "done"]


def test_a_part_failing_once_is_retried_alone(
    kind: str, together: Together, tmp_path: Path
) -> None:
    together.part_failures[3] = [500]
    result, sleeps = upload(kind, together, _dataset(tmp_path, 4500), **SMALL)

    assert isinstance(result, Success)
    counts = {n: len(together.requests("PUT", f"/bucket/big/{n}")) for n in range(1, 6)}
    assert counts == {1: 1, 2: 1, 3: 2, 4: 1, 5: 1}
    assert len(sleeps) == 1
    assert together.requests("POST", "/v1/files/multipart/abort") == []


def test_a_part_failing_always_aborts_the_upload(
    kind: str, together: Together, tmp_path: Path
) -> None:
    together.part_failures[2] = [500]
    together.always_fail.add(2)
    result, _ = upload(kind, together, _dataset(tmp_path, 4500), retries=1, **SMALL)

    assert isinstance(result, Failure)
    assert isinstance(result.failure(), InternalServerError)
    assert len(together.requests("PUT", "/bucket/big/2")) == 2  # one try, one retry
    assert "sig=" not in str(result.failure())
    assert "sig=" not in repr(result.failure())
    [abort] = together.requests("POST", "/v1/files/multipart/abort")
    assert json.loads(abort.body) == {"upload_id": "up-1", "file_id": "file-big"}
    assert abort.headers["authorization"] == f"Bearer {KEY}"
    assert together.requests("POST", "/v1/files/multipart/complete") == []


def test_a_forbidden_part_is_not_retried(kind: str, together: Together, tmp_path: Path) -> None:
    together.part_failures[1] = [403]
    together.always_fail.add(1)
    result, sleeps = upload(kind, together, _dataset(tmp_path, 4500), max_parallel_parts=1, **SMALL)

    assert isinstance(result, Failure)
    assert isinstance(result.failure(), PermissionDeniedError)
    assert sleeps == []
    # Parts not started when a part failed for good are not sent at all.
    assert len(together.requests("PUT", "/bucket/big/")) == 1
    assert len(together.requests("POST", "/v1/files/multipart/abort")) == 1


def test_a_failed_resumable_upload_continues_with_the_missing_parts(
    kind: str, together: Together, tmp_path: Path
) -> None:
    path = _dataset(tmp_path, 4500)
    state_path = tmp_path / "upload.state"
    together.part_failures[4] = [403]
    together.always_fail.add(4)

    first, _ = upload(kind, together, path, state_path=state_path, max_parallel_parts=1, **SMALL)

    assert isinstance(first, Failure)
    assert together.requests("POST", "/v1/files/multipart/abort") == []  # kept open
    saved = state_from_json(state_path.read_bytes())
    assert saved is not None
    assert [p.part_number for p in saved.done] == [1, 2, 3]
    assert state_path.stat().st_mode & 0o777 == 0o600  # it holds signed URLs
    assert list(tmp_path.glob(".*.tmp")) == []

    together.always_fail.clear()
    together.part_failures.clear()
    together.seen.clear()
    second, _ = upload(kind, together, path, state_path=state_path, **SMALL)

    assert isinstance(second, Success)
    assert together.requests("POST", "/v1/files/multipart/initiate") == []
    assert sorted(p.path for p in together.requests("PUT", "/bucket/big/")) == [
        "/bucket/big/4",
        "/bucket/big/5",
    ]
    [complete] = together.requests("POST", "/v1/files/multipart/complete")
    assert [p["part_number"] for p in json.loads(complete.body)["parts"]] == [1, 2, 3, 4, 5]
    assert not state_path.exists()


def test_an_interrupted_upload_resumes_from_its_state_file(
    kind: str, together: Together, tmp_path: Path
) -> None:
    path = _dataset(tmp_path, 4500)
    state_path = tmp_path / "upload.state"

    def interrupt(event: UploadProgress) -> None:
        if event.stage == "part" and event.bytes_sent >= 1800:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        upload(
            kind,
            together,
            path,
            state_path=state_path,
            progress=interrupt,
            max_parallel_parts=1,
            **SMALL,
        )
    saved = state_from_json(state_path.read_bytes())
    assert saved is not None
    done = {p.part_number for p in saved.done}
    assert len(done) == 2

    together.seen.clear()
    result, _ = upload(kind, together, path, state_path=state_path, **SMALL)

    assert isinstance(result, Success)
    resent = {int(p.path.rsplit("/", 1)[1]) for p in together.requests("PUT", "/bucket/big/")}
    assert resent == {1, 2, 3, 4, 5} - done
    assert not state_path.exists()


def test_a_changed_file_starts_over_and_aborts_the_stale_upload(
    kind: str, together: Together, tmp_path: Path
) -> None:
    path = _dataset(tmp_path, 4500)
    state_path = tmp_path / "upload.state"
    together.part_failures[5] = [403]
    together.always_fail.add(5)
    first, _ = upload(kind, together, path, state_path=state_path, **SMALL)
    assert isinstance(first, Failure)

    path.write_bytes(os.urandom(4600))  # a new version of the dataset
    together.always_fail.clear()
    together.part_failures.clear()
    together.seen.clear()
    second, _ = upload(kind, together, path, state_path=state_path, **SMALL)

    assert isinstance(second, Success)
    assert len(together.requests("POST", "/v1/files/multipart/abort")) == 1
    assert len(together.requests("POST", "/v1/files/multipart/initiate")) == 1
    assert len(together.requests("PUT", "/bucket/big/")) == 5


def test_an_unreachable_storage_is_a_connection_error(
    kind: str, together: Together, tmp_path: Path
) -> None:
    def initiate_to_nowhere(seen: Seen) -> Answer:
        if seen.path == "/v1/files/multipart/initiate":
            parts = [{"part_number": 1, "url": "http://127.0.0.1:9/bucket/big/1?sig=hidden"}]
            return _json({"upload_id": "up-1", "file_id": "file-big", "parts": parts})
        return original(seen)

    original = together._answer
    together.api.answer = initiate_to_nowhere
    result, _ = upload(
        kind, together, _dataset(tmp_path, 1500), multipart_threshold=1000, part_size=2000
    )

    assert isinstance(result, Failure)
    assert isinstance(result.failure(), APIConnectionError)
    assert "hidden" not in str(result.failure())
    assert len(together.requests("POST", "/v1/files/multipart/abort")) == 1


# --- the file-range body ----------------------------------------------------------------


def test_a_file_range_body_streams_exactly_its_bytes(tmp_path: Path) -> None:
    path = _dataset(tmp_path, 3 * CHUNK_SIZE)
    content = path.read_bytes()
    body = FileRangeBody(path=str(path), offset=CHUNK_SIZE - 7, length=CHUNK_SIZE + 20)
    encoded = encode_body(body)

    async def gather() -> list[bytes]:
        return [chunk async for chunk in encoded.achunks()]

    expected = content[CHUNK_SIZE - 7 : 2 * CHUNK_SIZE + 13]
    assert encoded.length == len(expected)
    assert encoded.in_memory() is None  # streamed, never held whole
    assert b"".join(encoded.chunks()) == expected
    assert b"".join(asyncio.run(gather())) == expected
    assert max(len(c) for c in encoded.chunks()) <= CHUNK_SIZE


def test_a_file_range_past_the_end_fails_before_sending(tmp_path: Path) -> None:
    path = _dataset(tmp_path, 100)
    with pytest.raises(OSError, match="fewer than"):
        encode_body(FileRangeBody(path=str(path), offset=50, length=51))


# --- memory ------------------------------------------------------------------------------


@pytest.mark.parametrize("multipart", [False, True], ids=["single", "multipart"])
def test_memory_stays_bounded_for_a_large_file(
    kind: str, together: Together, tmp_path: Path, multipart: bool
) -> None:
    size = 100 * MIB
    path = tmp_path / "big.jsonl"
    with path.open("wb") as handle:
        block = os.urandom(MIB)
        for _ in range(100):
            handle.write(block)
    options: dict[str, Any] = {"multipart_threshold": 10 * MIB, "part_size": 16 * MIB}

    tracemalloc.start()
    try:
        before, _ = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        result, _ = upload(kind, together, path, **(options if multipart else {}))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert isinstance(result, Success)
    assert peak - before < 64 * MIB
    sent = sum(s.size for s in together.requests("PUT", "/bucket/"))
    assert sent == size
