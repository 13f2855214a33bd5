"""The two drivers of :func:`together_fn.wait.wait_flow`: ``wait_for`` and ``await_for``.

They perform the flow's effects with an executor's transport, clock and sleep (so a test
that injects a clock or a sleep into the executor controls the wait too) and hand every
polled value to ``on_poll``. Every decision lives in ``together_fn/wait.py``.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any, TypeVar

from returns.result import Result

from together_fn.calls import Call
from together_fn.errors import TogetherError
from together_fn.executors.base import AsyncExecutor, Executor, asend_or_failure, send_or_failure
from together_fn.flows import Emit, Send, Sleep
from together_fn.wait import DEFAULT_WAIT, WaitFlow, WaitPolicy, read_status, wait_flow

T = TypeVar("T")

#: Called with every polled value, finished or not (an async one is awaited by ``await_for``).
OnPoll = Callable[[Any], object]


def wait_for(
    executor: Executor,
    call: Call[T],
    *,
    is_done: Callable[[T], bool],
    policy: WaitPolicy = DEFAULT_WAIT,
    on_poll: OnPoll | None = None,
    status_of: Callable[[T], str | None] = read_status,
) -> Result[T, TogetherError]:
    """Poll ``call`` with ``executor`` until ``is_done(value)``: the last value, or the error
    that ended the wait (a failed poll, or :class:`~together_fn.errors.WaitTimeoutError`)."""
    flow: WaitFlow[T] = wait_flow(
        call,
        executor.config,
        executor._clock,
        is_done=is_done,
        policy=policy,
        status_of=status_of,
    )
    outcome: Any = None
    try:
        while True:
            effect = flow.send(outcome)
            outcome = None
            if isinstance(effect, Send):
                outcome = send_or_failure(executor.transport, effect.request)
            elif isinstance(effect, Sleep):
                executor._sleep(effect.seconds)
            elif isinstance(effect, Emit):
                if on_poll is not None:
                    on_poll(effect.item)
            else:  # pragma: no cover - wait flows only send, sleep and emit
                raise TypeError(f"unexpected effect {effect!r}")
    except StopIteration as done:
        result: Result[T, TogetherError] = done.value
        return result


async def await_for(
    executor: AsyncExecutor,
    call: Call[T],
    *,
    is_done: Callable[[T], bool],
    policy: WaitPolicy = DEFAULT_WAIT,
    on_poll: OnPoll | None = None,
    status_of: Callable[[T], str | None] = read_status,
) -> Result[T, TogetherError]:
    """The async twin of :func:`wait_for`."""
    flow: WaitFlow[T] = wait_flow(
        call,
        executor.config,
        executor._clock,
        is_done=is_done,
        policy=policy,
        status_of=status_of,
    )
    outcome: Any = None
    try:
        while True:
            effect = flow.send(outcome)
            outcome = None
            if isinstance(effect, Send):
                outcome = await asend_or_failure(executor.transport, effect.request)
            elif isinstance(effect, Sleep):
                await executor._sleep(effect.seconds)
            elif isinstance(effect, Emit):
                if on_poll is not None:
                    shown = on_poll(effect.item)
                    if inspect.isawaitable(shown):
                        await shown
            else:  # pragma: no cover - wait flows only send, sleep and emit
                raise TypeError(f"unexpected effect {effect!r}")
    except StopIteration as done:
        result: Result[T, TogetherError] = done.value
        return result
