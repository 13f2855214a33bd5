"""RecordingTransport over scripted transports: what it writes, when, and what it never writes."""

from __future__ import annotations

import gzip
import json
import os
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
import yaml
from returns.result import Success

from together_fn.calls import Call, StreamCall
from together_fn.config import ClientConfig
from together_fn.executors import AsyncExecutor, Executor
from together_fn.executors.replay import CassetteError, RecordingTransport, ReplayTransport
from together_fn.flows import Clock
from together_fn.http import (
    NO_BODY,
    Body,
    FilePart,
    HttpRequest,
    HttpResponse,
    HttpResponseHead,
    JsonBody,
    Method,
    MultipartBody,
)

KEY = "tk-record-9e1d7c3b5a2f4e6d8c0b"
BASE = "https://api.together.ai/v1"
CONFIG = ClientConfig(api_key=KEY, base_url=BASE)
FIXED = Clock(monotonic=lambda: 0.0, wall=lambda: 0.0, random=lambda: 0.0)
JSON = (("content-type", "application/json"),)
SSE_CHUNKS = [b'data: {"n": 1}\n', b'\ndata: {"n": 2}\n\n', b"data: [DONE]\n\n"]


class ScriptedStream:
    """A response body handed out in fixed chunks."""

    def __init__(self, head: HttpResponseHead, chunks: Sequence[bytes]) -> None:
        self.head = head
        self.chunks = list(chunks)
        self.closed = False

    def read(self) -> bytes:
        return self.chunks.pop(0) if self.chunks else b""

    def close(self) -> None:
        self.closed = True

    async def aread(self) -> bytes:
        return self.read()

    async def aclose(self) -> None:
        self.close()


class ScriptedSync:
    """A sync transport answering from a script; ``echo`` puts the auth header in the answer."""

    def __init__(self, *responses: HttpResponse, chunks: Sequence[bytes] = ()) -> None:
        self.responses = list(responses)
        self.chunks = chunks
        self.sent: list[HttpRequest] = []
        self.streams: list[ScriptedStream] = []
        self.closed = False

    def _next(self, request: HttpRequest) -> HttpResponse:
        self.sent.append(request)
        return self.responses.pop(0)

    def send(self, request: HttpRequest) -> HttpResponse:
        return self._next(request)

    def open(self, request: HttpRequest) -> ScriptedStream:
        response = self._next(request)
        stream = ScriptedStream(response.head, self.chunks or [response.body])
        self.streams.append(stream)
        return stream

    def close(self) -> None:
        self.closed = True


class ScriptedAsync:
    """The async twin of :class:`ScriptedSync`."""

    def __init__(self, *responses: HttpResponse, chunks: Sequence[bytes] = ()) -> None:
        self.sync = ScriptedSync(*responses, chunks=chunks)

    async def asend(self, request: HttpRequest) -> HttpResponse:
        return self.sync.send(request)

    async def aopen(self, request: HttpRequest) -> ScriptedStream:
        return self.sync.open(request)

    async def aclose(self) -> None:
        self.sync.close()


def ok(body: bytes = b"{}", headers: tuple[tuple[str, str], ...] = JSON) -> HttpResponse:
    return HttpResponse(status=200, headers=headers, body=body)


def raw_call(method: Method, path: str, body: Body = NO_BODY, **kw: Any) -> Call[bytes]:
    request = HttpRequest(method=method, url=path, body=body, **kw)
    return Call(operation=f"{method.value} {path}", request=request, response_type=bytes)


def post(payload: object) -> Call[bytes]:
    return raw_call(Method.POST, "/embeddings", JsonBody(json.dumps(payload).encode()))


def stream_call() -> StreamCall[dict[str, Any]]:
    request = HttpRequest(
        method=Method.POST, url="/chat/completions", body=JsonBody(b'{"stream":true}')
    )
    return StreamCall(operation="POST /chat/completions", request=request, chunk_type=dict)


def run(transport: Any, call: Call[bytes]) -> Any:
    return Executor(transport, CONFIG, clock=FIXED, sleep=lambda _: None).run(call)


def events(transport: Any) -> list[Any]:
    with Executor(transport, CONFIG, clock=FIXED).stream(stream_call()) as results:
        return list(results)


# --- what is written ------------------------------------------------------------------------


def test_recorded_calls_and_streams_replay_the_same(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    inner = ScriptedSync(ok(b'{"a": 1}'), ok(headers=(("content-type", "text/event-stream"),)))
    inner.chunks = SSE_CHUNKS
    recorder = RecordingTransport(inner, path)
    assert run(recorder, post({"x": 1, "y": [2]})) == Success(b'{"a": 1}')
    assert events(recorder) == [Success({"n": 1}), Success({"n": 2})]
    assert inner.streams[0].closed

    replay = ReplayTransport(path)
    assert run(replay, post({"y": [2], "x": 1})) == Success(b'{"a": 1}')
    assert events(ReplayTransport(path, chunk_size=1)) == [Success({"n": 1}), Success({"n": 2})]
    assert len(recorder.recorded) == 2


def test_the_file_is_readable_vcrpy_yaml_with_a_provenance_comment(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    inner = ScriptedSync(ok(b'{"ok": true}', (("Content-Type", "application/json"),)))
    run(RecordingTransport(inner, path), post({"model": "m"}))
    text = path.read_text()
    first = text.splitlines()[0]
    assert re.fullmatch(
        r"# recorded by together_fn \S+ against https://api\.together\.ai:443 on \d{4}-\d\d-\d\d",
        first,
    )
    data = yaml.safe_load(text)
    assert data["version"] == 1
    [only] = data["interactions"]
    assert only["request"]["method"] == "POST"
    assert only["request"]["uri"] == f"{BASE}/embeddings"
    assert only["request"]["body"] == '{"model": "m"}'  # a readable string, not !!binary
    assert only["request"]["headers"]["content-type"] == ["application/json"]
    assert all(name == name.lower() for name in only["request"]["headers"])
    assert only["response"] == {
        "status": {"code": 200, "message": "OK"},
        "headers": {"content-type": ["application/json"]},
        "body": {"string": '{"ok": true}'},
    }


def test_the_key_is_never_written_even_when_the_server_echoes_it(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    echoed = f'{{"you_sent": "Bearer {KEY}"}}'.encode()
    inner = ScriptedSync(ok(echoed, (*JSON, ("x-echo", KEY))))
    recorder = RecordingTransport(inner, path)
    assert run(recorder, post({"k": 1})) == Success(echoed)  # the caller sees the real answer
    assert inner.sent[0].header("authorization") == f"Bearer {KEY}"
    text = path.read_text()
    assert KEY not in text
    assert "authorization" not in text.lower()
    assert "<redacted>" in text
    assert "authorization" not in dict(recorder.recorded[0].request.headers)


def test_secret_body_fields_are_redacted_and_still_replay(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    token, other = "hf_secret_token_5a1b2c3d4e", "hf_other_token_9f8e7d6c5b"
    inner = ScriptedSync(ok(b'{"job_id": "j-1"}', JSON))
    recorder = RecordingTransport(inner, path)
    upload = {"model_name": "m", "model_source": "org/repo", "hf_token": token}
    assert run(recorder, post(upload)) == Success(b'{"job_id": "j-1"}')
    assert json.loads(inner.sent[0].body.data)["hf_token"] == token  # type: ignore[union-attr]
    text = path.read_text()
    assert token not in text
    assert '"hf_token":"<redacted>"' in text
    # The same call replays, whatever the token: secrets are compared redacted.
    replay = ReplayTransport(path)
    assert run(replay, post({**upload, "hf_token": other})) == Success(b'{"job_id": "j-1"}')


def test_a_body_without_secrets_is_recorded_byte_for_byte(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    recorder = RecordingTransport(ScriptedSync(ok(b"{}", JSON)), path)
    run(recorder, post({"b": 1, "a": [1, 2]}))
    assert recorder.recorded[0].request.body == json.dumps({"b": 1, "a": [1, 2]}).encode()


def test_binary_bodies_are_stored_as_binary_and_replay_exactly(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    data = bytes(range(256))
    run(RecordingTransport(ScriptedSync(ok(data)), path), raw_call(Method.GET, "/files/f/content"))
    assert "!!binary" in path.read_text()
    assert run(ReplayTransport(path), raw_call(Method.GET, "/files/f/content")) == Success(data)


@pytest.mark.parametrize("compressed", [True, False])
def test_gzip_is_recorded_decoded_without_its_header(tmp_path: Path, compressed: bool) -> None:
    # RequestsTransport hands back a decoded body with the gzip header still on; a bare
    # transport may hand back the compressed bytes. Either way the cassette holds plain text.
    plain = b'{"data": [1, 2, 3]}'
    body = gzip.compress(plain) if compressed else plain
    headers = (*JSON, ("content-encoding", "gzip"), ("content-length", str(len(body))))
    path = tmp_path / "c.yaml"
    run(RecordingTransport(ScriptedSync(ok(body, headers)), path), raw_call(Method.GET, "/x"))
    response = yaml.safe_load(path.read_text())["interactions"][0]["response"]
    assert response["body"]["string"] == plain.decode()
    assert response["headers"] == {
        "content-type": ["application/json"],
        "content-length": [str(len(plain))],
    }


def test_a_stream_passes_chunks_through_and_is_recorded_on_close(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    inner = ScriptedSync(ok(headers=(("content-type", "text/event-stream"),)), chunks=SSE_CHUNKS)
    recorder = RecordingTransport(inner, path)
    request = HttpRequest(method=Method.POST, url=f"{BASE}/chat/completions")
    body = recorder.open(request)
    assert body.read() == SSE_CHUNKS[0]
    assert body.read() == SSE_CHUNKS[1]
    assert not path.exists()  # nothing is written while the stream is open
    body.close()
    body.close()
    assert inner.streams[0].closed
    [recorded] = recorder.recorded
    assert recorded.response.body == SSE_CHUNKS[0] + SSE_CHUNKS[1]
    assert len(yaml.safe_load(path.read_text())["interactions"]) == 1


def test_multipart_uploads_are_recorded_with_a_stable_boundary_and_replay(tmp_path: Path) -> None:
    big = tmp_path / "big.jsonl"
    big.write_bytes(b'{"text": "x"}\n' * 10_000)
    form = MultipartBody(
        fields=(("purpose", "fine-tune"),),
        files=(
            FilePart(name="file", filename="small.jsonl", data=b'{"text": "hi"}\n'),
            FilePart(name="extra", filename="big.jsonl", path=str(big)),
        ),
    )
    call = raw_call(Method.POST, "/files/upload", form)
    texts = []
    for name in ("a.yaml", "b.yaml"):
        run(RecordingTransport(ScriptedSync(ok(b'{"id": "f1"}')), tmp_path / name), call)
        texts.append((tmp_path / name).read_text())
    assert texts[0] == texts[1]
    recorded = yaml.safe_load(texts[0])["interactions"][0]["request"]
    assert recorded["headers"]["content-type"][0].startswith("multipart/form-data; boundary=")
    assert 'name="purpose"\r\n\r\nfine-tune\r\n' in recorded["body"]
    assert '{"text": "hi"}\n' in recorded["body"]
    assert f"<{big.stat().st_size} bytes of big.jsonl not recorded>" in recorded["body"]
    assert run(ReplayTransport(tmp_path / "a.yaml"), call) == Success(b'{"id": "f1"}')


# --- modes ----------------------------------------------------------------------------------


def recorded_once(path: Path) -> None:
    run(RecordingTransport(ScriptedSync(ok(b"[1]")), path, mode="once"), raw_call(Method.GET, "/a"))


def test_once_replays_an_existing_cassette_and_refuses_new_requests(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    recorded_once(path)
    before = path.read_text()
    inner = ScriptedSync(ok(b"[2]"))
    again = RecordingTransport(inner, path, mode="once")
    assert run(again, raw_call(Method.GET, "/a")) == Success(b"[1]")
    with pytest.raises(CassetteError, match="mode='new_episodes'"):
        run(again, raw_call(Method.GET, "/b"))
    assert inner.sent == []
    assert path.read_text() == before


def test_new_episodes_replays_what_exists_and_records_the_rest(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    recorded_once(path)
    inner = ScriptedSync(ok(b"[2]"))
    more = RecordingTransport(inner, path, mode="new_episodes", against="a scripted server")
    assert run(more, raw_call(Method.GET, "/a")) == Success(b"[1]")
    assert run(more, raw_call(Method.GET, "/b")) == Success(b"[2]")
    assert [r.url for r in inner.sent] == [f"{BASE}/b"]
    text = path.read_text()
    lines = text.splitlines()
    assert lines[0].startswith("# recorded by together_fn")
    assert "against https://api.together.ai:443 on " in lines[0]
    assert lines[1].startswith("# recorded by together_fn")
    assert "against a scripted server on " in lines[1]
    uris = [i["request"]["uri"] for i in yaml.safe_load(text)["interactions"]]
    assert uris == [f"{BASE}/a", f"{BASE}/b"]


def test_all_sends_everything_and_replaces_what_it_re_records(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    inner = ScriptedSync(ok(b"[1]"), ok(b"[2]"))
    first = RecordingTransport(inner, path)
    run(first, raw_call(Method.GET, "/a"))
    run(first, raw_call(Method.GET, "/b"))
    inner = ScriptedSync(ok(b"[3]"))
    assert run(RecordingTransport(inner, path, mode="all"), raw_call(Method.GET, "/a")) == (
        Success(b"[3]")
    )
    assert len(inner.sent) == 1
    saved = yaml.safe_load(path.read_text())["interactions"]
    assert [(i["request"]["uri"], i["response"]["body"]["string"]) for i in saved] == [
        (f"{BASE}/b", "[2]"),
        (f"{BASE}/a", "[3]"),
    ]


def test_none_never_sends(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    with pytest.raises(CassetteError, match="never records"):
        RecordingTransport(ScriptedSync(), path, mode="none")
    recorded_once(path)
    inner = ScriptedSync(ok())
    replaying = RecordingTransport(inner, path, mode="none")
    assert run(replaying, raw_call(Method.GET, "/a")) == Success(b"[1]")
    with pytest.raises(CassetteError, match="never records"):
        run(replaying, raw_call(Method.GET, "/a"))
    assert inner.sent == []


def test_an_unknown_mode_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="mode must be one of"):
        RecordingTransport(ScriptedSync(), tmp_path / "c.yaml", mode="sometimes")  # type: ignore[arg-type]


# --- saving ---------------------------------------------------------------------------------


def test_saving_leaves_no_temporary_file(tmp_path: Path) -> None:
    recorded_once(tmp_path / "c.yaml")
    assert [p.name for p in tmp_path.iterdir()] == ["c.yaml"]
    assert (tmp_path / "c.yaml").stat().st_mode & 0o777 == 0o644


def test_a_failed_save_keeps_the_old_file_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "c.yaml"
    recorded_once(path)
    before = path.read_text()

    def broken(*_: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken)
    recorder = RecordingTransport(ScriptedSync(ok(b"[9]")), path, mode="new_episodes")
    with pytest.raises(OSError, match="disk full"):
        run(recorder, raw_call(Method.GET, "/b"))
    assert path.read_text() == before
    assert [p.name for p in tmp_path.iterdir()] == ["c.yaml"]


# --- async ----------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_an_async_inner_transport_is_recorded_the_same_way(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    inner = ScriptedAsync(
        ok(b'{"a": 1}'), ok(headers=(("content-type", "text/event-stream"),)), chunks=SSE_CHUNKS
    )
    recorder = RecordingTransport(inner, path)
    runner = AsyncExecutor(recorder, CONFIG, clock=FIXED)
    assert await runner.arun(post({"q": 1})) == Success(b'{"a": 1}')
    assert [e async for e in runner.astream(stream_call())] == [
        Success({"n": 1}),
        Success({"n": 2}),
    ]
    await runner.aclose()
    assert inner.sync.closed
    with pytest.raises(TypeError, match="is async"):
        recorder.send(HttpRequest(method=Method.GET, url=f"{BASE}/a"))
    replay = AsyncExecutor(ReplayTransport(path), CONFIG, clock=FIXED)
    assert await replay.arun(post({"q": 1})) == Success(b'{"a": 1}')
    assert KEY not in path.read_text()
