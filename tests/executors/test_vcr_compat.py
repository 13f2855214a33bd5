"""One cassette file, two players: vcrpy (around ``requests``) and ReplayTransport.

A loopback server answers while a cassette is recorded, by vcrpy in one direction and by
RecordingTransport in the other; it is stopped before the cassette is replayed, so every
answer afterwards comes from the file.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
import vcr
from returns.result import Success
from vcr.serialize import deserialize, serialize
from vcr.serializers import yamlserializer

from tests.executors.loopback import Loopback, gzip_reply, json_reply, sse_event, stream
from together_fn.calls import Call, StreamCall
from together_fn.config import ClientConfig
from together_fn.executors import AsyncExecutor, Executor
from together_fn.executors.replay import CassetteError, RecordingTransport, ReplayTransport
from together_fn.executors.requests_transport import RequestsTransport
from together_fn.flows import Clock
from together_fn.http import FilePart, HttpRequest, JsonBody, Method, MultipartBody
from together_fn.sse import INITIAL, feed

KEY = "tk-vcr-compat-4d7e1a9c2b8f5e3d"
AUTH = {"Authorization": f"Bearer {KEY}"}
FIXED = Clock(monotonic=lambda: 0.0, wall=lambda: 0.0, random=lambda: 0.0)
MATCH_ON = ["method", "scheme", "host", "port", "path", "query", "body"]

EMBED_REQUEST = {"model": "m", "input": ["a", "b"]}
EMBEDDINGS = {"object": "list", "data": [{"index": 0, "embedding": [0.25, 0.5]}] * 2}
MODELS = [{"id": "m1"}, {"id": "m2"}]
EVENTS = [{"choices": [{"delta": {"content": t}}]} for t in ("Hel", "lo", " wörld ✓")]
CHAT_REQUEST = {"model": "m", "messages": [{"role": "user", "content": "hi"}], "stream": True}
UPLOADED = {"id": "file-1", "purpose": "fine-tune"}


def recording_vcr(**overrides: Any) -> vcr.VCR:
    settings: dict[str, Any] = {
        "match_on": MATCH_ON,
        "filter_headers": ["authorization"],
        "decode_compressed_response": True,
        "record_mode": "once",
    }
    return vcr.VCR(**(settings | overrides))


@pytest.fixture
def server() -> Iterator[Loopback]:
    with Loopback() as running:
        running.route("/v1/embeddings", gzip_reply(EMBEDDINGS))
        running.route("/v1/models", json_reply(MODELS, headers=[("X-Request-Id", "req-1")]))
        running.route(
            "/v1/chat/completions",
            stream([sse_event(e) for e in EVENTS] + [sse_event("[DONE]")], delay=0.01),
        )
        running.route("/v1/files/upload", json_reply(UPLOADED))
        yield running


def config(server: Loopback) -> ClientConfig:
    return ClientConfig(api_key=KEY, base_url=f"{server.url}/v1")


def raw_call(method: Method, path: str, **kw: Any) -> Call[bytes]:
    """A call whose result is the response body itself."""
    request = HttpRequest(method=method, url=path, **kw)
    return Call(operation=f"{method.value} {path}", request=request, response_type=bytes)


def embed_call() -> Call[bytes]:
    # The same JSON as requests sends, in another key order and spacing.
    body = json.dumps(dict(reversed(EMBED_REQUEST.items())), separators=(",", ":"))
    return raw_call(Method.POST, "/embeddings", body=JsonBody(body.encode()))


def models_call() -> Call[bytes]:
    return raw_call(Method.GET, "/models", query=(("after", "x"), ("limit", "2")))


def chat_call() -> StreamCall[dict[str, Any]]:
    request = HttpRequest(
        method=Method.POST,
        url="/chat/completions",
        headers=(("accept", "text/event-stream"),),
        body=JsonBody(json.dumps(CHAT_REQUEST).encode()),
    )
    return StreamCall(operation="POST /chat/completions", request=request, chunk_type=dict)


def upload_call(purpose: str = "fine-tune") -> Call[bytes]:
    form = MultipartBody(
        fields=(("purpose", purpose),),
        files=(FilePart(name="file", filename="data.jsonl", data=b'{"text": "hi"}\n'),),
    )
    return raw_call(Method.POST, "/files/upload", body=form)


def with_requests(server: Loopback) -> dict[str, requests.Response]:
    """Three exchanges made with plain ``requests``."""
    url = f"{server.url}/v1"
    return {
        "embed": requests.post(f"{url}/embeddings", json=EMBED_REQUEST, headers=AUTH),
        "models": requests.get(f"{url}/models", params={"limit": "2", "after": "x"}, headers=AUTH),
        "chat": requests.post(f"{url}/chat/completions", json=CHAT_REQUEST, headers=AUTH),
    }


def upload_with_requests(server: Loopback) -> requests.Response:
    return requests.post(
        f"{server.url}/v1/files/upload",
        data={"purpose": "fine-tune"},
        files={"file": ("data.jsonl", b'{"text": "other"}\n')},
        headers=AUTH,
    )


def lowered(headers: Any, drop: tuple[str, ...] = ()) -> dict[str, str]:
    return {k.lower(): v for k, v in dict(headers).items() if k.lower() not in drop}


def events_of(body: bytes) -> list[Any]:
    _, events = feed(INITIAL, body)
    return [json.loads(e.data) for e in events if e.data != "[DONE]"]


# --- vcrpy records, ReplayTransport replays -------------------------------------------------


def test_a_vcrpy_cassette_replays_through_replay_transport(
    tmp_path: Path, server: Loopback
) -> None:
    path = tmp_path / "vcrpy.yaml"
    with recording_vcr().use_cassette(str(path)):
        live = with_requests(server)
        live_upload = upload_with_requests(server)
    server.stop()
    assert server.hits("/v1/embeddings") == 1
    assert KEY not in path.read_text()

    with recording_vcr(record_mode="none").use_cassette(str(path)):
        played = with_requests(server)
    for name in ("embed", "models", "chat"):
        assert played[name].content == live[name].content

    transport = ReplayTransport(path)
    runner = Executor(transport, config(server), clock=FIXED)
    for name, call in (("embed", embed_call()), ("models", models_call())):
        exchange = runner.execute(call)
        assert exchange.status == played[name].status_code
        assert dict(exchange.headers) == lowered(played[name].headers)
        assert exchange.result == Success(played[name].content)
    assert json.loads(played["embed"].content) == EMBEDDINGS

    with runner.stream(chat_call()) as results:
        assert list(results) == [Success(e) for e in EVENTS]
    assert results.exchange is not None
    # vcrpy drops the chunked framing header on replay; the recorded head keeps it.
    assert dict(results.exchange.headers) == lowered(
        played["chat"].headers, drop=("transfer-encoding",)
    ) | {"transfer-encoding": "chunked"}

    # requests chose its own random boundary and file bytes: only the plain fields matter.
    assert runner.run(upload_call()) == Success(live_upload.content)
    assert transport.unplayed == ()
    with pytest.raises(CassetteError, match="differs in body"):
        runner.run(upload_call("batch"))


def test_a_vcrpy_stream_replays_alike_whole_and_byte_by_byte(
    tmp_path: Path, server: Loopback
) -> None:
    path = tmp_path / "vcrpy.yaml"
    with recording_vcr().use_cassette(str(path)):
        with_requests(server)
    server.stop()

    def replayed(chunk_size: int | None) -> list[Any]:
        runner = Executor(ReplayTransport(path, chunk_size=chunk_size), config(server))
        with runner.stream(chat_call()) as results:
            return list(results)

    assert replayed(1) == replayed(None) == [Success(e) for e in EVENTS]


@pytest.mark.asyncio
async def test_a_vcrpy_cassette_replays_through_the_async_executor(
    tmp_path: Path, server: Loopback
) -> None:
    path = tmp_path / "vcrpy.yaml"
    with recording_vcr().use_cassette(str(path)):
        live = with_requests(server)
    server.stop()
    runner = AsyncExecutor(ReplayTransport(path, chunk_size=5), config(server), clock=FIXED)
    assert await runner.arun(embed_call()) == Success(live["embed"].content)
    assert await runner.arun(models_call()) == Success(live["models"].content)
    assert [e async for e in runner.astream(chat_call())] == [Success(e) for e in EVENTS]


def test_a_vcrpy_cassette_recorded_without_decoding_replays_decoded(
    tmp_path: Path, server: Loopback
) -> None:
    path = tmp_path / "gzipped.yaml"
    with recording_vcr(decode_compressed_response=False).use_cassette(str(path)):
        live = requests.post(f"{server.url}/v1/embeddings", json=EMBED_REQUEST, headers=AUTH)
    server.stop()
    # Depending on the versions involved, vcrpy keeps the gzip bytes or the decoded body
    # under a stale "Content-Encoding: gzip"; either way the header is in the file.
    assert "Content-Encoding:\n      - gzip" in path.read_text()
    exchange = Executor(ReplayTransport(path), config(server)).execute(embed_call())
    assert exchange.result == Success(live.content)
    assert "content-encoding" not in dict(exchange.headers)
    assert dict(exchange.headers)["content-length"] == str(len(live.content))


# --- RecordingTransport records, vcrpy replays ----------------------------------------------


def test_a_recorded_cassette_replays_through_vcrpy(tmp_path: Path, server: Loopback) -> None:
    path = tmp_path / "ours.yaml"
    recorder = RecordingTransport(RequestsTransport(), path, against="a loopback test server")
    runner = Executor(recorder, config(server), clock=FIXED)
    ours = {"embed": runner.run(embed_call()), "models": runner.run(models_call())}
    with runner.stream(chat_call()) as results:
        assert list(results) == [Success(e) for e in EVENTS]
    uploaded = runner.run(upload_call())
    runner.close()
    server.stop()

    text = path.read_text()
    assert text.startswith("# recorded by together_fn ")
    assert "against a loopback test server" in text.splitlines()[0]
    assert KEY not in text

    with recording_vcr(record_mode="none").use_cassette(str(path)):
        played = with_requests(server)
    assert ours["embed"] == Success(played["embed"].content)
    assert json.loads(played["embed"].content) == EMBEDDINGS
    assert ours["models"] == Success(played["models"].content)
    assert played["models"].headers["x-request-id"] == "req-1"
    assert events_of(played["chat"].content) == EVENTS

    # vcrpy cannot match a multipart body (requests draws a new boundary), so not on body.
    unbodied = recording_vcr(record_mode="none", match_on=MATCH_ON[:-1])
    with unbodied.use_cassette(str(path)):
        assert uploaded == Success(upload_with_requests(server).content)


def test_the_file_is_what_vcrpy_itself_would_write(tmp_path: Path, server: Loopback) -> None:
    path = tmp_path / "ours.yaml"
    runner = Executor(RecordingTransport(RequestsTransport(), path), config(server), clock=FIXED)
    runner.run(embed_call())
    runner.run(models_call())
    runner.run(raw_call(Method.GET, "/missing"))
    runner.close()

    text = path.read_text()
    body = "".join(line for line in text.splitlines(keepends=True) if not line.startswith("#"))
    requests_, responses = deserialize(text, yamlserializer)
    rewritten = serialize({"requests": requests_, "responses": responses}, yamlserializer)
    assert rewritten == body
