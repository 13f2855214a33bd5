"""``client.batches``: batch jobs, under the current SDK's names and the older ones."""

from __future__ import annotations

from together_fn import api
from together_fn.api._build import NO_OPTIONS, RequestOptions
from together_fn.executors.wait import OnPoll
from together_fn.models.batches import BatchJob, batch_is_finished
from together_fn.resources._base import AsyncNamespace, Namespace, async_method, sync_method
from together_fn.resources._wait import wait_async, wait_sync
from together_fn.wait import WaitPolicy

#: Batches may take up to their 24-hour window: poll slowly, for long.
BATCH_WAIT = WaitPolicy(timeout=24 * 3600.0, initial_interval=5.0, max_interval=60.0)


class Batches(Namespace):
    """``client.batches``."""

    create = sync_method(api.batches.create_batch)
    list_batches = sync_method(api.batches.list_batches)
    retrieve = sync_method(api.batches.retrieve_batch)
    cancel = sync_method(api.batches.cancel_batch)
    create_batch = create
    list = list_batches
    get_batch = retrieve
    cancel_batch = cancel

    def wait(
        self,
        batch_id: str,
        *,
        policy: WaitPolicy = BATCH_WAIT,
        on_poll: OnPoll | None = None,
        options: RequestOptions = NO_OPTIONS,
    ) -> BatchJob:
        """Poll the batch until it is ``COMPLETED``, ``FAILED``, ``EXPIRED`` or ``CANCELLED``;
        ``on_poll`` sees every polled job. Raises ``WaitTimeoutError`` when time runs out."""
        call = api.batches.retrieve_batch(batch_id, options=options)
        return wait_sync(self, call, is_done=batch_is_finished, policy=policy, on_poll=on_poll)


class AsyncBatches(AsyncNamespace):
    """``client.batches``, awaited."""

    create = async_method(api.batches.create_batch)
    list_batches = async_method(api.batches.list_batches)
    retrieve = async_method(api.batches.retrieve_batch)
    cancel = async_method(api.batches.cancel_batch)
    create_batch = create
    list = list_batches
    get_batch = retrieve
    cancel_batch = cancel

    async def wait(
        self,
        batch_id: str,
        *,
        policy: WaitPolicy = BATCH_WAIT,
        on_poll: OnPoll | None = None,
        options: RequestOptions = NO_OPTIONS,
    ) -> BatchJob:
        """Poll the batch until it is ``COMPLETED``, ``FAILED``, ``EXPIRED`` or ``CANCELLED``;
        ``on_poll`` sees every polled job (an async callback is awaited)."""
        call = api.batches.retrieve_batch(batch_id, options=options)
        return await wait_async(
            self, call, is_done=batch_is_finished, policy=policy, on_poll=on_poll
        )
