"""``client.evaluation`` (also reachable as ``client.evals``, the current SDK's name)."""

from __future__ import annotations

from together_fn import api
from together_fn.api._build import NO_OPTIONS, RequestOptions
from together_fn.executors.wait import OnPoll
from together_fn.models.evaluation import EvaluationJob, evaluation_is_finished
from together_fn.resources._base import AsyncNamespace, Namespace, async_method, sync_method
from together_fn.resources._wait import wait_async, wait_sync
from together_fn.wait import WaitPolicy

EVALUATION_WAIT = WaitPolicy(timeout=6 * 3600.0, initial_interval=2.0, max_interval=30.0)


class Evaluation(Namespace):
    """``client.evaluation``."""

    create = sync_method(api.evaluation.create_evaluation)
    list = sync_method(api.evaluation.list_evaluations)
    retrieve = sync_method(api.evaluation.retrieve_evaluation)
    status = sync_method(api.evaluation.retrieve_evaluation_status)
    list_models = sync_method(api.evaluation.list_evaluation_models)

    def wait(
        self,
        evaluation_id: str,
        *,
        policy: WaitPolicy = EVALUATION_WAIT,
        on_poll: OnPoll | None = None,
        options: RequestOptions = NO_OPTIONS,
    ) -> EvaluationJob:
        """Poll the job until it is ``completed``, ``error`` or ``user_error``; ``on_poll``
        sees every polled job. Raises ``WaitTimeoutError`` when time runs out."""
        call = api.evaluation.retrieve_evaluation(evaluation_id, options=options)
        return wait_sync(self, call, is_done=evaluation_is_finished, policy=policy, on_poll=on_poll)


class AsyncEvaluation(AsyncNamespace):
    """``client.evaluation``, awaited."""

    create = async_method(api.evaluation.create_evaluation)
    list = async_method(api.evaluation.list_evaluations)
    retrieve = async_method(api.evaluation.retrieve_evaluation)
    status = async_method(api.evaluation.retrieve_evaluation_status)
    list_models = async_method(api.evaluation.list_evaluation_models)

    async def wait(
        self,
        evaluation_id: str,
        *,
        policy: WaitPolicy = EVALUATION_WAIT,
        on_poll: OnPoll | None = None,
        options: RequestOptions = NO_OPTIONS,
    ) -> EvaluationJob:
        """Poll the job until it is ``completed``, ``error`` or ``user_error``; ``on_poll``
        sees every polled job (an async callback is awaited)."""
        call = api.evaluation.retrieve_evaluation(evaluation_id, options=options)
        return await wait_async(
            self, call, is_done=evaluation_is_finished, policy=policy, on_poll=on_poll
        )
