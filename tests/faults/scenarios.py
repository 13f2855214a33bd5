"""The named fault scenarios for request/response calls: name → server behaviours → expectation.

Each scenario scripts the answers of ``/v1/<path>`` on one loopback server (``other`` is a
second server: another origin, for redirects) and checks what the caller saw. The same
table runs through every runner of :mod:`tests.faults.runners`.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from email.utils import formatdate

import attrs

from tests.executors.loopback import (
    Behaviour,
    Loopback,
    Received,
    Wire,
    cut_short,
    json_reply,
    redirect,
    reset,
    respond,
    slow,
    stream,
)
from tests.faults.runners import FAST, KEY, Outcome
from together_fn.errors import (
    APIConnectionError,
    APIResponseValidationError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    InternalServerError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ServiceUnavailableError,
    UnprocessableEntityError,
)
from together_fn.models.batches import BatchJobWithWarning
from together_fn.models.chat import ChatCompletionResponse
from together_fn.retry import RetryPolicy

CHAT_PATH = "/v1/chat/completions"
JOB_PATH = "/v1/batches"

COMPLETION = {
    "id": "cmpl-1",
    "object": "chat.completion",
    "created": 1,
    "model": "fault/model",
    "choices": [{"index": 0, "message": {"role": "assistant", "content": "ok"}}],
}
JOB = {"job": {"id": "batch-1", "status": "VALIDATING"}}

RETRIES = FAST.max_retries


def ok() -> Behaviour:
    return json_reply(COMPLETION)


def http_date_in(seconds: float) -> Behaviour:
    """A 429 whose ``Retry-After`` is an HTTP date ``seconds`` from the moment it is sent."""

    def behave(received: Received, wire: Wire) -> None:
        when = formatdate(time.time() + seconds, usegmt=True)
        respond(429, b"{}", headers=[("Retry-After", when)])(received, wire)

    return behave


def error_reply(status: int, payload: object, *headers: tuple[str, str]) -> Behaviour:
    return respond(status, json.dumps(payload).encode(), headers=headers)


Check = Callable[[Outcome, Loopback, Loopback], None]


@attrs.frozen(kw_only=True)
class Scenario:
    """One named fault: what the server does, and what the caller must see."""

    name: str
    script: Callable[[Loopback], tuple[Behaviour, ...]]
    check: Check
    path: str = CHAT_PATH
    policy: RetryPolicy = FAST
    read: float = 2.0


# --- expectations -------------------------------------------------------------------------


def succeeded(hits: int, sleeps: tuple[float, ...] | None = None) -> Check:
    def check(outcome: Outcome, server: Loopback, _: Loopback) -> None:
        assert outcome.error is None, outcome.error
        assert isinstance(outcome.value, ChatCompletionResponse | BatchJobWithWarning)
        assert server.hits(CHAT_PATH) + server.hits(JOB_PATH) == hits
        if sleeps is not None:
            assert outcome.sleeps == sleeps

    return check


def failed(kind: type[BaseException], hits: int, **fields: object) -> Check:
    def check(outcome: Outcome, server: Loopback, _: Loopback) -> None:
        assert type(outcome.error) is kind, outcome.error
        assert server.hits(CHAT_PATH) + server.hits(JOB_PATH) == hits
        assert len(outcome.sleeps) == hits - 1
        for name, expected in fields.items():
            assert getattr(outcome.error, name) == expected, (name, outcome.error)
        assert KEY not in str(outcome.error)
        assert KEY not in repr(outcome.error)

    return check


def both(*checks: Check) -> Check:
    def check(outcome: Outcome, server: Loopback, other: Loopback) -> None:
        for each in checks:
            each(outcome, server, other)

    return check


def waited_about(low: float, high: float) -> Check:
    def check(outcome: Outcome, _: Loopback, __: Loopback) -> None:
        assert len(outcome.sleeps) == 1, outcome.sleeps
        assert low <= outcome.sleeps[0] <= high, outcome.sleeps

    return check


def message_says(*words: str) -> Check:
    def check(outcome: Outcome, _: Loopback, __: Loopback) -> None:
        text = str(outcome.error)
        assert all(word in text for word in words), text

    return check


def took_at_least(seconds: float) -> Check:
    def check(outcome: Outcome, _: Loopback, __: Loopback) -> None:
        assert outcome.elapsed >= seconds, outcome.elapsed

    return check


def within_deadline(outcome: Outcome, server: Loopback, _: Loopback) -> None:
    assert isinstance(outcome.error, APITimeoutError | InternalServerError), outcome.error
    # The deadline is 0.6 s: a few slow attempts, then no more, and no long overrun.
    assert 2 <= server.hits(CHAT_PATH) <= 4
    assert outcome.elapsed < 1.5, outcome.elapsed


def credentials_stayed_home(outcome: Outcome, server: Loopback, other: Loopback) -> None:
    assert outcome.error is None, outcome.error
    assert server.requests_to(CHAT_PATH)[0].header("authorization") == f"Bearer {KEY}"
    arrived = other.requests_to("/elsewhere")
    assert len(arrived) == 1
    assert arrived[0].header("authorization") is None
    assert all(KEY not in value for _, value in arrived[0].headers)


def became_get(outcome: Outcome, _: Loopback, other: Loopback) -> None:
    arrived = other.requests_to("/elsewhere")[0]
    assert arrived.method == "GET"
    assert arrived.body == b""


def kept_post(outcome: Outcome, _: Loopback, other: Loopback) -> None:
    arrived = other.requests_to("/elsewhere")[0]
    assert arrived.method == "POST"
    assert json.loads(arrived.body)["model"] == "fault/model"


def not_a_string(outcome: Outcome, _: Loopback, __: Loopback) -> None:
    assert outcome.value is None
    assert isinstance(outcome.error, APIResponseValidationError)
    assert outcome.error.status == 200
    assert outcome.error.type_name == "ChatCompletionResponse"


# --- the table ----------------------------------------------------------------------------

NESTED = {
    "error": {
        "message": "model not found",
        "type": "invalid_request_error",
        "param": "model",
        "code": "model_not_found",
    }
}
DETAIL_LIST = {"detail": [{"loc": ["body", "model"], "msg": "field required"}]}
PROXY_PAGE = b"<html><body><h1>502 Bad Gateway</h1><hr>nginx</body></html>"
PORTAL = b"<!doctype html><html><title>Sign in to Hotel Wi-Fi</title><form></form></html>"
TRICKLED = json.dumps(COMPLETION).encode()

SCENARIOS: tuple[Scenario, ...] = (
    # Rate limits and server errors.
    Scenario(
        name="429-retry-after-seconds-then-ok",
        script=lambda _: (respond(429, b"{}", headers=[("Retry-After", "1")]), ok()),
        check=succeeded(2, sleeps=(1.0,)),
    ),
    Scenario(
        name="429-retry-after-http-date-then-ok",
        script=lambda _: (http_date_in(2), ok()),
        check=both(succeeded(2), waited_about(0.5, 2.5)),
    ),
    Scenario(
        name="429-retry-after-ms-then-ok",
        script=lambda _: (respond(429, b"{}", headers=[("retry-after-ms", "250")]), ok()),
        check=succeeded(2, sleeps=(0.25,)),
    ),
    Scenario(
        name="429-forever",
        script=lambda _: (error_reply(429, {"error": {"message": "slow down"}}),),
        check=both(failed(RateLimitError, RETRIES + 1), message_says("429", "slow down")),
    ),
    Scenario(
        name="429-retry-after-3600-fails-at-once",
        script=lambda _: (respond(429, b"{}", headers=[("Retry-After", "3600")]), ok()),
        check=failed(RateLimitError, 1, retry_after=3600.0),
    ),
    Scenario(
        name="503-twice-then-ok",
        script=lambda _: (respond(503), respond(503), ok()),
        check=succeeded(3, sleeps=(0.001, 0.002)),
    ),
    Scenario(
        name="500-forever",
        script=lambda _: (error_reply(500, {"error": {"message": "boom"}}),),
        check=failed(InternalServerError, RETRIES + 1, message="boom"),
    ),
    Scenario(
        name="x-should-retry-false-on-503",
        script=lambda _: (respond(503, b"{}", headers=[("x-should-retry", "false")]), ok()),
        check=failed(ServiceUnavailableError, 1),
    ),
    Scenario(
        name="x-should-retry-true-on-job-500",
        path=JOB_PATH,
        script=lambda _: (
            respond(500, b"{}", headers=[("x-should-retry", "true")]),
            json_reply(JOB),
        ),
        check=succeeded(2),
    ),
    Scenario(
        name="job-503-not-retried",
        path=JOB_PATH,
        script=lambda _: (respond(503), json_reply(JOB)),
        check=failed(ServiceUnavailableError, 1),
    ),
    Scenario(
        name="x-should-retry-true-cannot-retry-400",
        script=lambda _: (error_reply(400, NESTED, ("x-should-retry", "true")), ok()),
        check=failed(BadRequestError, 1),
    ),
    # Statuses that blame the request, and every error body shape.
    Scenario(
        name="400-nested-error-body",
        script=lambda _: (error_reply(400, NESTED, ("x-request-id", "req-400")), ok()),
        check=failed(
            BadRequestError,
            1,
            message="model not found",
            type="invalid_request_error",
            param="model",
            code="model_not_found",
            request_id="req-400",
        ),
    ),
    Scenario(
        name="401-detail-body",
        script=lambda _: (error_reply(401, {"detail": "Not authenticated"}), ok()),
        check=failed(AuthenticationError, 1, message="Not authenticated"),
    ),
    Scenario(
        name="403-code-message-body",
        script=lambda _: (error_reply(403, {"code": "forbidden", "message": "no access"}), ok()),
        check=failed(PermissionDeniedError, 1, message="no access", code="forbidden"),
    ),
    Scenario(
        name="404-error-string-body",
        script=lambda _: (error_reply(404, {"error": "no such model"}), ok()),
        check=failed(NotFoundError, 1, message="no such model"),
    ),
    Scenario(
        name="422-detail-list-body",
        script=lambda _: (error_reply(422, DETAIL_LIST), ok()),
        check=both(failed(UnprocessableEntityError, 1), message_says("field required")),
    ),
    Scenario(
        name="400-empty-body",
        script=lambda _: (respond(400), ok()),
        check=failed(BadRequestError, 1, message="HTTP 400 with an empty body"),
    ),
    Scenario(
        name="502-html-from-a-proxy",
        script=lambda _: (respond(502, PROXY_PAGE, content_type="text/html"),),
        check=both(
            failed(InternalServerError, RETRIES + 1, status=502),
            message_says("HTML body"),
        ),
    ),
    # The network.
    Scenario(
        name="reset-before-any-byte-once",
        script=lambda _: (reset(), ok()),
        check=succeeded(2),
    ),
    Scenario(
        name="reset-before-any-byte-always",
        script=lambda _: (reset(),),
        check=failed(APIConnectionError, RETRIES + 1, request_sent=True),
    ),
    Scenario(
        name="closed-mid-body-once",
        script=lambda _: (cut_short(b'{"id": "cm', declared=400), ok()),
        check=succeeded(2),
    ),
    Scenario(
        name="closed-mid-body-always",
        script=lambda _: (cut_short(b'{"id": "cm', declared=400),),
        check=both(failed(APIConnectionError, RETRIES + 1), message_says("body")),
    ),
    Scenario(
        name="job-closed-mid-body-not-retried",
        path=JOB_PATH,
        script=lambda _: (cut_short(b'{"job": {', declared=400), json_reply(JOB)),
        check=failed(APIConnectionError, 1),
    ),
    Scenario(
        name="slow-headers-past-the-timeout-once",
        read=0.3,
        script=lambda _: (slow(0.8, ok()), ok()),
        check=succeeded(2),
    ),
    Scenario(
        name="slow-headers-past-the-timeout-always",
        read=0.3,
        policy=attrs.evolve(FAST, max_retries=1),
        script=lambda _: (slow(0.8, ok()),),
        check=failed(APITimeoutError, 2),
    ),
    Scenario(
        name="trickled-body-within-read-timeout",
        read=0.4,
        script=lambda _: (
            stream(
                [*[TRICKLED[i : i + 20] for i in range(0, len(TRICKLED), 20)][:5], TRICKLED[100:]],
                content_type="application/json",
                delay=0.15,
            ),
        ),
        # Each gap is shorter than the read timeout; the whole body takes longer.
        check=both(succeeded(1), took_at_least(0.6)),
    ),
    Scenario(
        name="total-deadline-across-retries",
        policy=attrs.evolve(FAST, max_retries=50, deadline=0.6),
        script=lambda _: (slow(0.25, respond(503)),),
        check=within_deadline,
    ),
    # Success statuses that are not what they claim.
    Scenario(
        name="200-malformed-json",
        script=lambda _: (respond(200, b'{"id": "cmpl-1", "choices": [{'), ok()),
        check=both(failed(APIResponseValidationError, 1), not_a_string),
    ),
    Scenario(
        name="200-html-captive-portal",
        script=lambda _: (respond(200, PORTAL, content_type="text/html"), ok()),
        check=both(failed(APIResponseValidationError, 1), not_a_string),
    ),
    # Redirects to another origin.
    Scenario(
        name="307-to-another-origin",
        script=lambda other: (redirect(f"{other.url}/elsewhere", status=307),),
        check=both(credentials_stayed_home, kept_post),
    ),
    Scenario(
        name="302-to-another-origin",
        script=lambda other: (redirect(f"{other.url}/elsewhere", status=302),),
        check=both(credentials_stayed_home, became_get),
    ),
)
