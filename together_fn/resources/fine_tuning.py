"""``client.fine_tuning``: jobs, their events, checkpoints and metrics, limits, prices, downloads.

``create`` checks the request before anything is sent: the local rules at once, then (with
``validate=True``) against the model's limits, then (with ``check_price=True``) against the
price estimate, which ``on_estimate`` sees and may decline. ``download`` saves a checkpoint
safely to disk, and ``wait`` polls a job until it ends.
"""

from __future__ import annotations

import inspect
import os
from collections.abc import Callable
from typing import Any, Protocol, cast

from together_fn import api
from together_fn.api._build import NO_OPTIONS, RequestOptions
from together_fn.calls import Call
from together_fn.executors.base import AsyncExecutor, Executor
from together_fn.executors.download import (
    DownloadedFile,
    ProgressCallback,
    adownload,
    download,
)
from together_fn.executors.wait import OnPoll
from together_fn.fine_tuning import (
    is_fine_tune_done,
    needs_price_check,
    parse_fine_tune_ref,
    price_verdict,
)
from together_fn.models.fine_tunes import (
    FineTuneModelLimits,
    FinetunePriceEstimate,
    FinetuneResponse,
    FinetuneResponseTruncated,
)
from together_fn.resources._base import (
    AsyncNamespace,
    Namespace,
    async_method,
    sync_method,
    unwrap_or_raise,
)
from together_fn.resources._wait import wait_async, wait_sync
from together_fn.wait import WaitPolicy

Output = str | os.PathLike[str]

#: Called with the price estimate before a job is created; returning ``False`` declines it.
OnEstimate = Callable[[FinetunePriceEstimate], object]

#: Fine-tunes run for hours: poll every few seconds at first, then every minute, for a day.
FINE_TUNE_WAIT = WaitPolicy(timeout=24 * 3600.0, initial_interval=5.0, max_interval=60.0)


class _HasExecutor(Protocol):
    executor: Executor


class _HasAsyncExecutor(Protocol):
    executor: AsyncExecutor


def _side_options(options: RequestOptions) -> RequestOptions:
    # The limits and price look-ups share the caller's headers and timeout, not its body.
    return RequestOptions(extra_headers=options.extra_headers, timeout=options.timeout)


def _limits_model(params: dict[str, Any]) -> str:
    model = params.get("model")
    if model:
        return str(model)
    return str(params.get("from_checkpoint", "")).split(":")[0]


def _one_id(id: str | None, fine_tune_id: str | None) -> str:
    # ``fine_tune_id=`` is the old SDK's keyword for the same argument.
    if (id is None) == (fine_tune_id is None):
        raise TypeError("give the fine-tune id once, as id or fine_tune_id")
    return id if id is not None else str(fine_tune_id)


def _fallback_name(job: FinetuneResponseTruncated, job_id: str) -> str:
    return (job.model_output_name or job_id).replace("/", "--")


class FineTuning(Namespace):
    """``client.fine_tuning``."""

    list = sync_method(api.fine_tunes.list_fine_tunes)
    retrieve = sync_method(api.fine_tunes.retrieve_fine_tune)
    cancel = sync_method(api.fine_tunes.cancel_fine_tune)
    delete = sync_method(api.fine_tunes.delete_fine_tune)
    list_events = sync_method(api.fine_tunes.list_fine_tune_events)
    list_checkpoints = sync_method(api.fine_tunes.list_fine_tune_checkpoints)
    retrieve_metrics = sync_method(api.fine_tunes.retrieve_fine_tune_metrics)
    estimate_price = sync_method(api.fine_tunes.estimate_fine_tune_price)
    list_supported_models = sync_method(api.fine_tunes.list_supported_fine_tune_models)
    retrieve_model_limits = sync_method(api.fine_tunes.retrieve_fine_tune_model_limits)
    # The old SDK's names.
    checkpoints = list_checkpoints
    retrieve_checkpoints = list_checkpoints

    def get_model_limits(
        self, model: str, *, options: RequestOptions = NO_OPTIONS
    ) -> FineTuneModelLimits:
        """A model's fine-tuning limits (the old SDK's ``get_model_limits(model=...)``)."""
        return self._client.run(
            api.fine_tunes.retrieve_fine_tune_model_limits(model, options=options)
        )

    def create(
        self,
        *,
        validate: bool = True,
        check_price: bool = True,
        on_estimate: OnEstimate | None = None,
        **params: Any,
    ) -> FinetuneResponseTruncated:
        """Start a fine-tuning job; takes :func:`~together_fn.api.fine_tunes.create_fine_tune`'s
        parameters. ``validate`` fetches the model's limits (unless ``model_limits`` is given)
        and raises ``FineTuneLimitError`` before sending a request that exceeds them;
        ``check_price`` estimates the price first, passes it to ``on_estimate`` and raises
        ``FineTunePriceRejectedError`` if the API or the callback (returning ``False``) says no.
        """
        call = api.fine_tunes.create_fine_tune(**params)
        side = _side_options(params.get("options", NO_OPTIONS))
        if validate and params.get("model_limits") is None:
            limits = self.get_model_limits(_limits_model(params), options=side)
            call = api.fine_tunes.create_fine_tune(**{**params, "model_limits": limits})
        if check_price and needs_price_check(params):
            estimate = self._client.run(api.fine_tunes.estimate_price_of(call, options=side))
            answer = on_estimate(estimate) if on_estimate is not None else None
            rejected = price_verdict(estimate, answer)
            if rejected is not None:
                raise rejected
        return self._client.run(call)

    def download(
        self,
        id: str | None = None,
        *,
        fine_tune_id: str | None = None,
        output: Output | None = None,
        checkpoint_step: int | None = None,
        checkpoint_type: str = "default",
        overwrite: bool = False,
        progress: ProgressCallback | bool | None = None,
        options: RequestOptions = NO_OPTIONS,
    ) -> DownloadedFile:
        """Save a fine-tuned model or checkpoint (``"ft-id"`` or ``"ft-id:STEP"``, also accepted
        as ``fine_tune_id=``) to ``output`` (a file or a directory; the current one by default):
        streamed, resumed if cut, never over an existing file unless ``overwrite``.
        ``checkpoint_type`` is ``default``, ``merged``, ``adapter`` or ``model_output_path``;
        the job is read first to resolve it.
        """
        job_id, step = parse_fine_tune_ref(_one_id(id, fine_tune_id), checkpoint_step)
        api.fine_tunes.download_fine_tune(
            job_id, checkpoint_step=step, checkpoint_type=checkpoint_type
        )
        job = self._client.run(
            api.fine_tunes.retrieve_fine_tune(job_id, options=_side_options(options))
        )
        call = _download_call(job, job_id, step, checkpoint_type, options)
        executor = cast(_HasExecutor, self._client).executor
        saved = download(
            executor,
            call,
            "." if output is None else output,
            overwrite=overwrite,
            progress=progress,
            fallback_name=_fallback_name(job, job_id),
        )
        return unwrap_or_raise(saved)

    def wait(
        self,
        id: str,
        *,
        policy: WaitPolicy = FINE_TUNE_WAIT,
        on_poll: OnPoll | None = None,
        options: RequestOptions = NO_OPTIONS,
    ) -> FinetuneResponse:
        """Poll the job until it is ``completed``, ``cancelled`` or ``error``; ``on_poll`` sees
        every polled job. Raises ``WaitTimeoutError`` when time runs out."""
        call = api.fine_tunes.retrieve_fine_tune(id, options=options)
        return wait_sync(self, call, is_done=is_fine_tune_done, policy=policy, on_poll=on_poll)


def _download_call(
    job: FinetuneResponseTruncated,
    job_id: str,
    step: int | None,
    checkpoint_type: str,
    options: RequestOptions,
) -> Call[bytes]:
    return api.fine_tunes.download_fine_tune(
        job_id,
        checkpoint_step=step,
        checkpoint_type=checkpoint_type,
        training_type=job.training_type,
        options=options,
    )


class AsyncFineTuning(AsyncNamespace):
    """``client.fine_tuning``, awaited."""

    list = async_method(api.fine_tunes.list_fine_tunes)
    retrieve = async_method(api.fine_tunes.retrieve_fine_tune)
    cancel = async_method(api.fine_tunes.cancel_fine_tune)
    delete = async_method(api.fine_tunes.delete_fine_tune)
    list_events = async_method(api.fine_tunes.list_fine_tune_events)
    list_checkpoints = async_method(api.fine_tunes.list_fine_tune_checkpoints)
    retrieve_metrics = async_method(api.fine_tunes.retrieve_fine_tune_metrics)
    estimate_price = async_method(api.fine_tunes.estimate_fine_tune_price)
    list_supported_models = async_method(api.fine_tunes.list_supported_fine_tune_models)
    retrieve_model_limits = async_method(api.fine_tunes.retrieve_fine_tune_model_limits)
    checkpoints = list_checkpoints
    retrieve_checkpoints = list_checkpoints

    async def get_model_limits(
        self, model: str, *, options: RequestOptions = NO_OPTIONS
    ) -> FineTuneModelLimits:
        """A model's fine-tuning limits (the old SDK's ``get_model_limits(model=...)``)."""
        return await self._client.run(
            api.fine_tunes.retrieve_fine_tune_model_limits(model, options=options)
        )

    async def create(
        self,
        *,
        validate: bool = True,
        check_price: bool = True,
        on_estimate: OnEstimate | None = None,
        **params: Any,
    ) -> FinetuneResponseTruncated:
        """The async twin of :meth:`FineTuning.create` (an async ``on_estimate`` is awaited)."""
        call = api.fine_tunes.create_fine_tune(**params)
        side = _side_options(params.get("options", NO_OPTIONS))
        if validate and params.get("model_limits") is None:
            limits = await self.get_model_limits(_limits_model(params), options=side)
            call = api.fine_tunes.create_fine_tune(**{**params, "model_limits": limits})
        if check_price and needs_price_check(params):
            estimate = await self._client.run(api.fine_tunes.estimate_price_of(call, options=side))
            answer = on_estimate(estimate) if on_estimate is not None else None
            if inspect.isawaitable(answer):
                answer = await answer
            rejected = price_verdict(estimate, answer)
            if rejected is not None:
                raise rejected
        return await self._client.run(call)

    async def download(
        self,
        id: str | None = None,
        *,
        fine_tune_id: str | None = None,
        output: Output | None = None,
        checkpoint_step: int | None = None,
        checkpoint_type: str = "default",
        overwrite: bool = False,
        progress: ProgressCallback | bool | None = None,
        options: RequestOptions = NO_OPTIONS,
    ) -> DownloadedFile:
        """The async twin of :meth:`FineTuning.download`."""
        job_id, step = parse_fine_tune_ref(_one_id(id, fine_tune_id), checkpoint_step)
        api.fine_tunes.download_fine_tune(
            job_id, checkpoint_step=step, checkpoint_type=checkpoint_type
        )
        job = await self._client.run(
            api.fine_tunes.retrieve_fine_tune(job_id, options=_side_options(options))
        )
        call = _download_call(job, job_id, step, checkpoint_type, options)
        executor = cast(_HasAsyncExecutor, self._client).executor
        saved = await adownload(
            executor,
            call,
            "." if output is None else output,
            overwrite=overwrite,
            progress=progress,
            fallback_name=_fallback_name(job, job_id),
        )
        return unwrap_or_raise(saved)

    async def wait(
        self,
        id: str,
        *,
        policy: WaitPolicy = FINE_TUNE_WAIT,
        on_poll: OnPoll | None = None,
        options: RequestOptions = NO_OPTIONS,
    ) -> FinetuneResponse:
        """The async twin of :meth:`FineTuning.wait` (an async ``on_poll`` is awaited)."""
        call = api.fine_tunes.retrieve_fine_tune(id, options=options)
        return await wait_async(
            self, call, is_done=is_fine_tune_done, policy=policy, on_poll=on_poll
        )


def _with_create_parameters(method: Callable[..., Any]) -> None:
    # help() and IDEs show the builder's parameters (and the checks) on ``create``.
    own = [
        p
        for p in inspect.signature(method).parameters.values()
        if p.kind is not inspect.Parameter.VAR_KEYWORD
    ]
    builder = inspect.signature(api.fine_tunes.create_fine_tune).parameters.values()
    method.__signature__ = inspect.Signature([*own, *builder])  # type: ignore[attr-defined]


_with_create_parameters(FineTuning.create)
_with_create_parameters(AsyncFineTuning.create)
