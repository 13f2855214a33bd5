"""Decode what the real API returned for images and rerank, and the spec's own examples.

The payloads live beside the project in ``../shared/reference/real-responses/`` (override the
folder with ``TOGETHER_REFERENCE_DIR``, the spec with ``TOGETHER_OPENAPI_SPEC``); they are read
from there, never copied in. Every JSON file of ``images/`` and ``rerank/`` is decoded: 2xx into
the response models, errors through :func:`classify`.
"""

from __future__ import annotations

import base64
import functools
import json
from pathlib import Path
from typing import Any

import attrs
import pytest
import yaml

from tests.reference import reference_dir, spec_path
from together_fn.api._build import RequestOptions
from together_fn.api.images import generate_image
from together_fn.api.models import list_jobs, list_models, retrieve_job, upload_model
from together_fn.api.rerank import create_rerank
from together_fn.calls import Call, interpret, rate_limit_of
from together_fn.codec import decode_value, encode_json
from together_fn.errors import (
    AuthenticationError,
    BadRequestError,
    NotFoundError,
    PaymentRequiredError,
    RateLimitError,
    classify,
)
from together_fn.http import HttpResponse, to_headers
from together_fn.models.images import (
    ImageRequest,
    ImageResponse,
    ImageResponseDataB64,
    ImageResponseDataUrl,
)
from together_fn.models.models import (
    JobInfoSuccessResponse,
    JobsInfoSuccessResponse,
    ModelInfo,
    ModelUploadSuccessResponse,
)
from together_fn.models.rerank import RerankDocument, RerankResponse

REAL = reference_dir() / "real-responses"
AREAS = ("images", "rerank")
JPEG_START = b"\xff\xd8\xff"
TRUNCATION_MARKER = "...<truncated by corpus builder"
ERROR_CLASSES = {
    400: BadRequestError,
    401: AuthenticationError,
    402: PaymentRequiredError,
    404: NotFoundError,
    429: RateLimitError,
}
IMAGE_FIELDS = frozenset(a.name for a in attrs.fields(ImageRequest))


def _payloads() -> list[Any]:
    if not REAL.is_dir():
        reason = f"real responses not found at {REAL} (set TOGETHER_REFERENCE_DIR)"
        return [pytest.param(None, marks=pytest.mark.skip(reason=reason), id="missing")]
    files = sorted(path for area in AREAS for path in (REAL / area).glob("*.json"))
    return [pytest.param(path, id=f"{path.parent.name}/{path.name}") for path in files]


PAYLOADS = _payloads()


def _load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def _response(recorded: dict[str, Any]) -> HttpResponse:
    response = recorded["response"]
    return HttpResponse(
        status=response["status"],
        headers=to_headers(response["headers"]),
        body=json.dumps(response["body"]).encode(),
    )


def _image_call(body: dict[str, Any] | None) -> Call[ImageResponse]:
    """The builder's Call for a recorded request (unknown keys go through ``extra_body``)."""
    body = dict(body or {})
    known = {k: v for k, v in body.items() if k in IMAGE_FIELDS}
    extra = {k: v for k, v in body.items() if k not in known}
    known.setdefault("model", "stabilityai/stable-diffusion-xl-base-1.0")
    return generate_image(**known, options=RequestOptions(extra_body=extra or None))


def test_the_corpus_is_there():
    if not REAL.is_dir():
        pytest.skip(f"real responses not found at {REAL} (set TOGETHER_REFERENCE_DIR)")
    found = {area: len(list((REAL / area).glob("*.json"))) for area in AREAS}
    assert found["images"] >= 1
    assert found["rerank"] >= 1


@pytest.mark.parametrize("path", PAYLOADS)
def test_every_payload_decodes(path: Path):
    recorded = _load(path)
    status = recorded["response"]["status"]
    if status >= 400:
        _check_error(recorded)
    elif path.parent.name == "images":
        _check_image(recorded)
    else:
        _check_rerank(recorded)


def _check_error(recorded: dict[str, Any]) -> None:
    response = _response(recorded)
    expected = recorded["response"]["body"]["error"]
    error = classify(response)
    assert type(error) is ERROR_CLASSES[response.status]
    assert error.status == response.status
    assert error.message == expected["message"]
    assert error.type == expected.get("type")
    assert error.param == expected.get("param")
    assert error.code == expected.get("code")
    # The same answer to a Call is the same error value.
    call = _image_call(recorded["request"]["body"])
    assert interpret(call, response).failure() == error


def _check_image(recorded: dict[str, Any]) -> None:
    sent = recorded["request"]["body"]
    call = _image_call(sent)
    # The builder reproduces what the recording client sent.
    assert call.request.body.json() == sent  # type: ignore[union-attr]

    response = _response(recorded)
    body = recorded["response"]["body"]
    decoded = interpret(call, response).unwrap()
    assert isinstance(decoded, ImageResponse)
    assert (decoded.id, decoded.model, decoded.object) == (body["id"], body["model"], "list")
    assert len(decoded.data) == len(body["data"]) >= 1
    for item, raw in zip(decoded.data, body["data"], strict=True):
        assert isinstance(item, ImageResponseDataB64)  # no "type" tag: told apart by key
        assert item.index == raw["index"]
        assert item.b64_json == raw["b64_json"]
        assert item.timings is not None
        assert item.timings.inference == raw["timings"]["inference"] > 0
        assert item.b64_json.startswith("/9j/")  # base64 of a JPEG's first bytes
        _check_image_bytes(item)

    headers = recorded["response"]["headers"]
    limits = rate_limit_of(response.headers)
    assert limits.limit == _int_or_none(headers.get("x-ratelimit-limit"))
    assert limits.remaining == _int_or_none(headers.get("x-ratelimit-remaining"))


def _check_image_bytes(item: ImageResponseDataB64) -> None:
    if TRUNCATION_MARKER in item.b64_json:
        # The corpus cut these short; what is left before the marker is still a JPEG's start.
        with pytest.raises(ValueError, match=f"image {item.index} is not valid base64"):
            item.decode()
        kept = item.b64_json.split(TRUNCATION_MARKER)[0]
        prefix = base64.b64decode(kept[: len(kept) // 4 * 4])
        assert prefix.startswith(JPEG_START)
    else:
        data = item.decode()
        assert data.startswith(JPEG_START)
        assert len(data) == len(item.b64_json) // 4 * 3 - item.b64_json[-2:].count("=")


def _int_or_none(value: str | None) -> int | None:
    return None if value is None else int(value)


def _check_rerank(recorded: dict[str, Any]) -> None:
    # The recording kept no request; this is the request its test replays it for.
    documents = [f"document {i}" for i in range(6)]
    call = create_rerank(
        model="Salesforce/Llama-Rank-v1",
        query="rainy day",
        documents=documents,
        top_n=2,
        return_documents=False,
    )
    body = recorded["response"]["body"]
    decoded = interpret(call, _response(recorded)).unwrap()
    assert isinstance(decoded, RerankResponse)
    assert (decoded.id, decoded.object, decoded.model) == (body["id"], "rerank", body["model"])
    assert [(r.index, r.relevance_score) for r in decoded.results] == [
        (r["index"], r["relevance_score"]) for r in body["results"]
    ]
    # ``document`` comes back as ``{}`` when documents are not returned.
    assert all(r.document == RerankDocument(text=None) for r in decoded.results)
    assert decoded.usage is not None
    assert (
        decoded.usage.prompt_tokens,
        decoded.usage.completion_tokens,
        decoded.usage.total_tokens,
    ) == (
        body["usage"]["prompt_tokens"],
        body["usage"]["completion_tokens"],
        body["usage"]["total_tokens"],
    )
    assert decoded.usage.completion_tokens == 0
    assert decoded.ranked(documents) == tuple(documents[r["index"]] for r in body["results"])


def test_the_recorded_rerank_is_the_one_the_index_describes():
    path = REAL / "rerank" / "vercel-ai-llama-rank-v1-json-ogs6zt9-62bzhn.json"
    if not path.exists():
        pytest.skip(f"recorded rerank response not found at {path}")
    results = decode_value(_load(path)["response"]["body"], RerankResponse).unwrap().results
    assert [r.index for r in results] == [0, 5]
    assert results[0].relevance_score == pytest.approx(0.6475887154399037)
    assert results[0].relevance_score > results[1].relevance_score


# The spec's own examples, assembled the way a mock server serves them: a schema's
# ``example`` where it has one, otherwise one built from its properties' examples.


@functools.cache
def _spec() -> dict[str, Any]:
    if not spec_path().exists():
        pytest.skip(
            f"Together's OpenAPI spec not found at {spec_path()} (set TOGETHER_OPENAPI_SPEC)"
        )
    with spec_path().open(encoding="utf-8") as handle:
        loaded: dict[str, Any] = yaml.load(
            handle, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        )
    return loaded


def _schema(name: str) -> dict[str, Any]:
    schema: dict[str, Any] = _spec()["components"]["schemas"][name]
    return schema


PLACEHOLDERS: dict[str, Any] = {"string": "string", "integer": 0, "number": 0.5, "boolean": True}


def _example(schema: dict[str, Any], branch: int = 0) -> Any:
    if "example" in schema:
        return schema["example"]
    if "$ref" in schema:
        return _example(_schema(schema["$ref"].rsplit("/", 1)[1]), branch)
    if "const" in schema:
        return schema["const"]
    for key in ("oneOf", "anyOf"):
        if key in schema:
            options = schema[key]
            return _example(options[min(branch, len(options) - 1)], branch)
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        return {k: _example(v, branch) for k, v in schema.get("properties", {}).items()}
    if kind == "array":
        return [_example(schema["items"], branch)]
    return PLACEHOLDERS[str(kind)]


def test_spec_example_of_rerank_response():
    example = _example(_schema("RerankResponse"))
    decoded = decode_value(example, RerankResponse).unwrap()
    assert decoded.id == example["id"]
    assert [(r.index, r.relevance_score) for r in decoded.results] == [
        (r["index"], r["relevance_score"]) for r in example["results"]
    ]
    # Object documents come back as their JSON text.
    first = decoded.results[0].document
    assert first is not None
    assert first.text is not None
    assert (
        json.loads(first.text)["title"]
        == json.loads(example["results"][0]["document"]["text"])["title"]
    )
    assert json.loads(encode_json(decoded)) == example


@pytest.mark.parametrize(
    ("branch", "item_type"), [(0, ImageResponseDataB64), (1, ImageResponseDataUrl)]
)
def test_spec_example_of_image_response(branch, item_type):
    example = _example(_schema("ImageResponse"), branch)
    decoded = decode_value(example, ImageResponse).unwrap()
    assert isinstance(decoded.data[0], item_type)
    assert decoded.data[0].type == example["data"][0]["type"]
    assert json.loads(encode_json(decoded)) == example


def test_spec_example_of_model_list():
    response = _spec()["paths"]["/models"]["get"]["responses"]["200"]
    example = _example(response["content"]["application/json"]["schema"])
    decoded = interpret(list_models(), HttpResponse(status=200, body=json.dumps(example).encode()))
    models = decoded.unwrap()
    assert [m.id for m in models] == [e["id"] for e in example]
    model = models[0]
    assert isinstance(model, ModelInfo)
    assert (model.created, model.type, model.context_length) == (
        example[0]["created"],
        example[0]["type"],
        example[0]["context_length"],
    )
    assert model.pricing is not None
    assert model.pricing.input == example[0]["pricing"]["input"]
    assert json.loads(encode_json(model)) == example[0]


@pytest.mark.parametrize(
    ("schema", "call", "model"),
    [
        (
            "ModelUploadSuccessResponse",
            upload_model(model_name="m", model_source="s"),
            ModelUploadSuccessResponse,
        ),
        ("JobInfoSuccessResponse", retrieve_job(job_id="job-1"), JobInfoSuccessResponse),
        ("JobsInfoSuccessResponse", list_jobs(), JobsInfoSuccessResponse),
    ],
)
def test_spec_examples_of_upload_and_jobs(schema, call, model):
    example = _example(_schema(schema))
    decoded = interpret(call, HttpResponse(status=200, body=json.dumps(example).encode())).unwrap()
    assert isinstance(decoded, model)
    assert json.loads(encode_json(decoded)) == example


def test_spec_example_job_is_finished():
    example = _example(_schema("JobInfoSuccessResponse"))
    job = decode_value(example, JobInfoSuccessResponse).unwrap()
    assert job.job_id == example["job_id"]
    assert job.status == example["status"] == "Complete"
    assert job.is_finished
    assert job.args is not None
    assert job.args.model_name == example["args"]["modelName"]
