"""HTTP values: header and query helpers, redaction, validation."""

from __future__ import annotations

import json
import math

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from together_fn.http import (
    NO_BODY,
    SECRET_HEADERS,
    FilePart,
    HttpRequest,
    HttpResponse,
    HttpResponseHead,
    JsonBody,
    Method,
    MultipartBody,
    RawBody,
    Timeout,
    header,
    origin,
    redact_headers,
    to_headers,
    to_query,
)


def test_to_headers_lowercases_names_and_stringifies_values() -> None:
    mixed: dict[str, object] = {"Content-Type": "a", "X-Count": 3}
    assert to_headers(mixed) == (  # type: ignore[arg-type]
        ("content-type", "a"),
        ("x-count", "3"),
    )
    assert to_headers([("X-A", "1"), ("x-a", "2")]) == (("x-a", "1"), ("x-a", "2"))
    assert to_headers(None) == ()


def test_header_lookup_is_case_insensitive_and_takes_the_last_value() -> None:
    headers = to_headers([("X-A", "1"), ("Other", "o"), ("x-a", "2")])
    assert header(headers, "X-A") == "2"
    assert header(headers, "missing") is None
    response = HttpResponse(status=200, headers=headers)
    assert response.header("OTHER") == "o"
    assert response.head.header("x-a") == "2"


def test_to_query_drops_none_and_spells_booleans() -> None:
    assert to_query({"limit": 10, "after": None, "stream": True, "echo": False, "q": "a b"}) == (
        ("limit", "10"),
        ("stream", "true"),
        ("echo", "false"),
        ("q", "a b"),
    )
    assert to_query([("a", 1), ("a", 2)]) == (("a", "1"), ("a", "2"))
    assert to_query(None) == ()


def test_full_url_encodes_the_query() -> None:
    request = HttpRequest(method=Method.GET, url="/files", query=to_query({"q": "a b&c", "n": 1}))
    assert request.full_url == "/files?q=a+b%26c&n=1"
    assert HttpRequest(method=Method.GET, url="/files").full_url == "/files"


def test_redact_headers() -> None:
    headers = to_headers(
        {"Authorization": "Bearer sk-1", "Cookie": "c", "X-Api-Key": "k", "Accept": "x"}
    )
    redacted = dict(redact_headers(headers))
    assert redacted == {
        "authorization": "<redacted>",
        "cookie": "<redacted>",
        "x-api-key": "<redacted>",
        "accept": "x",
    }
    assert {"authorization", "proxy-authorization"} <= SECRET_HEADERS


def test_request_repr_hides_secrets_but_equality_sees_them() -> None:
    request = HttpRequest(
        method=Method.POST,
        url="https://api.example.test/v1/x",
        headers=to_headers({"Authorization": "Bearer sk-secret-1", "X-Trace": "t"}),
    )
    shown = repr(request)
    assert "sk-secret-1" not in shown
    assert "X-Trace".lower() in shown
    assert "'POST'" in shown
    other = attrs.evolve(request, headers=to_headers({"Authorization": "Bearer sk-other"}))
    assert request != other


def test_json_body_repr_hides_credential_fields() -> None:
    body = JsonBody(
        json.dumps({"model": "m", "hf_token": "hf_abc", "x": [{"token": "t"}]}).encode()
    )
    request = HttpRequest(method=Method.POST, url="/fine-tunes", body=body)
    assert "hf_abc" not in repr(request)
    assert "'t'" not in repr(body)
    assert '"t"' not in repr(body)
    assert body.json() == {"model": "m", "hf_token": "hf_abc", "x": [{"token": "t"}]}


@given(data=st.binary(max_size=200))
def test_request_repr_never_raises(data: bytes) -> None:
    request = HttpRequest(method=Method.POST, url="/x", body=JsonBody(data))
    assert repr(request).startswith("HttpRequest(")


@pytest.mark.parametrize("data", [b"[" * 100_000, b"[" * 100_000 + b"]" * 100_000])
def test_repr_of_a_deeply_nested_body_does_not_raise(data: bytes) -> None:
    assert repr(HttpRequest(method=Method.POST, url="/x", body=JsonBody(data)))


def test_with_and_without_headers() -> None:
    request = HttpRequest(method=Method.GET, url="/x", headers=(("a", "1"), ("b", "2")))
    assert request.with_headers((("b", "3"), ("c", "4"))).headers == (
        ("a", "1"),
        ("b", "3"),
        ("c", "4"),
    )
    assert request.without_headers(frozenset({"a"})).headers == (("b", "2"),)
    assert request.header("B") == "2"
    assert request.headers == (("a", "1"), ("b", "2"))  # unchanged: a value


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://API.Example.test/v1", ("https", "api.example.test", 443)),
        ("https://api.example.test:443/v1", ("https", "api.example.test", 443)),
        ("http://127.0.0.1:4010", ("http", "127.0.0.1", 4010)),
        ("http://localhost/", ("http", "localhost", 80)),
        ("/relative", ("", "", None)),
    ],
)
def test_origin(url: str, expected: tuple[str, str, int | None]) -> None:
    assert origin(url) == expected


def test_file_part_needs_exactly_one_source() -> None:
    assert FilePart(name="file", filename="a.jsonl", data=b"{}").data == b"{}"
    assert FilePart(name="file", filename="a.jsonl", path="a.jsonl").path == "a.jsonl"
    with pytest.raises(ValueError, match="exactly one"):
        FilePart(name="file", filename="a.jsonl")
    with pytest.raises(ValueError, match="exactly one"):
        FilePart(name="file", filename="a.jsonl", path="a.jsonl", data=b"")


def test_multipart_body_is_a_value() -> None:
    part = FilePart(name="file", filename="a.jsonl", data=b"{}")
    body = MultipartBody(fields=(("purpose", "fine-tune"),), files=(part,))
    assert body == MultipartBody(fields=(("purpose", "fine-tune"),), files=(part,))
    assert hash(body) == hash(MultipartBody(fields=(("purpose", "fine-tune"),), files=(part,)))


@pytest.mark.parametrize(
    ("connect", "read"),
    [(0, 1), (1, 0), (-1, 1), (1, -0.5), (math.nan, 1), (1, math.nan), (1, math.inf)],
)
def test_timeout_validation(connect: float, read: float) -> None:
    with pytest.raises(ValueError, match="timeouts"):
        Timeout(connect=connect, read=read)


def test_timeout_defaults() -> None:
    assert Timeout() == Timeout(connect=5.0, read=600.0)
    assert Timeout(connect=0.001, read=1e6).read == 1e6


def test_bodies_and_methods() -> None:
    assert HttpRequest(method=Method.GET, url="/x").body is NO_BODY
    assert RawBody(b"x").content_type == "application/octet-stream"
    assert Method("DELETE") is Method.DELETE
    assert str(Method.PATCH) == "PATCH"


def test_response_head_drops_only_the_body() -> None:
    response = HttpResponse(status=201, headers=(("x", "1"),), body=b"{}", url="https://a.test/")
    assert response.head == HttpResponseHead(
        status=201, headers=(("x", "1"),), url="https://a.test/"
    )
