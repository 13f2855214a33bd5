"""Pure rendering: tables, JSON, requests, error lines, secrets, and each command's view."""

from __future__ import annotations

import base64
import json

import pytest
from returns.result import Success

from together_fn.cli import chat, completions, embeddings, images, models, rerank
from together_fn.cli.output import (
    REDACTED,
    error_line,
    render_request,
    render_request_json,
    scrub,
    shorten,
    table,
    to_json,
    to_json_line,
)
from together_fn.codec import decode_json
from together_fn.config import ClientConfig, prepare
from together_fn.errors import APIConnectionError, BadRequestError
from together_fn.executors.cassette import CassetteError
from together_fn.models.chat import ChatCompletionChunk, ChatCompletionResponse
from together_fn.models.completions import CompletionChunk, CompletionResponse
from together_fn.models.embeddings import EmbeddingsResponse
from together_fn.models.images import ImageResponse
from together_fn.models.models import ModelInfoList, ModelUploadSuccessResponse, Pricing
from together_fn.models.rerank import RerankResponse

KEY = "tk-output-test-4b1d9e7c2a"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 8


def decoded(payload: object, cls):
    result = decode_json(json.dumps(payload).encode(), cls)
    assert isinstance(result, Success), result
    return result.unwrap()


# --- generic helpers ------------------------------------------------------------------------


def test_table_aligns_columns_and_shows_none_as_dash():
    text = table(("id", "n"), [("a", 1), ("longer", None)])
    assert text.splitlines() == ["id      n", "a       1", "longer  -"]


def test_table_flattens_line_breaks_and_rejects_ragged_rows():
    assert table(("x",), [("two\nlines",)]).splitlines()[1] == "two lines"
    with pytest.raises(ValueError, match="2 cells"):
        table(("x",), [(1, 2)])


def test_shorten():
    assert shorten("a  b\nc", 10) == "a b c"
    assert shorten("abcdefghij", 5) == "abcd…"


def test_json_of_a_model_drops_nothing_it_holds():
    response = decoded({"data": [{"b64_json": "AA==", "index": 0}]}, ImageResponse)
    data = json.loads(to_json(response))
    assert data["data"][0]["b64_json"] == "AA=="
    assert "\n" not in to_json_line(response)


def test_a_request_is_printed_with_the_key_redacted():
    from together_fn import api

    call = api.embeddings.create_embeddings(model="e", input="hi")
    request = prepare(call.request, ClientConfig(api_key=KEY))
    text = render_request(request)
    assert text.splitlines()[0] == "POST https://api.together.ai/v1/embeddings"
    assert f"authorization: {REDACTED}" in text.splitlines()
    assert KEY not in text
    assert json.loads(text.split("\n\n", 1)[1]) == {"model": "e", "input": "hi"}
    as_json = json.loads(render_request_json(request))
    assert as_json["method"] == "POST"
    assert as_json["headers"]["authorization"] == REDACTED
    assert KEY not in render_request_json(request)


def test_a_request_without_a_body_ends_at_the_headers():
    from together_fn import api

    request = prepare(api.models.list_models().request, ClientConfig(api_key=KEY))
    assert "\n\n" not in render_request(request)


def test_error_line_is_one_line_with_status_type_message_and_request_id():
    error = BadRequestError(
        status=400,
        type="invalid_request_error",
        message="top_p must be\nat most 1",
        request_id="req-123",
    )
    line = error_line(error)
    assert "\n" not in line
    assert line.startswith("error: BadRequestError: 400")
    for part in ("invalid_request_error", "top_p must be at most 1", "req-123"):
        assert part in line
    assert error_line(CassetteError(message="")) == "error: CassetteError"
    assert error_line(APIConnectionError(message="refused")).startswith(
        "error: APIConnectionError: "
    )


def test_scrub_replaces_every_secret_longest_first():
    assert scrub(f"key={KEY} again {KEY}", {KEY}) == f"key={REDACTED} again {REDACTED}"
    assert scrub("abcdef", {"abc", "abcdef"}) == REDACTED
    assert scrub("nothing", {""}) == "nothing"


# --- what each command shows ----------------------------------------------------------------


def test_chat_render_one_choice_and_several():
    one = decoded(
        {"choices": [{"index": 0, "message": {"role": "assistant", "content": "Hi!"}}]},
        ChatCompletionResponse,
    )
    assert chat.render(one) == "Hi!"
    two = decoded(
        {
            "choices": [
                {"index": 1, "message": {"role": "assistant", "content": "B"}},
                {"index": 0, "message": {"role": "assistant", "content": "A"}},
            ]
        },
        ChatCompletionResponse,
    )
    assert chat.render(two) == "[choice 0]\nA\n\n[choice 1]\nB"


def test_chat_chunk_text():
    chunk = decoded(
        {"choices": [{"index": 0, "delta": {"content": "Hel"}}, {"index": 1, "delta": {}}]},
        ChatCompletionChunk,
    )
    assert chat.render_chunk(chunk) == "Hel"


def test_completion_render_and_both_chunk_shapes():
    response = decoded({"choices": [{"index": 0, "text": " upon a time"}]}, CompletionResponse)
    assert completions.render(response) == " upon a time"
    with_text = decoded({"choices": [{"index": 0, "text": "up"}]}, CompletionChunk)
    with_delta = decoded({"choices": [{"index": 0, "delta": {"content": "on"}}]}, CompletionChunk)
    assert completions.render_chunk(with_text) + completions.render_chunk(with_delta) == "upon"


def test_embeddings_table():
    response = decoded(
        {
            "model": "e",
            "data": [
                {"index": 1, "embedding": [0.0, 1.0]},
                {"index": 0, "embedding": [3.0, 4.0, 0.0, 0.0, 0.0]},
            ],
        },
        EmbeddingsResponse,
    )
    lines = embeddings.render(response).splitlines()
    assert lines[0] == "2 vector(s) from e"
    assert lines[1].split() == ["index", "dimensions", "norm", "first", "values"]
    assert lines[2].split() == ["0", "5", "5.0000", "3.0000", "4.0000", "0.0000", "0.0000", "…"]
    assert lines[3].split() == ["1", "2", "1.0000", "0.0000", "1.0000"]


def test_rerank_table_uses_echoed_or_own_documents():
    response = decoded(
        {
            "results": [
                {"index": 1, "relevance_score": 0.9, "document": {"text": "echoed"}},
                {"index": 0, "relevance_score": 0.1},
            ]
        },
        RerankResponse,
    )
    lines = rerank.render(response, ("mine", "not used")).splitlines()
    assert lines[1].split() == ["1", "1", "0.9000", "echoed"]
    assert lines[2].split() == ["2", "0", "0.1000", "mine"]


def test_image_files_are_named_from_prefix_and_position_with_a_sniffed_extension():
    jpeg = b"\xff\xd8\xff\xe0" + b"\x00" * 4
    response = decoded(
        {
            "data": [
                {"index": 0, "b64_json": base64.b64encode(PNG).decode()},
                {"index": 1, "url": "https://example.invalid/i.png"},
                {"index": 2, "b64_json": base64.b64encode(jpeg).decode()},
            ]
        },
        ImageResponse,
    )
    planned = images.files(response, "out", "cat-")
    assert [(f.path, f.data) for f in planned] == [("out/cat-0.png", PNG), ("out/cat-2.jpg", jpeg)]
    assert images.render(response, "out", "cat-").splitlines() == [
        "out/cat-0.png",
        "https://example.invalid/i.png",
        "out/cat-2.jpg",
    ]


def test_image_extensions():
    assert images.extension(b"RIFF\x00\x00\x00\x00WEBPVP8 ") == "webp"
    assert images.extension(b"GIF89a...") == "gif"
    assert images.extension(b"????") == "bin"


def test_models_list_filters_sorts_and_tabulates():
    catalogue = decoded(
        [
            {
                "id": "z/chat",
                "type": "chat",
                "context_length": 8192,
                "pricing": {"input": 0.88, "output": 0.88},
            },
            {"id": "a/image", "type": "image", "pricing": {"base": 0.01}},
            {"id": "b/chat", "type": "Chat"},
        ],
        ModelInfoList,
    )
    chats = models.select(catalogue, "chat")
    assert [m.id for m in chats] == ["b/chat", "z/chat"]
    lines = models.render_list(chats).splitlines()
    assert lines[0].split()[:3] == ["id", "type", "context"]
    assert lines[1].split() == ["b/chat", "Chat", "-", "-"]
    assert lines[2].split() == ["z/chat", "chat", "8192", "0.88", "in", "/", "0.88", "out"]
    assert lines[-1] == "2 models"
    assert [m.id for m in models.select(catalogue, None)] == ["a/image", "b/chat", "z/chat"]


def test_prices():
    assert models.price(None) is None
    assert models.price(Pricing()) is None
    assert models.price(Pricing(hourly=2.5)) == "2.5/hour"
    assert models.price(Pricing(input=0.2, base=1)) == "0.2 in / 0 out, 1 base"


def test_models_upload_shows_the_job():
    response = decoded(
        {
            "data": {"job_id": "job-1", "model_name": "mine", "model_id": "", "model_source": "s"},
            "message": "processing",
        },
        ModelUploadSuccessResponse,
    )
    assert models.render_upload(response).splitlines() == [
        "job id: job-1",
        "model: mine",
        "source: s",
        "processing",
    ]
