"""``client.queue``: jobs queued for a model."""

from __future__ import annotations

from together_fn import api
from together_fn.api._build import NO_OPTIONS, RequestOptions
from together_fn.executors.wait import OnPoll
from together_fn.models.queue import QueueJobStatusResponse, queue_job_is_finished
from together_fn.resources._base import AsyncNamespace, Namespace, async_method, sync_method
from together_fn.resources._wait import wait_async, wait_sync
from together_fn.wait import WaitPolicy

QUEUE_WAIT = WaitPolicy(timeout=3600.0, initial_interval=1.0, max_interval=15.0)


class Queue(Namespace):
    """``client.queue``."""

    submit = sync_method(api.queue.submit_queue_job)
    status = sync_method(api.queue.retrieve_queue_job)
    cancel = sync_method(api.queue.cancel_queue_job)
    metrics = sync_method(api.queue.retrieve_queue_metrics)

    def wait(
        self,
        *,
        request_id: str,
        model: str,
        policy: WaitPolicy = QUEUE_WAIT,
        on_poll: OnPoll | None = None,
        options: RequestOptions = NO_OPTIONS,
    ) -> QueueJobStatusResponse:
        """Poll the job until it is ``done``, ``failed`` or ``canceled``; ``on_poll`` sees
        every polled status. Raises ``WaitTimeoutError`` when time runs out."""
        call = api.queue.retrieve_queue_job(request_id=request_id, model=model, options=options)
        return wait_sync(self, call, is_done=queue_job_is_finished, policy=policy, on_poll=on_poll)


class AsyncQueue(AsyncNamespace):
    """``client.queue``, awaited."""

    submit = async_method(api.queue.submit_queue_job)
    status = async_method(api.queue.retrieve_queue_job)
    cancel = async_method(api.queue.cancel_queue_job)
    metrics = async_method(api.queue.retrieve_queue_metrics)

    async def wait(
        self,
        *,
        request_id: str,
        model: str,
        policy: WaitPolicy = QUEUE_WAIT,
        on_poll: OnPoll | None = None,
        options: RequestOptions = NO_OPTIONS,
    ) -> QueueJobStatusResponse:
        """Poll the job until it is ``done``, ``failed`` or ``canceled``; ``on_poll`` sees
        every polled status (an async callback is awaited)."""
        call = api.queue.retrieve_queue_job(request_id=request_id, model=model, options=options)
        return await wait_async(
            self, call, is_done=queue_job_is_finished, policy=policy, on_poll=on_poll
        )
