"""Uploads, pure: the plan, signed-URL checks, the resumable state, builders and the flow
driven by hand (no sockets, no files read)."""

from __future__ import annotations

import json
from collections.abc import Callable, Generator
from typing import Any
from urllib.parse import parse_qsl

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st
from returns.result import Failure, Success

from together_fn.config import ClientConfig
from together_fn.errors import APIConnectionError, APIError, InternalServerError
from together_fn.flows import Clock, Send, Sleep
from together_fn.http import FileRangeBody, HttpRequest, HttpResponse, Method, RawBody
from together_fn.models.files import FileResponse
from together_fn.retry import RetryPolicy
from together_fn.transfers.upload import (
    GIB,
    MIB,
    MULTIPART_THRESHOLD,
    CompletedPart,
    LocalFile,
    MultipartUpload,
    PartRange,
    Resume,
    StartOver,
    UploadPart,
    UploadState,
    abort_multipart_upload,
    check_target,
    complete_multipart_upload,
    initiate_multipart_upload,
    missing_parts,
    plan_upload,
    preprocess_file,
    progress_of,
    put_file_part,
    record_part,
    resume_or_start,
    start_file_upload,
    state_from_json,
    state_to_json,
)
from together_fn.transfers.upload_flow import Persist, Report, RunParts, part_flow, upload_flow

KEY = "tk-unit-0123456789abcdef"
CONFIG = ClientConfig(
    api_key=KEY, base_url="https://api.together.ai/v1", retry=RetryPolicy(max_retries=2)
)
CLOCK = Clock(monotonic=lambda: 0.0, wall=lambda: 0.0, random=lambda: 0.0)

# --- plan ----------------------------------------------------------------------------------


def test_files_up_to_the_threshold_go_in_one_put() -> None:
    plan = plan_upload(MULTIPART_THRESHOLD)
    assert not plan.multipart
    assert plan.parts == (PartRange(part_number=1, offset=0, length=MULTIPART_THRESHOLD),)


def test_files_above_the_threshold_go_in_parts_of_about_250_mib() -> None:
    plan = plan_upload(MULTIPART_THRESHOLD + 1)
    assert plan.multipart
    assert len(plan.parts) == 21  # 5 GiB + 1 byte in parts of at most 250 MiB
    assert max(p.length for p in plan.parts) <= 250 * MIB


def test_the_part_count_is_capped_with_larger_parts() -> None:
    plan = plan_upload(100 * GIB, max_parts=250)
    assert len(plan.parts) == 250
    assert plan.part_size == -(-100 * GIB // 250)


@given(
    size=st.integers(min_value=1, max_value=10**7),
    threshold=st.integers(min_value=0, max_value=10**6),
    part_size=st.integers(min_value=1, max_value=10**6),
    max_parts=st.integers(min_value=1, max_value=300),
)
def test_parts_cover_the_file_exactly(
    size: int, threshold: int, part_size: int, max_parts: int
) -> None:
    plan = plan_upload(
        size, multipart_threshold=threshold, part_size=part_size, max_parts=max_parts
    )
    assert plan.multipart == (size > threshold)
    assert [p.part_number for p in plan.parts] == list(range(1, len(plan.parts) + 1))
    assert plan.parts[0].offset == 0
    for before, after in zip(plan.parts, plan.parts[1:], strict=False):
        assert after.offset == before.offset + before.length
    assert plan.parts[-1].offset + plan.parts[-1].length == size
    assert all(0 < p.length <= plan.part_size for p in plan.parts)
    if plan.multipart:
        assert len(plan.parts) <= max_parts


@pytest.mark.parametrize(
    "arguments", [{"size": -1}, {"size": 1, "part_size": 0}, {"size": 1, "max_parts": 0}]
)
def test_a_plan_needs_sensible_sizes(arguments: dict[str, int]) -> None:
    with pytest.raises(ValueError, match="must"):
        plan_upload(**arguments)


# --- signed URLs ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "https://bucket.s3.us-west-2.amazonaws.com/file?X-Amz-Signature=abc",
        "https://storage.googleapis.com/b/o",
        "https://8.8.8.8/x",
        "https://[2606:4700:4700::1111]/x",
        "https://localhost.example.com/x",
    ],
)
def test_public_https_targets_are_allowed(url: str) -> None:
    assert check_target(url) is None


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://bucket.s3.amazonaws.com/x", "not https"),
        ("ftp://bucket.example.com/x", "absolute http"),
        ("/relative/path", "absolute http"),
        ("https://localhost/x", "localhost"),
        ("https://LOCALHOST./x", "localhost"),
        ("https://api.localhost:8443/x", "localhost"),
        ("https://127.0.0.1/x", "loopback"),
        ("https://127.9.9.9:9000/x", "loopback"),
        ("https://10.1.2.3/x", "private"),
        ("https://172.16.0.1/x", "private"),
        ("https://192.168.1.10/x", "private"),
        ("https://169.254.169.254/latest/meta-data", "loopback, private"),
        ("https://0.0.0.0/x", "loopback, private"),
        ("https://[::1]/x", "loopback"),
        ("https://[::]/x", "loopback, private"),
        ("https://[fe80::1]/x", "loopback, private"),
        ("https://[fd00::1]/x", "private"),
        ("https://[::ffff:127.0.0.1]/x", "loopback"),
        ("https://[::ffff:10.0.0.1]/x", "private"),
        ("https://127.1/x", "numeric"),
        ("https://2130706433/x", "numeric"),
        ("https://0x7f.0.0.1/x", "numeric"),
    ],
)
def test_unsafe_targets_are_refused(url: str, reason: str) -> None:
    refused = check_target(url)
    assert refused is not None
    assert reason in refused


def test_insecure_targets_pass_only_when_allowed() -> None:
    assert check_target("http://127.0.0.1:8080/bucket/x") is not None
    assert check_target("http://127.0.0.1:8080/bucket/x", allow_insecure=True) is None
    assert check_target("ftp://127.0.0.1/x", allow_insecure=True) is not None


# --- state ---------------------------------------------------------------------------------

LOCAL = LocalFile(
    path="/data/train.jsonl",
    file_name="train.jsonl",
    file_type="jsonl",
    size=2500,
    mtime_ns=1_700_000_000_123_456_789,
)
UPLOAD = MultipartUpload(
    upload_id="up-1",
    file_id="file-1",
    parts=tuple(
        UploadPart(part_number=n, url=f"https://s3.example.com/p{n}?sig=secret{n}")
        for n in (1, 2, 3)
    ),
)
STATE = UploadState(file=LOCAL, purpose="fine-tune", part_size=1000, upload=UPLOAD)


def test_state_survives_a_json_round_trip() -> None:
    state = record_part(
        attrs.evolve(
            STATE,
            upload=attrs.evolve(
                UPLOAD,
                parts=(
                    UploadPart(part_number=1, url="https://s/1", headers={"x-amz-acl": "private"}),
                    *UPLOAD.parts[1:],
                ),
            ),
        ),
        CompletedPart(part_number=2, etag='"e2"'),
    )
    data = state_to_json(state)
    assert json.loads(data)["done"] == [{"part_number": 2, "etag": '"e2"'}]
    assert state_from_json(data) == state


@pytest.mark.parametrize(
    "data",
    [b"", b"not json", b"{}", b'{"format": "something-else/9"}', b"[1, 2]"],
)
def test_unusable_state_reads_as_none(data: bytes) -> None:
    assert state_from_json(data) is None


def test_state_from_another_format_version_is_ignored() -> None:
    other = json.loads(state_to_json(STATE))
    other["format"] = "together-fn-upload/2"
    assert state_from_json(json.dumps(other).encode()) is None


def test_signed_urls_never_show_in_a_repr() -> None:
    assert "secret" not in repr(STATE)


def test_a_matching_state_is_resumed() -> None:
    assert resume_or_start(STATE, LOCAL, purpose="fine-tune", multipart=True) == Resume(STATE)
    assert resume_or_start(None, LOCAL, purpose="fine-tune", multipart=True) == StartOver()


@pytest.mark.parametrize(
    "change",
    [
        {"mtime_ns": LOCAL.mtime_ns + 1},
        {"size": 2501},
        {"path": "/data/other.jsonl"},
    ],
)
def test_a_changed_file_starts_over(change: dict[str, Any]) -> None:
    local = attrs.evolve(LOCAL, **change)
    decision = resume_or_start(STATE, local, purpose="fine-tune", multipart=True)
    assert decision == StartOver(stale=STATE)


def test_other_purposes_layouts_and_single_uploads_start_over() -> None:
    assert resume_or_start(STATE, LOCAL, purpose="eval", multipart=True) == StartOver(STATE)
    assert resume_or_start(STATE, LOCAL, purpose="fine-tune", multipart=False) == StartOver(STATE)
    odd = attrs.evolve(STATE, part_size=500)  # six parts expected, three known
    assert resume_or_start(odd, LOCAL, purpose="fine-tune", multipart=True) == StartOver(odd)
    broken = attrs.evolve(STATE, part_size=0)
    assert resume_or_start(broken, LOCAL, purpose="fine-tune", multipart=True) == StartOver(broken)


def test_a_hash_mismatch_starts_over() -> None:
    hashed = attrs.evolve(STATE, file=attrs.evolve(LOCAL, sha256="a" * 64))
    local = attrs.evolve(LOCAL, sha256="b" * 64)
    assert resume_or_start(hashed, local, purpose="fine-tune", multipart=True) == StartOver(hashed)


def test_missing_parts_and_progress_follow_the_done_parts() -> None:
    state = record_part(STATE, CompletedPart(part_number=3, etag="c"))
    state = record_part(state, CompletedPart(part_number=1, etag="a"))
    state = record_part(state, CompletedPart(part_number=1, etag="a2"))  # re-sent: replaced
    assert [p.part_number for p in state.done] == [1, 3]
    assert state.done[0].etag == "a2"
    assert [p.part_number for p in missing_parts(state)] == [2]
    assert progress_of(state, "part", 1).bytes_sent == 1000 + 500
    assert progress_of(state, "part").total_bytes == 2500


# --- builders ------------------------------------------------------------------------------


def test_start_file_upload_posts_a_form() -> None:
    request = start_file_upload(
        file_name="train.jsonl", file_type="jsonl", sha256="ab" * 32, file_size=12
    )
    assert request.method is Method.POST
    assert request.url == "/files"
    assert isinstance(request.body, RawBody)
    assert request.body.content_type == "application/x-www-form-urlencoded"
    assert dict(parse_qsl(request.body.data.decode())) == {
        "purpose": "fine-tune",
        "file_name": "train.jsonl",
        "file_type": "jsonl",
        "sha256": "ab" * 32,
        "file_size": "12",
    }


@pytest.mark.parametrize(
    "arguments",
    [
        {"file_name": "a.jsonl", "file_type": "txt"},
        {"file_name": "a.jsonl", "file_type": "jsonl", "purpose": "training"},
        {"file_name": "", "file_type": "jsonl"},
    ],
)
def test_start_file_upload_is_strict(arguments: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="must"):
        start_file_upload(**arguments)


def test_put_file_part_streams_a_range_to_an_absolute_url() -> None:
    request = put_file_part(
        "https://s3.example.com/p?sig=1",
        path="/data/train.jsonl",
        offset=1000,
        length=500,
        headers={"X-Amz-Meta-Part": "2"},
    )
    assert request == HttpRequest(
        method=Method.PUT,
        url="https://s3.example.com/p?sig=1",
        headers=(("content-type", "application/octet-stream"), ("x-amz-meta-part", "2")),
        body=FileRangeBody(path="/data/train.jsonl", offset=1000, length=500),
    )
    with pytest.raises(ValueError, match="absolute"):
        put_file_part("/files/x", path="/data/train.jsonl", length=1)
    with pytest.raises(ValueError, match="negative"):
        FileRangeBody(path="x", offset=-1, length=1)


def test_multipart_builders() -> None:
    initiate = initiate_multipart_upload(
        file_name="big.jsonl", file_size=10, num_parts=2, purpose="fine-tune", file_type="jsonl"
    )
    assert initiate.request.url == "/files/multipart/initiate"
    assert initiate.response_type is MultipartUpload
    assert not initiate.retryable
    assert initiate.request.body.json() == {  # type: ignore[union-attr]
        "file_name": "big.jsonl",
        "file_size": 10,
        "num_parts": 2,
        "purpose": "fine-tune",
        "file_type": "jsonl",
    }
    parts = (CompletedPart(part_number=1, etag='"a"'), CompletedPart(part_number=2, etag='"b"'))
    complete = complete_multipart_upload(upload_id="u", file_id="f", parts=parts)
    assert complete.response_type is FileResponse
    assert complete.request.body.json() == {  # type: ignore[union-attr]
        "upload_id": "u",
        "file_id": "f",
        "parts": [{"part_number": 1, "etag": '"a"'}, {"part_number": 2, "etag": '"b"'}],
    }
    abort = abort_multipart_upload(upload_id="u", file_id="f")
    assert abort.request.url == "/files/multipart/abort"
    assert abort.request.body.json() == {"upload_id": "u", "file_id": "f"}  # type: ignore[union-attr]
    preprocess = preprocess_file("file/../x")
    assert preprocess.request.url == "/files/file%2F..%2Fx/preprocess"
    assert not preprocess.retryable
    with pytest.raises(ValueError, match="positive"):
        initiate_multipart_upload(
            file_name="b.jsonl", file_size=0, num_parts=1, purpose="fine-tune", file_type="jsonl"
        )


# --- the flow, by hand ---------------------------------------------------------------------

FILE = {"id": "file-1", "object": "file", "Processed": True}


def _json(payload: object, status: int = 200) -> HttpResponse:
    return HttpResponse(status=status, body=json.dumps(payload).encode())


Answer = Callable[[Any], Any]


def drive(flow: Generator[Any, Any, Any], answer: Answer) -> tuple[list[Any], Any]:
    """Run ``flow``, answering each effect with ``answer(effect)``; effects and result."""
    effects: list[Any] = []
    outcome: Any = None
    try:
        while True:
            effect = flow.send(outcome)
            effects.append(effect)
            outcome = answer(effect)
    except StopIteration as done:
        return effects, done.value


def _sends(effects: list[Any]) -> list[HttpRequest]:
    return [e.request for e in effects if isinstance(e, Send)]


def single_answers(location: str) -> Answer:
    def answer(effect: Any) -> Any:
        if not isinstance(effect, Send):
            return None
        request = effect.request
        if request.url.endswith("/files"):
            headers = (("location", location), ("x-together-file-id", "file-1"))
            return HttpResponse(status=302, headers=headers)
        if request.method is Method.PUT:
            return HttpResponse(status=200)
        return _json(FILE)

    return answer


def test_single_flow_puts_without_credentials_even_at_the_api_origin() -> None:
    local = attrs.evolve(LOCAL, size=10, sha256="f" * 64)
    flow = upload_flow(local, plan_upload(10), CONFIG, CLOCK)
    # The signed URL is at the API's own origin: still no key may travel with the bytes.
    effects, result = drive(flow, single_answers("https://api.together.ai/upload/f1?sig=1"))

    assert result == Success(FileResponse(id="file-1", processed=True))
    start, put, preprocess = _sends(effects)
    assert start.header("authorization") == f"Bearer {KEY}"
    assert put.method is Method.PUT
    assert put.url == "https://api.together.ai/upload/f1?sig=1"
    assert put.header("authorization") is None
    assert all(KEY not in value for _, value in put.headers)
    assert put.body == FileRangeBody(path=LOCAL.path, offset=0, length=10)
    assert preprocess.url == "https://api.together.ai/v1/files/file-1/preprocess"
    stages = [e.progress.stage for e in effects if isinstance(e, Report)]
    assert stages == ["started", "uploaded", "done"]


def test_single_flow_refuses_an_unsafe_redirect() -> None:
    flow = upload_flow(LOCAL, plan_upload(LOCAL.size), CONFIG, CLOCK)
    effects, result = drive(flow, single_answers("http://10.0.0.5/bucket/x"))

    assert isinstance(result, Failure)
    assert isinstance(result.failure(), APIError)
    assert "not https" in str(result.failure())
    assert [r.method for r in _sends(effects)] == [Method.POST]


def test_a_relative_location_is_resolved_against_the_api() -> None:
    flow = upload_flow(LOCAL, plan_upload(LOCAL.size), CONFIG, CLOCK)
    effects, result = drive(flow, single_answers("/storage/f1?sig=1"))

    assert isinstance(result, Success)
    put = _sends(effects)[1]
    assert put.url == "https://api.together.ai/storage/f1?sig=1"
    assert put.header("authorization") is None


def test_single_flow_without_a_redirect_is_a_validation_error() -> None:
    flow = upload_flow(LOCAL, plan_upload(LOCAL.size), CONFIG, CLOCK)
    _, result = drive(flow, lambda e: _json(FILE) if isinstance(e, Send) else None)

    assert isinstance(result, Failure)
    assert "no signed URL" in str(result.failure())


def test_the_start_is_not_retried_once_it_may_have_arrived() -> None:
    flow = upload_flow(LOCAL, plan_upload(LOCAL.size), CONFIG, CLOCK)
    effects, result = drive(
        flow, lambda e: _json({"error": {"message": "busy"}}, 500) if isinstance(e, Send) else None
    )

    assert isinstance(result.failure(), InternalServerError)
    assert len(_sends(effects)) == 1
    assert not any(isinstance(e, Sleep) for e in effects)


def multipart_answers(parts: list[Any], complete_status: int = 200) -> Answer:
    """Answers for a multipart flow; ``parts`` answers the RunParts effect."""

    def answer(effect: Any) -> Any:
        if isinstance(effect, RunParts):
            return tuple(parts)
        if not isinstance(effect, Send):
            return None
        path = effect.request.url
        if path.endswith("/initiate"):
            signed = [
                {"part_number": n, "url": f"https://s3.example.com/p{n}?sig=s{n}"}
                for n in (1, 2, 3)
            ]
            return _json({"upload_id": "up-1", "file_id": "file-1", "parts": signed})
        if path.endswith("/complete"):
            return _json(FILE, complete_status)
        return _json({})

    return answer


PLAN3 = plan_upload(2500, multipart_threshold=1000, part_size=1000)
DONE3 = [CompletedPart(part_number=n, etag=f"e{n}") for n in (1, 2, 3)]


def test_multipart_flow_initiates_saves_sends_completes_and_forgets() -> None:
    flow = upload_flow(LOCAL, PLAN3, CONFIG, CLOCK, max_parallel_parts=2)
    effects, result = drive(flow, multipart_answers(DONE3))

    assert result == Success(FileResponse(id="file-1", processed=True))
    [run] = [e for e in effects if isinstance(e, RunParts)]
    assert run.limit == 2
    assert [p.part_number for p in run.parts] == [1, 2, 3]
    persisted = [e.state for e in effects if isinstance(e, Persist)]
    assert persisted[0] is not None
    assert persisted[0].upload.upload_id == "up-1"
    assert persisted[-1] is None  # the state file goes once the upload is complete
    urls = [r.url.rsplit("/", 1)[1] for r in _sends(effects)]
    assert urls == ["initiate", "complete"]


def test_multipart_flow_aborts_on_a_part_failure_unless_resumable() -> None:
    failure = InternalServerError(message="busy", status=500)
    answers = multipart_answers([DONE3[0], failure])

    effects, result = drive(upload_flow(LOCAL, PLAN3, CONFIG, CLOCK), answers)
    assert result == Failure(failure)
    assert [r.url.rsplit("/", 1)[1] for r in _sends(effects)] == ["initiate", "abort"]

    effects, result = drive(upload_flow(LOCAL, PLAN3, CONFIG, CLOCK, resumable=True), answers)
    assert result == Failure(failure)
    assert [r.url.rsplit("/", 1)[1] for r in _sends(effects)] == ["initiate"]


def test_multipart_flow_aborts_when_complete_fails() -> None:
    effects, result = drive(
        upload_flow(LOCAL, PLAN3, CONFIG, CLOCK), multipart_answers(DONE3, complete_status=400)
    )
    assert isinstance(result, Failure)
    assert [r.url.rsplit("/", 1)[1] for r in _sends(effects)] == ["initiate", "complete", "abort"]


def test_a_resumed_flow_sends_only_the_missing_parts() -> None:
    saved = record_part(STATE, DONE3[1])
    flow = upload_flow(LOCAL, PLAN3, CONFIG, CLOCK, saved=saved, resumable=True)
    effects, result = drive(flow, multipart_answers([DONE3[0], DONE3[2]]))

    assert isinstance(result, Success)
    [run] = [e for e in effects if isinstance(e, RunParts)]
    assert [p.part_number for p in run.parts] == [1, 3]
    assert [r.url.rsplit("/", 1)[1] for r in _sends(effects)] == ["complete"]
    assert effects[0] == Report(progress_of(saved, "resumed"))


def test_a_state_with_every_part_done_goes_straight_to_complete() -> None:
    saved = STATE
    for part in DONE3:
        saved = record_part(saved, part)
    flow = upload_flow(LOCAL, PLAN3, CONFIG, CLOCK, saved=saved, resumable=True)
    effects, result = drive(flow, multipart_answers([]))

    assert isinstance(result, Success)
    assert not any(isinstance(e, RunParts) for e in effects)
    [complete] = _sends(effects)
    assert complete.body.json()["parts"] == [  # type: ignore[union-attr,index]
        {"part_number": n, "etag": f"e{n}"} for n in (1, 2, 3)
    ]


def test_a_stale_state_is_aborted_and_removed_before_starting_over() -> None:
    local = attrs.evolve(LOCAL, mtime_ns=1)
    flow = upload_flow(local, PLAN3, CONFIG, CLOCK, saved=STATE, resumable=True)
    effects, result = drive(flow, multipart_answers(DONE3))

    assert isinstance(result, Success)
    assert [r.url.rsplit("/", 1)[1] for r in _sends(effects)] == ["abort", "initiate", "complete"]
    assert effects[1] == Persist(None)


def test_an_unsafe_part_url_aborts_before_any_byte_is_sent() -> None:
    def answer(effect: Any) -> Any:
        if isinstance(effect, Send) and effect.request.url.endswith("/initiate"):
            signed = [{"part_number": n, "url": f"https://192.168.0.{n}/p"} for n in (1, 2, 3)]
            return _json({"upload_id": "up-1", "file_id": "file-1", "parts": signed})
        return _json({}) if isinstance(effect, Send) else None

    effects, result = drive(upload_flow(LOCAL, PLAN3, CONFIG, CLOCK), answer)
    assert isinstance(result.failure(), APIError)
    assert "part 1" in str(result.failure())
    assert not any(isinstance(e, RunParts) for e in effects)
    assert [r.url.rsplit("/", 1)[1] for r in _sends(effects)] == ["initiate", "abort"]


def test_a_wrong_number_of_parts_is_refused() -> None:
    def answer(effect: Any) -> Any:
        if isinstance(effect, Send) and effect.request.url.endswith("/initiate"):
            signed = [{"part_number": 1, "url": "https://s3.example.com/p1"}]
            return _json({"upload_id": "up-1", "file_id": "file-1", "parts": signed})
        return _json({}) if isinstance(effect, Send) else None

    effects, result = drive(upload_flow(LOCAL, PLAN3, CONFIG, CLOCK), answer)
    assert "asked for 3 parts" in str(result.failure())
    assert [r.url.rsplit("/", 1)[1] for r in _sends(effects)] == ["initiate", "abort"]


def test_a_part_is_retried_then_gives_its_etag() -> None:
    outcomes = iter(
        [
            APIConnectionError(message="reset", request_sent=True),
            HttpResponse(status=503),
            HttpResponse(status=200, headers=(("etag", '"e2"'),)),
        ]
    )
    flow = part_flow(STATE, STATE.upload.parts[1], CONFIG, CLOCK)
    effects, result = drive(flow, lambda e: next(outcomes) if isinstance(e, Send) else None)

    assert result == CompletedPart(part_number=2, etag='"e2"')
    sends = _sends(effects)
    assert len(sends) == 3
    assert sum(isinstance(e, Sleep) for e in effects) == 2
    assert sends[0].body == FileRangeBody(path=LOCAL.path, offset=1000, length=1000)
    assert sends[0].header("authorization") is None


def test_a_part_without_an_etag_fails() -> None:
    flow = part_flow(STATE, STATE.upload.parts[2], CONFIG, CLOCK)
    _, result = drive(flow, lambda e: HttpResponse(status=200) if isinstance(e, Send) else None)
    assert "no ETag" in str(result)
    assert "part 3" in str(result)
