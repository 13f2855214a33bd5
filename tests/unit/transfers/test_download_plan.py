"""Downloads decided purely: safe names, header parsing, the resume decision, verification,
and the whole flow driven by hand."""

from __future__ import annotations

import hashlib
import os.path
from collections.abc import Iterable
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from returns.result import Failure

from together_fn.api.files import retrieve_file_content
from together_fn.calls import Call
from together_fn.config import ClientConfig
from together_fn.errors import (
    APIConnectionError,
    DownloadError,
    NotFoundError,
    ServiceUnavailableError,
)
from together_fn.flows import Clock, Read, Send, Sleep
from together_fn.http import HttpRequest, HttpResponseHead, Method
from together_fn.retry import RetryPolicy
from together_fn.transfers.download import (
    LAST_RESORT_NAME,
    MAX_NAME_BYTES,
    Complete,
    ContentRange,
    Refuse,
    Restart,
    Resume,
    Unsuccessful,
    Verification,
    checked_sha256,
    default_name,
    is_within,
    parse_content_disposition,
    parse_content_range,
    plan_response,
    safe_filename,
)
from together_fn.transfers.download_flow import Truncate, Write, download_flow

# --- names ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("data.jsonl", "data.jsonl"),
        ("../../evil", "evil"),
        ("/etc/passwd", "passwd"),
        ("C:\\x", "x"),
        ("C:x.txt", "C_x.txt"),
        ("a\\..\\b", "b"),
        ("dir/", "fallback-id"),
        ("..", "fallback-id"),
        (".", "fallback-id"),
        ("...", "fallback-id"),
        ("", "fallback-id"),
        (None, "fallback-id"),
        ("a\x00b.csv", "ab.csv"),
        ("\x00", "fallback-id"),
        ("line\nbreak\r.txt", "linebreak.txt"),
        ("evil\u202egnp.exe", "evilgnp.exe"),  # a right-to-left override hides the extension
        (".bashrc", "bashrc"),
        ("trailing. . ", "trailing"),
        ("  spaced.txt  ", "spaced.txt"),
        ("résumé.jsonl", "résumé.jsonl"),
        ("e\u0301.txt", "\u00e9.txt"),  # NFC
        ("数据.csv", "数据.csv"),
        ('a<b>c:"d"|e?f*.txt', "a_b_c__d__e_f_.txt"),
        ("CON", "_CON"),
        ("nul.txt", "_nul.txt"),
        ("console.txt", "console.txt"),
    ],
)
def test_safe_filename(name, expected):
    assert safe_filename(name, "fallback-id") == expected


def test_a_hostile_fallback_is_cleaned_too():
    assert safe_filename("..", "../../file-1") == "file-1"
    assert safe_filename(None, "/") == LAST_RESORT_NAME
    assert safe_filename("", "") == LAST_RESORT_NAME


def test_long_names_are_capped_keeping_the_extension():
    name = safe_filename("a" * 1000 + ".jsonl", "f")
    assert len(name.encode()) <= MAX_NAME_BYTES
    assert name.endswith(".jsonl")
    assert name.startswith("aaaa")


def test_long_unicode_names_are_capped_on_a_character_boundary():
    name = safe_filename("é" * 500, "f")
    assert len(name.encode()) <= MAX_NAME_BYTES
    assert set(name) == {"é"}
    assert len(safe_filename("x." + "é" * 300, "f").encode()) <= MAX_NAME_BYTES


@given(st.text(max_size=400), st.text(max_size=50))
def test_any_name_becomes_a_plain_base_name(name, fallback):
    safe = safe_filename(name, fallback)
    assert safe
    assert safe not in (".", "..")
    assert not safe.startswith(".")
    assert not {"/", "\\", "\x00"} & set(safe)
    assert all(ord(ch) >= 32 for ch in safe)
    assert len(safe.encode()) <= MAX_NAME_BYTES
    root = os.path.abspath("/srv/downloads")
    assert is_within(root, os.path.join(root, safe))


@pytest.mark.parametrize(
    ("path", "inside"),
    [
        ("/srv/d/a.txt", True),
        ("/srv/d/sub/a.txt", True),
        ("/srv/d/../a.txt", False),
        ("/srv/d", False),
        ("/srv/d/", False),
        ("/srv/dx/a.txt", False),
        ("/etc/passwd", False),
        ("a.txt", False),
    ],
)
def test_is_within(path, inside):
    assert is_within("/srv/d", path) is inside


def test_is_within_needs_an_absolute_directory():
    assert not is_within("srv/d", "srv/d/a")


@pytest.mark.parametrize(
    ("url", "query", "name"),
    [
        ("/files/file-1/content", (), "file-1"),
        ("/files/a%2Fb/content", (), "a/b"),  # cleaned later by safe_filename
        ("/finetune/download", (("ft_id", "ft-1"), ("checkpoint", "merged")), "ft-1-merged"),
        ("https://cdn.example/x/model.tar.zst", (), "model.tar.zst"),
        ("/download", (), LAST_RESORT_NAME),
    ],
)
def test_default_name(url, query, name):
    assert default_name(HttpRequest(method=Method.GET, url=url, query=query)) == name


# --- headers ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "name"),
    [
        ('attachment; filename="data.jsonl"', "data.jsonl"),
        ("attachment; filename=data.jsonl", "data.jsonl"),
        ("attachment;filename = data.jsonl ", "data.jsonl"),
        ('attachment; filename="a;b.csv"; size=3', "a;b.csv"),
        ('attachment; filename="say \\"hi\\".txt"', 'say "hi".txt'),
        ("attachment; filename*=UTF-8''%E2%82%AC%20rates.csv", "€ rates.csv"),
        ("attachment; FILENAME*=utf-8'en'%C3%A9.txt; filename=\"e.txt\"", "é.txt"),
        ("attachment; filename=\"e.txt\"; filename*=UTF-8''%C3%A9.txt", "é.txt"),
        ("attachment; filename*=nope''%C3%A9.txt; filename=\"e.txt\"", "e.txt"),
        ("attachment; filename*=UTF-8''%FF.txt; filename=\"e.txt\"", "e.txt"),
        ('attachment; filename="../../evil"', "../../evil"),  # parsing does not sanitize
        ("attachment", None),
        ("inline; size=3", None),
        ('attachment; filename=""', None),
        ("", None),
        (None, None),
    ],
)
def test_parse_content_disposition(value, name):
    assert parse_content_disposition(value) == name


@pytest.mark.parametrize(
    ("value", "parsed"),
    [
        ("bytes 0-9/10", ContentRange(start=0, end=9, total=10)),
        ("bytes 100-199/*", ContentRange(start=100, end=199, total=None)),
        (" bytes  5-5/6 ", ContentRange(start=5, end=5, total=6)),
        ("bytes 10-9/20", None),
        ("bytes 0-10/10", None),
        ("bytes */10", None),
        ("items 0-9/10", None),
        ("bytes -1-9/10", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_content_range(value, parsed):
    assert parse_content_range(value) == parsed


# --- the resume decision ------------------------------------------------------------------


def head(status: int, **headers: str) -> HttpResponseHead:
    return HttpResponseHead(
        status=status, headers=tuple((k.replace("_", "-"), v) for k, v in headers.items())
    )


@pytest.mark.parametrize(
    ("asked", "received", "answer", "known", "plan"),
    [
        (0, 0, head(200, content_length="10"), None, Restart(10)),
        (0, 0, head(200), None, Restart(None)),
        (0, 0, head(200), 10, Restart(10)),
        (0, 0, head(200, content_length="10"), 10, Restart(10)),
        (
            0,
            0,
            head(200, content_length="9"),
            10,
            Refuse("the server announced 9 bytes, 10 were expected"),
        ),
        (0, 0, head(200, content_length="99", content_encoding="gzip"), None, Restart(None)),
        (4, 4, head(200, content_length="10"), 10, Restart(10)),
        (4, 4, head(206, content_range="bytes 4-9/10"), 10, Resume(4, 10)),
        (4, 4, head(206, content_range="bytes 4-9/10"), None, Resume(4, 10)),
        (4, 4, head(206, content_range="bytes 4-9/*"), 10, Resume(4, 10)),
        (4, 4, head(206, content_range="bytes 4-6/10"), 10, Resume(4, 10)),
        (
            4,
            4,
            head(206, content_range="bytes 5-9/10"),
            10,
            Refuse("asked for bytes from 4, the server sent 5-9"),
        ),
        (
            4,
            4,
            head(206, content_range="bytes 0-9/10"),
            10,
            Refuse("asked for bytes from 4, the server sent 0-9"),
        ),
        (
            4,
            4,
            head(206, content_range="bytes 4-9/12"),
            10,
            Refuse("the file is now 12 bytes, not 10"),
        ),
        (4, 4, head(206), 10, Refuse("a 206 answer with no valid Content-Range: None")),
        (0, 4, head(206, content_range="bytes 0-9/10"), 10, Resume(0, 10)),
        (10, 10, head(416, content_range="bytes */10"), None, Complete()),
        (10, 10, head(416, content_range="bytes */10"), 10, Complete()),
        (10, 10, head(416, content_range="bytes */12"), None, Unsuccessful()),
        (10, 10, head(416), None, Unsuccessful()),
        (0, 0, head(204), None, Refuse("unexpected status 204 for a download")),
        (0, 0, head(404), None, Unsuccessful()),
        (4, 4, head(503), 10, Unsuccessful()),
    ],
)
def test_plan_response(asked, received, answer, known, plan):
    assert plan_response(asked, received, answer, known) == plan


# --- verification ---------------------------------------------------------------------------

DIGEST = hashlib.sha256(b"hello").hexdigest()


def test_verification():
    assert Verification(size=5, sha256=DIGEST).problem is None
    assert (
        Verification(size=5, sha256=DIGEST, expected_size=5, expected_sha256=DIGEST).problem is None
    )
    assert (
        Verification(size=5, sha256=DIGEST, expected_size=6).problem
        == "received 5 bytes, expected 6"
    )
    wrong = "0" * 64
    assert Verification(size=5, sha256=DIGEST, expected_sha256=wrong).problem == (
        f"sha256 is {DIGEST}, expected {wrong}"
    )


def test_checked_sha256():
    assert checked_sha256(None) is None
    assert checked_sha256(DIGEST.upper()) == DIGEST
    for bad in ("abc", "g" * 64, DIGEST + "0", ""):
        with pytest.raises(ValueError, match="64 hexadecimal"):
            checked_sha256(bad)


# --- the flow, driven by hand ------------------------------------------------------------------

CONFIG = ClientConfig(
    api_key="k-unit",
    base_url="https://api.example/v1",
    retry=RetryPolicy(max_retries=2, jitter=0.0),
)
CLOCK = Clock(monotonic=lambda: 0.0, wall=lambda: 0.0, random=lambda: 0.0)
DATA = bytes(range(256)) * 4  # 1024 bytes


def call() -> Call[bytes]:
    return retrieve_file_content("file-1")


class Script:
    """Drives a download flow: answers each Send with the next scripted response."""

    def __init__(self, answers: Iterable[tuple[HttpResponseHead | APIConnectionError, list[Any]]]):
        self.answers = list(answers)
        self.sent: list[HttpRequest] = []
        self.written = bytearray()
        self.effects: list[Any] = []

    def run(self, **kwargs: Any) -> Any:
        flow = download_flow(call(), CONFIG, CLOCK, **kwargs)
        body: list[Any] = []
        outcome: Any = None
        while True:
            try:
                effect = flow.send(outcome)
            except StopIteration as done:
                return done.value
            self.effects.append(effect)
            outcome = None
            if isinstance(effect, Send):
                self.sent.append(effect.request)
                answer, body = self.answers.pop(0)
                body = list(body)
                outcome = answer
            elif isinstance(effect, Read):
                outcome = body.pop(0) if body else b""
            elif isinstance(effect, Write):
                self.written += effect.data
            elif isinstance(effect, Truncate):
                self.written.clear()

    @property
    def ranges(self) -> list[str | None]:
        return [r.header("range") for r in self.sent]


def cut(message: str = "reset") -> APIConnectionError:
    return APIConnectionError(message=message)


def whole(data: bytes = DATA, **headers: str) -> tuple[HttpResponseHead, list[Any]]:
    return head(200, content_length=str(len(data)), **headers), [data[:500], data[500:]]


def test_a_whole_download_writes_every_byte_once():
    script = Script([whole(content_disposition='attachment; filename="x.jsonl"')])
    result = script.run(sha256=hashlib.sha256(DATA).hexdigest(), expected_size=len(DATA))
    fetched = result.unwrap()
    assert bytes(script.written) == DATA
    assert (fetched.size, fetched.sha256) == (len(DATA), hashlib.sha256(DATA).hexdigest())
    assert fetched.suggested_name == "x.jsonl"
    assert (fetched.resumes, fetched.attempts) == (0, 1)
    request = script.sent[0]
    assert request.url == "https://api.example/v1/files/file-1/content"
    assert request.header("accept-encoding") == "identity"
    assert request.header("authorization") == "Bearer k-unit"
    assert request.header("range") is None
    writes = [e for e in script.effects if isinstance(e, Write)]
    assert [(w.done, w.total) for w in writes] == [(500, 1024), (1024, 1024)]


def test_a_cut_body_is_resumed_from_the_bytes_held():
    script = Script(
        [
            (head(200, content_length="1024"), [DATA[:300], cut()]),
            (head(206, content_range="bytes 300-1023/1024"), [DATA[300:700], b""]),
            (head(206, content_range="bytes 700-1023/1024"), [DATA[700:]]),
        ]
    )
    fetched = script.run().unwrap()
    assert script.ranges == [None, "bytes=300-", "bytes=700-"]
    assert bytes(script.written) == DATA
    assert fetched.resumes == 2
    assert fetched.sha256 == hashlib.sha256(DATA).hexdigest()
    assert not any(isinstance(e, Truncate) for e in script.effects)


def test_a_200_after_a_cut_restarts_from_zero():
    script = Script(
        [
            (head(200, content_length="1024"), [DATA[:300], cut()]),
            whole(),
        ]
    )
    fetched = script.run(sha256=hashlib.sha256(DATA).hexdigest()).unwrap()
    assert script.ranges == [None, "bytes=300-"]
    assert bytes(script.written) == DATA
    assert fetched.size == len(DATA)
    assert sum(isinstance(e, Truncate) for e in script.effects) == 1


def test_a_wrong_content_range_fails_without_writing_more():
    script = Script(
        [
            (head(200, content_length="1024"), [DATA[:300], cut()]),
            (head(206, content_range="bytes 301-1023/1024"), [DATA[301:]]),
        ]
    )
    result = script.run()
    assert isinstance(result, Failure)
    error = result.failure()
    assert isinstance(error, DownloadError)
    assert "asked for bytes from 300, the server sent 301-1023" in str(error)
    assert "/files/file-1/content" in str(error)
    assert len(script.written) == 300


def test_resumes_are_bounded():
    script = Script(
        [(head(200, content_length="1024"), [DATA[:100], cut()])]
        + [
            (head(206, content_range=f"bytes {n}-1023/1024"), [DATA[n : n + 100], cut()])
            for n in (100, 200)
        ]
    )
    result = script.run(max_resumes=2)
    error = result.failure()
    assert isinstance(error, DownloadError)
    assert "connection dropped" in str(error)
    assert "300 of 1024 bytes received, 2 resumes" in str(error)


def test_a_body_shorter_than_announced_is_resumed():
    script = Script(
        [
            (head(200, content_length="1024"), [DATA[:1000], b""]),
            (head(206, content_range="bytes 1000-1023/1024"), [DATA[1000:]]),
        ]
    )
    assert script.run().unwrap().size == 1024
    assert script.ranges == [None, "bytes=1000-"]


def test_more_bytes_than_announced_fail():
    script = Script([(head(200, content_length="10"), [b"x" * 11])])
    error = script.run().failure()
    assert isinstance(error, DownloadError)
    assert "more than the 10 bytes" in str(error)
    assert script.written == b""


def test_a_compressed_body_restarts_instead_of_resuming():
    script = Script(
        [
            (head(200, content_encoding="gzip"), [DATA[:300], cut()]),
            whole(),
        ]
    )
    assert script.run().unwrap().size == 1024
    assert script.ranges == [None, None]
    assert bytes(script.written) == DATA


def test_a_416_at_the_end_means_complete():
    # No length known: the cut could have come after the last byte; the server says so.
    script = Script(
        [
            (head(200), [DATA, cut()]),
            (head(416, content_range="bytes */1024"), []),
        ]
    )
    assert script.run().unwrap().size == 1024


def test_a_cut_after_the_last_announced_byte_is_complete():
    script = Script([(head(200, content_length="1024"), [DATA, cut()])])
    assert script.run().unwrap().resumes == 0
    assert len(script.sent) == 1


def test_verification_failures_are_download_errors():
    script = Script([whole()])
    error = script.run(sha256="0" * 64).failure()
    assert isinstance(error, DownloadError)
    assert "sha256 is" in str(error)
    script = Script([whole()])
    error = script.run(expected_size=1000).failure()
    assert "the server announced 1024 bytes, 1000 were expected" in str(error)


def test_server_errors_are_classified_and_retryable_ones_retried():
    script = Script(
        [
            (head(503), [b'{"error": {"message": "busy"}}']),
            (head(404, x_request_id="r-9"), [b'{"error": {"message": "no such file"}}']),
        ]
    )
    error = script.run().failure()
    assert isinstance(error, NotFoundError)
    assert error.message == "no such file"
    assert error.request_id == "r-9"
    assert error.attempts == 2
    assert [e for e in script.effects if isinstance(e, Sleep)] == [Sleep(0.5)]


def test_retries_are_bounded_by_the_policy():
    script = Script([(head(503), [b"busy"])] * 3)
    error = script.run().failure()
    assert isinstance(error, ServiceUnavailableError)
    assert len(script.sent) == 3


def test_connection_failures_are_retried_then_reported():
    script = Script([(cut("refused"), [])] * 3)
    error = script.run().failure()
    assert isinstance(error, DownloadError)
    assert "the request failed: refused" in str(error)
    assert len(script.sent) == 3


def test_redirects_are_followed_without_the_key_to_another_origin():
    script = Script(
        [
            (head(302, location="https://cdn.example/f?sig=1"), []),
            (head(200, content_length="4"), [b"abcd"]),
        ]
    )
    assert script.run().unwrap().size == 4
    assert script.sent[1].url == "https://cdn.example/f?sig=1"
    assert script.sent[1].header("authorization") is None
    assert script.sent[1].header("accept-encoding") == "identity"


def test_a_resume_after_a_redirect_goes_to_the_new_location():
    script = Script(
        [
            (head(307, location="https://cdn.example/f"), []),
            (head(200, content_length="1024"), [DATA[:10], cut()]),
            (head(206, content_range="bytes 10-1023/1024"), [DATA[10:]]),
        ]
    )
    assert script.run().unwrap().size == 1024
    assert [r.url for r in script.sent[1:]] == ["https://cdn.example/f"] * 2
    assert script.ranges == [None, None, "bytes=10-"]


def test_an_error_body_is_read_only_up_to_a_bound():
    huge = [b"x" * 65536] * 100
    script = Script([(head(400), huge)])
    error = script.run().failure()
    assert len(error.body) == 64 * 1024
