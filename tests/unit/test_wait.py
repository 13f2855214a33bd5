"""The wait helper, pure: backoff decisions with injected time and randomness, and the wait
flow driven by hand and through the executors with a fake clock (nothing sleeps for real)."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st
from returns.result import Failure, Success

from together_fn.api.batches import retrieve_batch
from together_fn.calls import Call
from together_fn.config import ClientConfig
from together_fn.errors import NotFoundError, TogetherError, WaitTimeoutError
from together_fn.executors.base import AsyncExecutor, Executor
from together_fn.executors.wait import await_for, wait_for
from together_fn.flows import Clock, Emit, Send, Sleep
from together_fn.http import HttpRequest, HttpResponse
from together_fn.models.batches import BatchJob, batch_is_finished
from together_fn.retry import RetryPolicy
from together_fn.wait import TimedOut, WaitPolicy, next_poll, read_status, wait_flow

CONFIG = ClientConfig(
    api_key="sk-wait-test", base_url="https://api.example.test/v1", retry=RetryPolicy()
)
EXACT = WaitPolicy(timeout=60.0, initial_interval=1.0, multiplier=2.0, max_interval=8.0, jitter=0)


class FakeTime:
    """A clock that moves only when the code under test sleeps."""

    def __init__(self, rand: float = 0.0) -> None:
        self.now = 1000.0
        self.rand = rand
        self.slept: list[float] = []

    def clock(self) -> Clock:
        return Clock(monotonic=lambda: self.now, wall=lambda: self.now, random=lambda: self.rand)

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds

    async def asleep(self, seconds: float) -> None:
        self.sleep(seconds)


def job(status: str) -> HttpResponse:
    return HttpResponse(status=200, body=json.dumps({"id": "b-1", "status": status}).encode())


class Script:
    """A transport answering each send with the next response (the last one repeats)."""

    def __init__(self, *answers: HttpResponse) -> None:
        self.answers = list(answers)
        self.sent: list[HttpRequest] = []

    def send(self, request: HttpRequest) -> HttpResponse:
        self.sent.append(request)
        return self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]

    async def asend(self, request: HttpRequest) -> HttpResponse:
        return self.send(request)

    def open(self, request: HttpRequest) -> Any:
        raise NotImplementedError

    async def aopen(self, request: HttpRequest) -> Any:
        raise NotImplementedError

    def close(self) -> None:
        pass

    async def aclose(self) -> None:
        pass


# --- next_poll -------------------------------------------------------------------------------


def test_intervals_grow_by_the_multiplier_up_to_the_cap():
    delays = [next_poll(EXACT, attempt=n, started=0.0, now=0.0, rand=0.5) for n in range(6)]
    assert delays == [Sleep(1.0), Sleep(2.0), Sleep(4.0), Sleep(8.0), Sleep(8.0), Sleep(8.0)]


def test_jitter_takes_up_to_its_fraction_off():
    policy = attrs.evolve(EXACT, jitter=0.25)
    assert next_poll(policy, attempt=2, started=0, now=0, rand=0.0) == Sleep(4.0)
    assert next_poll(policy, attempt=2, started=0, now=0, rand=1.0) == Sleep(3.0)


def test_time_is_up_at_the_timeout_and_the_last_sleep_ends_on_it():
    assert next_poll(EXACT, attempt=5, started=0, now=60.0, rand=0) == TimedOut(60.0)
    assert next_poll(EXACT, attempt=5, started=0, now=57.5, rand=0) == Sleep(2.5)


def test_no_timeout_waits_for_ever():
    policy = attrs.evolve(EXACT, timeout=None)
    assert next_poll(policy, attempt=10**6, started=0, now=1e9, rand=0) == Sleep(8.0)


@given(
    attempt=st.integers(min_value=0, max_value=10**9),
    elapsed=st.floats(min_value=0, max_value=1e6),
    rand=st.floats(min_value=0, max_value=1),
)
def test_a_sleep_is_never_negative_longer_than_the_cap_or_past_the_timeout(attempt, elapsed, rand):
    policy = WaitPolicy(timeout=3600.0, jitter=0.5)
    decision = next_poll(policy, attempt=attempt, started=0.0, now=elapsed, rand=rand)
    if elapsed >= 3600.0:
        assert decision == TimedOut(elapsed)
    else:
        assert isinstance(decision, Sleep)
        assert 0 <= decision.seconds <= policy.max_interval
        assert elapsed + decision.seconds <= 3600.0


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"timeout": -1}, "timeout"),
        ({"initial_interval": 0}, "initial_interval"),
        ({"multiplier": 0.5}, "multiplier must be at least 1"),
        ({"max_interval": 0.5}, "max_interval must not be shorter"),
        ({"jitter": 1.5}, "jitter"),
        ({"initial_interval": float("nan")}, "initial_interval"),
    ],
)
def test_invalid_policies_fail_at_construction(kwargs, message):
    with pytest.raises(ValueError, match=message):
        WaitPolicy(**kwargs)


def test_read_status_reads_status_or_state():
    assert read_status(BatchJob(id="b", status="IN_PROGRESS")) == "IN_PROGRESS"
    assert read_status(attrs.make_class("E", ["state"])(state="STARTING")) == "STARTING"
    assert read_status(object()) is None


# --- the flow, by hand ---------------------------------------------------------------------


def test_the_flow_polls_emits_and_sleeps_until_done():
    time = FakeTime()
    call = retrieve_batch("b-1")
    flow = wait_flow(call, CONFIG, time.clock(), is_done=batch_is_finished, policy=EXACT)
    effect = next(flow)
    assert isinstance(effect, Send)
    assert effect.request.url == "https://api.example.test/v1/batches/b-1"
    assert flow.send(job("IN_PROGRESS")) == Emit(BatchJob(id="b-1", status="IN_PROGRESS"))
    assert next(flow) == Sleep(1.0)
    time.now += 1.0
    assert isinstance(next(flow), Send)
    assert flow.send(job("COMPLETED")) == Emit(BatchJob(id="b-1", status="COMPLETED"))
    with pytest.raises(StopIteration) as done:
        next(flow)
    assert done.value.value == Success(BatchJob(id="b-1", status="COMPLETED"))


def test_a_failed_poll_ends_the_wait_with_its_error():
    flow = wait_flow(retrieve_batch("b-1"), CONFIG, FakeTime().clock(), is_done=batch_is_finished)
    next(flow)
    with pytest.raises(StopIteration) as done:
        flow.send(HttpResponse(status=404, body=b'{"error":"no such batch"}'))
    result = done.value.value
    assert isinstance(result, Failure)
    assert isinstance(result.failure(), NotFoundError)
    assert result.failure().message == "no such batch"


# --- through the executors, with fake time --------------------------------------------------


def test_wait_for_backs_off_reports_progress_and_returns_the_finished_value():
    time = FakeTime()
    transport = Script(job("VALIDATING"), job("IN_PROGRESS"), job("IN_PROGRESS"), job("FAILED"))
    executor = Executor(transport, CONFIG, clock=time.clock(), sleep=time.sleep)
    seen: list[Any] = []
    result = wait_for(
        executor,
        retrieve_batch("b-1"),
        is_done=batch_is_finished,
        policy=EXACT,
        on_poll=seen.append,
    )
    assert result == Success(BatchJob(id="b-1", status="FAILED"))
    assert [job.status for job in seen] == ["VALIDATING", "IN_PROGRESS", "IN_PROGRESS", "FAILED"]
    assert time.slept == [1.0, 2.0, 4.0]
    assert len(transport.sent) == 4


def test_wait_for_times_out_with_the_last_status():
    time = FakeTime()
    executor = Executor(Script(job("IN_PROGRESS")), CONFIG, clock=time.clock(), sleep=time.sleep)
    policy = attrs.evolve(EXACT, timeout=10.0)
    result = wait_for(executor, retrieve_batch("b-1"), is_done=batch_is_finished, policy=policy)
    assert time.slept == [1.0, 2.0, 4.0, 3.0]  # the last sleep ends on the timeout
    assert result == Failure(
        WaitTimeoutError(
            message="still unfinished after 10.0s and 5 polls (last status: IN_PROGRESS)",
            last_status="IN_PROGRESS",
            polls=5,
            elapsed=10.0,
        )
    )
    error = result.failure()
    assert isinstance(error, TogetherError)
    assert "IN_PROGRESS" in str(error)


def test_transient_failures_are_retried_inside_each_poll():
    time = FakeTime()
    transport = Script(HttpResponse(status=503), job("COMPLETED"))
    executor = Executor(transport, CONFIG, clock=time.clock(), sleep=time.sleep)
    result = wait_for(executor, retrieve_batch("b-1"), is_done=batch_is_finished, policy=EXACT)
    assert result == Success(BatchJob(id="b-1", status="COMPLETED"))
    assert len(transport.sent) == 2
    assert len(time.slept) == 1  # the retry's backoff, not a poll interval


def test_await_for_is_the_same_wait_with_async_callbacks():
    time = FakeTime()
    transport = Script(job("IN_PROGRESS"), job("COMPLETED"))
    executor = AsyncExecutor(transport, CONFIG, clock=time.clock(), sleep=time.asleep)
    seen: list[str | None] = []

    async def record(value: BatchJob) -> None:
        seen.append(value.status)

    async def wait() -> Any:
        return await await_for(
            executor, retrieve_batch("b-1"), is_done=batch_is_finished, policy=EXACT, on_poll=record
        )

    assert asyncio.run(wait()) == Success(BatchJob(id="b-1", status="COMPLETED"))
    assert seen == ["IN_PROGRESS", "COMPLETED"]
    assert time.slept == [1.0]


def test_a_custom_status_reader_names_the_status_in_the_timeout():
    time = FakeTime()
    executor = Executor(Script(job("IN_PROGRESS")), CONFIG, clock=time.clock(), sleep=time.sleep)
    call: Call[BatchJob] = retrieve_batch("b-1")
    result = wait_for(
        executor,
        call,
        is_done=lambda _: False,
        policy=WaitPolicy(timeout=0.0),
        status_of=lambda value: f"{value.status} ({value.id})",
    )
    error = result.failure()
    assert isinstance(error, WaitTimeoutError)
    assert error.last_status == "IN_PROGRESS (b-1)"
    assert time.slept == []
