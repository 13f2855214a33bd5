"""``client.rl``: ``.training_sessions`` (and the operations they run) and ``.checkpoints``.

Starting an operation (``forward_backward``, ``optim_step``, ``sample``, the two
checkpoints) answers at once with its id; ``wait_operation`` polls it until it completes or
fails.
"""

from __future__ import annotations

from together_fn import api
from together_fn.api._build import NO_OPTIONS, RequestOptions
from together_fn.executors.wait import OnPoll
from together_fn.models.rl import RLOperation, is_rl_operation_done
from together_fn.resources._base import (
    AsyncNamespace,
    AsyncRunner,
    Namespace,
    Runner,
    async_method,
    sync_method,
)
from together_fn.resources._wait import wait_async, wait_sync
from together_fn.wait import WaitPolicy

#: Training operations take seconds to minutes: poll briskly at first.
OPERATION_WAIT = WaitPolicy(timeout=3600.0, initial_interval=0.5, max_interval=10.0)


class TrainingSessions(Namespace):
    """``client.rl.training_sessions``."""

    list = sync_method(api.rl.list_training_sessions)
    create = sync_method(api.rl.create_training_session)
    retrieve = sync_method(api.rl.retrieve_training_session)
    stop = sync_method(api.rl.stop_training_session)
    forward_backward = sync_method(api.rl.create_forward_backward)
    optim_step = sync_method(api.rl.create_optim_step)
    sample = sync_method(api.rl.create_sample)
    create_inference_checkpoint = sync_method(api.rl.create_inference_checkpoint)
    create_training_checkpoint = sync_method(api.rl.create_training_checkpoint)
    retrieve_forward_backward = sync_method(api.rl.retrieve_forward_backward)
    retrieve_optim_step = sync_method(api.rl.retrieve_optim_step)
    retrieve_sample = sync_method(api.rl.retrieve_sample)
    retrieve_inference_checkpoint = sync_method(api.rl.retrieve_inference_checkpoint)
    retrieve_training_checkpoint = sync_method(api.rl.retrieve_training_checkpoint)

    def wait_operation(
        self,
        session_id: str,
        operation: RLOperation,
        *,
        policy: WaitPolicy = OPERATION_WAIT,
        on_poll: OnPoll | None = None,
        options: RequestOptions = NO_OPTIONS,
    ) -> RLOperation:
        """Poll ``operation`` (as returned when it started) until it completes or fails;
        ``on_poll`` sees every polled value. Raises ``WaitTimeoutError`` when time runs out."""
        call = api.rl.retrieve_rl_operation(session_id, operation, options=options)
        return wait_sync(self, call, is_done=is_rl_operation_done, policy=policy, on_poll=on_poll)


class AsyncTrainingSessions(AsyncNamespace):
    """``client.rl.training_sessions``, awaited."""

    list = async_method(api.rl.list_training_sessions)
    create = async_method(api.rl.create_training_session)
    retrieve = async_method(api.rl.retrieve_training_session)
    stop = async_method(api.rl.stop_training_session)
    forward_backward = async_method(api.rl.create_forward_backward)
    optim_step = async_method(api.rl.create_optim_step)
    sample = async_method(api.rl.create_sample)
    create_inference_checkpoint = async_method(api.rl.create_inference_checkpoint)
    create_training_checkpoint = async_method(api.rl.create_training_checkpoint)
    retrieve_forward_backward = async_method(api.rl.retrieve_forward_backward)
    retrieve_optim_step = async_method(api.rl.retrieve_optim_step)
    retrieve_sample = async_method(api.rl.retrieve_sample)
    retrieve_inference_checkpoint = async_method(api.rl.retrieve_inference_checkpoint)
    retrieve_training_checkpoint = async_method(api.rl.retrieve_training_checkpoint)

    async def wait_operation(
        self,
        session_id: str,
        operation: RLOperation,
        *,
        policy: WaitPolicy = OPERATION_WAIT,
        on_poll: OnPoll | None = None,
        options: RequestOptions = NO_OPTIONS,
    ) -> RLOperation:
        """Poll ``operation`` until it completes or fails; ``on_poll`` sees every polled value
        (an async callback is awaited)."""
        call = api.rl.retrieve_rl_operation(session_id, operation, options=options)
        return await wait_async(
            self, call, is_done=is_rl_operation_done, policy=policy, on_poll=on_poll
        )


class Checkpoints(Namespace):
    """``client.rl.checkpoints``."""

    download = sync_method(api.rl.download_checkpoint)


class AsyncCheckpoints(AsyncNamespace):
    """``client.rl.checkpoints``, awaited."""

    download = async_method(api.rl.download_checkpoint)


class RL(Namespace):
    """``client.rl``."""

    def __init__(self, client: Runner) -> None:
        super().__init__(client)
        self.training_sessions = TrainingSessions(client)
        self.checkpoints = Checkpoints(client)


class AsyncRL(AsyncNamespace):
    """``client.rl``, awaited."""

    def __init__(self, client: AsyncRunner) -> None:
        super().__init__(client)
        self.training_sessions = AsyncTrainingSessions(client)
        self.checkpoints = AsyncCheckpoints(client)
