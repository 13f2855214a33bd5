"""ReplayTransport: answering calls from vcrpy v1 cassettes, sync and async, without a network."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from returns.result import Success

from together_fn.api.embeddings import create_embeddings
from together_fn.calls import Call, StreamCall
from together_fn.config import ClientConfig
from together_fn.errors import APIConnectionError, TogetherError
from together_fn.executors import AsyncExecutor, Executor
from together_fn.executors.cassette import (
    Cassette,
    Interaction,
    RecordedRequest,
    RecordedResponse,
    parse_cassette,
    render_cassette,
)
from together_fn.executors.replay import CassetteError, ReplayTransport
from together_fn.flows import Clock
from together_fn.http import (
    NO_BODY,
    FilePart,
    HttpRequest,
    JsonBody,
    Method,
    MultipartBody,
    RawBody,
)
from together_fn.models.embeddings import Embedding, EmbeddingsResponse
from together_fn.retry import RetryPolicy

BASE = "https://api.together.ai/v1"
CONFIG = ClientConfig(api_key="tk-replay-5c2e8f0a9b7d4e1f", base_url=BASE)
FIXED = Clock(monotonic=lambda: 0.0, wall=lambda: 0.0, random=lambda: 0.0)

EMBEDDINGS = {"object": "list", "model": "m", "data": [{"index": 0, "embedding": [0.5, -1.0]}]}
EVENTS = [{"id": "c1", "choices": [{"delta": {"content": t}}]} for t in ("Hel", "lo", " wörld")]
SSE = "".join(f"data: {json.dumps(e, ensure_ascii=False)}\n\n" for e in EVENTS) + "data: [DONE]\n\n"


def interaction(
    method: str,
    uri: str,
    *,
    body: str | bytes | None = None,
    status: int = 200,
    response: str | bytes = "{}",
    request_headers: dict[str, list[str]] | None = None,
    headers: dict[str, list[str]] | None = None,
) -> dict[str, Any]:
    """One interaction as vcrpy stores it."""
    return {
        "request": {"method": method, "uri": uri, "body": body, "headers": request_headers or {}},
        "response": {
            "status": {"code": status, "message": "OK" if status == 200 else "Error"},
            "headers": headers or {"Content-Type": ["application/json"]},
            "body": {"string": response},
        },
    }


def cassette_file(tmp_path: Path, *interactions: dict[str, Any], comment: str = "") -> Path:
    """A cassette written the way vcrpy writes one (``yaml.dump``, bytes as ``!!binary``)."""
    path = tmp_path / "cassette.yaml"
    text = yaml.dump({"interactions": list(interactions), "version": 1}, Dumper=yaml.Dumper)
    path.write_text(comment + text, encoding="utf-8")
    return path


def executor(transport: ReplayTransport, sleeps: list[float] | None = None) -> Executor:
    record = sleeps if sleeps is not None else []
    return Executor(transport, CONFIG, clock=FIXED, sleep=record.append)


def raw_call(method: Method, path: str, *, body: Any = None, **kw: Any) -> Call[bytes]:
    """A call whose result is the response body itself."""
    request = HttpRequest(method=method, url=path, body=NO_BODY if body is None else body, **kw)
    return Call(operation=f"{method.value} {path}", request=request, response_type=bytes)


def chat_stream() -> StreamCall[dict[str, Any]]:
    request = HttpRequest(
        method=Method.POST,
        url="/chat/completions",
        headers=(("accept", "text/event-stream"),),
        body=JsonBody(b'{"model":"m","stream":true}'),
    )
    return StreamCall(operation="POST /chat/completions", request=request, chunk_type=dict)


def sse_cassette(tmp_path: Path) -> Path:
    return cassette_file(
        tmp_path,
        interaction(
            "POST",
            f"{BASE}/chat/completions",
            body='{"stream": true, "model": "m"}',
            response=SSE,
            headers={"Content-Type": ["text/event-stream"]},
        ),
    )


# --- matching -------------------------------------------------------------------------------


def test_json_body_matches_whatever_its_key_order_and_spacing(tmp_path: Path) -> None:
    path = cassette_file(
        tmp_path,
        interaction(
            "POST",
            f"{BASE}/embeddings",
            body='{ "input": "hi",\n  "model": "m" }',
            response=json.dumps(EMBEDDINGS),
        ),
    )
    result = executor(ReplayTransport(path)).run(create_embeddings(model="m", input="hi"))
    expected = EmbeddingsResponse(data=(Embedding(embedding=(0.5, -1.0), index=0),), model="m")
    assert result == Success(expected)


def test_query_matches_in_any_order_and_headers_come_back_lowercase(tmp_path: Path) -> None:
    headers = {"Content-Type": ["application/json"], "X-Request-Id": ["req-7"]}
    path = cassette_file(
        tmp_path,
        interaction("GET", f"{BASE}/models?limit=2&after=x", response="[1]", headers=headers),
    )
    call = raw_call(Method.GET, "/models", query=(("after", "x"), ("limit", "2")))
    exchange = executor(ReplayTransport(path)).execute(call)
    assert exchange.result == Success(b"[1]")
    assert exchange.headers == (("content-type", "application/json"), ("x-request-id", "req-7"))
    assert exchange.request_id == "req-7"


def test_non_json_bodies_are_compared_as_bytes(tmp_path: Path) -> None:
    path = cassette_file(tmp_path, interaction("PUT", f"{BASE}/upload", body=b"\x00\xffab"))
    transport = ReplayTransport(path, allow_playback_repeats=True)
    same = raw_call(Method.PUT, "/upload", body=RawBody(b"\x00\xffab"))
    assert executor(transport).run(same) == Success(b"{}")
    with pytest.raises(CassetteError, match="differs in body"):
        executor(transport).run(raw_call(Method.PUT, "/upload", body=RawBody(b"\x00\xffac")))


@pytest.mark.parametrize(
    ("call", "difference"),
    [
        (raw_call(Method.PUT, "/embeddings", body=JsonBody(b'{"a":1}')), "method"),
        (raw_call(Method.POST, "/embedding", body=JsonBody(b'{"a":1}')), "path"),
        (raw_call(Method.POST, "/embeddings", body=JsonBody(b'{"a":2}')), "body"),
        (
            raw_call(Method.POST, "/embeddings", body=JsonBody(b'{"a":1}'), query=(("x", "1"),)),
            "query",
        ),
        (
            raw_call(
                Method.POST, "http://api.together.ai/v1/embeddings", body=JsonBody(b'{"a":1}')
            ),
            "host",
        ),
    ],
)
def test_an_unmatched_request_raises_a_cassette_error_naming_the_closest(
    tmp_path: Path, call: Call[bytes], difference: str
) -> None:
    path = cassette_file(
        tmp_path,
        interaction("GET", f"{BASE}/models"),
        interaction("POST", f"{BASE}/embeddings", body='{"a": 1}'),
    )
    sleeps: list[float] = []
    with pytest.raises(CassetteError) as raised:
        executor(ReplayTransport(path), sleeps).run(call)
    error = raised.value
    assert isinstance(error, TogetherError)
    assert not isinstance(error, APIConnectionError)  # so no retry policy retries it
    assert sleeps == []
    assert f"closest recording: #1 POST {BASE}/embeddings (differs in {difference};" in str(error)
    assert error.cassette == str(path)


def test_the_error_shows_both_bodies_when_they_differ(tmp_path: Path) -> None:
    path = cassette_file(tmp_path, interaction("POST", f"{BASE}/embeddings", body='{"a": 1}'))
    with pytest.raises(CassetteError) as raised:
        ReplayTransport(path).send(
            HttpRequest(method=Method.POST, url=f"{BASE}/embeddings", body=JsonBody(b'{"a":2}'))
        )
    assert 'sent body:     {"a": 2}' in str(raised.value)
    assert 'recorded body: {"a": 1}' in str(raised.value)


FORM = (
    b"--xyz\r\n"
    b'Content-Disposition: form-data; name="purpose"\r\n\r\nfine-tune\r\n'
    b"--xyz\r\n"
    b'Content-Disposition: form-data; name="file"; filename="a.jsonl"\r\n'
    b"Content-Type: application/octet-stream\r\n\r\n"
    b'{"text": "recorded"}\n\r\n'
    b"--xyz--\r\n"
)


@pytest.mark.parametrize("with_content_type", [True, False])
def test_multipart_bodies_match_on_their_plain_fields_only(
    tmp_path: Path, with_content_type: bool
) -> None:
    headers = {"Content-Type": ["multipart/form-data; boundary=xyz"]} if with_content_type else {}
    path = cassette_file(
        tmp_path,
        interaction("POST", f"{BASE}/files/upload", body=FORM, request_headers=headers),
    )
    transport = ReplayTransport(path, allow_playback_repeats=True)

    def upload(purpose: str) -> Call[bytes]:
        body = MultipartBody(
            fields=(("purpose", purpose),),
            files=(FilePart(name="file", filename="b.jsonl", data=b"other bytes entirely"),),
        )
        return raw_call(Method.POST, "/files/upload", body=body)

    assert executor(transport).run(upload("fine-tune")) == Success(b"{}")
    with pytest.raises(CassetteError, match="multipart fields \\[\\('purpose', 'batch'\\)\\]"):
        executor(transport).run(upload("batch"))


# --- playback order -------------------------------------------------------------------------


def test_each_interaction_plays_once_unless_repeats_are_allowed(tmp_path: Path) -> None:
    path = cassette_file(tmp_path, interaction("GET", f"{BASE}/models", response="[]"))
    call = raw_call(Method.GET, "/models")
    once = ReplayTransport(path)
    assert executor(once).run(call) == Success(b"[]")
    with pytest.raises(CassetteError, match=r"already played; played 1x"):
        executor(once).run(call)
    repeating = ReplayTransport(path, allow_playback_repeats=True)
    for _ in range(3):
        assert executor(repeating).run(call) == Success(b"[]")
    assert repeating.play_counts == (3,)


def test_identical_requests_play_their_recordings_in_order(tmp_path: Path) -> None:
    path = cassette_file(
        tmp_path,
        interaction("GET", f"{BASE}/models", status=503, response='{"error": {"message": "busy"}}'),
        interaction("GET", f"{BASE}/models", response="[1]"),
    )
    transport = ReplayTransport(path)
    sleeps: list[float] = []
    exchange = executor(transport, sleeps).execute(raw_call(Method.GET, "/models"))
    assert exchange.result == Success(b"[1]")
    assert exchange.attempts == 2
    assert len(sleeps) == 1
    assert transport.play_counts == (1, 1)
    assert transport.unplayed == ()


def test_with_repeats_the_latest_matching_recording_is_replayed(tmp_path: Path) -> None:
    path = cassette_file(
        tmp_path,
        interaction("GET", f"{BASE}/batches/b1", response='{"status": "queued"}'),
        interaction("GET", f"{BASE}/batches/b1", response='{"status": "done"}'),
    )
    transport = ReplayTransport(path, allow_playback_repeats=True)
    call = raw_call(Method.GET, "/batches/b1")
    bodies = [executor(transport).run(call) for _ in range(3)]
    assert bodies == [Success(b'{"status": "queued"}')] + [Success(b'{"status": "done"}')] * 2


# --- bodies ---------------------------------------------------------------------------------


def test_binary_bodies_replay_byte_for_byte(tmp_path: Path) -> None:
    data = b"\x89PNG\r\n\x1a\n\x00\xff\xfe"
    path = cassette_file(tmp_path, interaction("GET", f"{BASE}/files/f1/content", response=data))
    assert "!!binary" in path.read_text()
    assert executor(ReplayTransport(path)).run(raw_call(Method.GET, "/files/f1/content")) == (
        Success(data)
    )


def test_a_gzip_body_recorded_undecoded_is_decompressed(tmp_path: Path) -> None:
    plain = json.dumps(EMBEDDINGS).encode()
    packed = gzip.compress(plain)
    headers = {
        "Content-Type": ["application/json"],
        "Content-Encoding": ["gzip"],
        "Content-Length": [str(len(packed))],
    }
    path = cassette_file(
        tmp_path, interaction("GET", f"{BASE}/x", response=packed, headers=headers)
    )
    exchange = executor(ReplayTransport(path)).execute(raw_call(Method.GET, "/x"))
    assert exchange.result == Success(plain)
    assert dict(exchange.headers) == {
        "content-type": "application/json",
        "content-length": str(len(plain)),
    }


def test_a_stale_gzip_header_on_a_decoded_body_is_dropped(tmp_path: Path) -> None:
    headers = {"Content-Type": ["application/json"], "Content-Encoding": ["gzip"]}
    path = cassette_file(tmp_path, interaction("GET", f"{BASE}/x", response="[1]", headers=headers))
    exchange = executor(ReplayTransport(path)).execute(raw_call(Method.GET, "/x"))
    assert exchange.result == Success(b"[1]")
    assert exchange.headers == (("content-type", "application/json"),)


def test_comments_are_provenance_and_do_not_disturb_loading(tmp_path: Path) -> None:
    comment = "# recorded by together_fn against a test\n# second line\n"
    path = cassette_file(tmp_path, interaction("GET", f"{BASE}/models"), comment=comment)
    transport = ReplayTransport(path)
    assert transport.cassette.comments == ("recorded by together_fn against a test", "second line")
    assert executor(transport).run(raw_call(Method.GET, "/models")) == Success(b"{}")


@pytest.mark.parametrize("text", ["interactions: [", "just: text", "[1, 2]", "interactions: [{}]"])
def test_a_file_that_is_not_a_cassette_is_a_cassette_error(tmp_path: Path, text: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    with pytest.raises(CassetteError, match=r"bad\.yaml"):
        ReplayTransport(path)


def test_a_missing_cassette_is_a_cassette_error(tmp_path: Path) -> None:
    with pytest.raises(CassetteError, match="cannot read cassette"):
        ReplayTransport(tmp_path / "nope.yaml")


def test_chunk_size_must_be_positive(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="chunk_size"):
        ReplayTransport(Cassette(), chunk_size=0)


bodies = st.one_of(st.binary(max_size=300), st.text(max_size=300).map(str.encode))


@settings(max_examples=200, deadline=None, derandomize=True, database=None)
@given(request_body=bodies, response_body=bodies, value=st.text(max_size=40))
def test_any_body_survives_a_write_and_a_read(
    request_body: bytes, response_body: bytes, value: str
) -> None:
    cassette = Cassette(
        interactions=(
            Interaction(
                request=RecordedRequest(method="POST", uri=f"{BASE}/x", body=request_body),
                response=RecordedResponse(
                    status=200, message="OK", headers=(("x-v", value),), body=response_body
                ),
            ),
        ),
        comments=("provenance",),
    )
    assert parse_cassette(render_cassette(cassette)) == cassette


# --- streams and async ----------------------------------------------------------------------


@pytest.mark.parametrize("chunk_size", [None, 1, 7])
def test_a_stream_gives_the_same_events_however_it_is_chunked(
    tmp_path: Path, chunk_size: int | None
) -> None:
    transport = ReplayTransport(sse_cassette(tmp_path), chunk_size=chunk_size)
    with executor(transport).stream(chat_stream()) as results:
        items = list(results)
    assert items == [Success(e) for e in EVENTS]
    assert results.exchange is not None
    assert results.exchange.result == Success(None)


def test_byte_by_byte_means_one_byte_per_read(tmp_path: Path) -> None:
    transport = ReplayTransport(sse_cassette(tmp_path), chunk_size=1)
    request = HttpRequest(
        method=Method.POST,
        url=f"{BASE}/chat/completions",
        body=JsonBody(b'{"model":"m","stream":true}'),
    )
    body = transport.open(request)
    pieces = list(iter(body.read, b""))
    body.close()
    assert {len(p) for p in pieces} == {1}
    assert b"".join(pieces) == SSE.encode()
    assert body.head.header("content-type") == "text/event-stream"


@pytest.mark.asyncio
async def test_async_executor_replays_calls_and_streams(tmp_path: Path) -> None:
    path = cassette_file(
        tmp_path,
        interaction("GET", f"{BASE}/models", response="[1, 2]"),
        interaction(
            "POST",
            f"{BASE}/chat/completions",
            body='{"model": "m", "stream": true}',
            response=SSE,
            headers={"Content-Type": ["text/event-stream"]},
        ),
    )
    transport = ReplayTransport(path, chunk_size=3)
    sleeps: list[float] = []

    async def no_sleep(seconds: float) -> None:
        sleeps.append(seconds)

    runner = AsyncExecutor(transport, CONFIG, clock=FIXED, sleep=no_sleep)
    assert await runner.arun(raw_call(Method.GET, "/models")) == Success(b"[1, 2]")
    items = [item async for item in runner.astream(chat_stream())]
    assert items == [Success(e) for e in EVENTS]
    with pytest.raises(CassetteError):
        await runner.arun(raw_call(Method.GET, "/models"))
    await runner.aclose()
    assert sleeps == []


def test_retry_policy_does_not_retry_a_cassette_error(tmp_path: Path) -> None:
    path = cassette_file(tmp_path, interaction("GET", f"{BASE}/models"))
    eager = ClientConfig(api_key="k" * 12, base_url=BASE, retry=RetryPolicy(max_retries=5))
    transport = ReplayTransport(path)
    with pytest.raises(CassetteError):
        Executor(transport, eager, clock=FIXED, sleep=lambda _: None).run(
            raw_call(Method.GET, "/other")
        )
    assert transport.play_counts == (0,)
