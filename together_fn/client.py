"""``Together`` and ``AsyncTogether``: a thin, stateful convenience over builders and executors.

The namespaces live in :mod:`together_fn.resources`: every method builds the Call with a builder
from ``together_fn.api``, performs it with the client's executor, and returns the model or raises
the error value itself. No logic lives only there; anything the facade does, the functional API
does too.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from together_fn.calls import Call, Exchange, StreamCall
from together_fn.config import ClientConfig, config_from_env
from together_fn.executors.base import (
    AsyncExecutor,
    AsyncTransport,
    Executor,
    SyncTransport,
)
from together_fn.http import Timeout
from together_fn.resources._base import AsyncChunkStream, ChunkStream, area, unwrap_or_raise
from together_fn.retry import RetryPolicy

if TYPE_CHECKING:
    from together_fn.resources.audio import AsyncAudio, AsyncVoices, Audio, Voices
    from together_fn.resources.batches import AsyncBatches, Batches
    from together_fn.resources.chat import AsyncChat, Chat
    from together_fn.resources.completions import AsyncCompletions, Completions
    from together_fn.resources.compute import AsyncCompute, Compute
    from together_fn.resources.deployments import AsyncDeployments, Deployments
    from together_fn.resources.embeddings import AsyncEmbeddings, Embeddings
    from together_fn.resources.endpoints import AsyncEndpoints, AsyncHardware, Endpoints, Hardware
    from together_fn.resources.evaluation import AsyncEvaluation, Evaluation
    from together_fn.resources.files import AsyncFiles, Files
    from together_fn.resources.fine_tuning import AsyncFineTuning, FineTuning
    from together_fn.resources.images import AsyncImages, Images
    from together_fn.resources.models import AsyncJobs, AsyncModels, Jobs, Models
    from together_fn.resources.queue import AsyncQueue, Queue
    from together_fn.resources.realtime import AsyncRealtime, Realtime
    from together_fn.resources.rerank import AsyncRerank, Rerank
    from together_fn.resources.rl import RL, AsyncRL
    from together_fn.resources.tci import AsyncCodeInterpreter, CodeInterpreter
    from together_fn.resources.videos import AsyncVideos, Videos

T = TypeVar("T")


def _resolve(env: Mapping[str, str] | None, **explicit: Any) -> ClientConfig:
    resolved = config_from_env(os.environ if env is None else env, **explicit)
    return unwrap_or_raise(resolved)


class Together:
    """The synchronous client. ``Together()`` reads ``TOGETHER_API_KEY`` when no key is given.

    Pass ``transport=`` to use another transport (a ``ReplayTransport`` in tests, say);
    the default one, over ``requests``, is created and owned by the client.
    """

    chat: area[Chat] = area("chat", "Chat")
    completions: area[Completions] = area("completions", "Completions")
    embeddings: area[Embeddings] = area("embeddings", "Embeddings")
    rerank: area[Rerank] = area("rerank", "Rerank")
    images: area[Images] = area("images", "Images")
    models: area[Models] = area("models", "Models")
    jobs: area[Jobs] = area("models", "Jobs")
    audio: area[Audio] = area("audio", "Audio")
    voices: area[Voices] = area("audio", "Voices")
    realtime: area[Realtime] = area("realtime", "Realtime")
    videos: area[Videos] = area("videos", "Videos")
    code_interpreter: area[CodeInterpreter] = area("tci", "CodeInterpreter")
    files: area[Files] = area("files", "Files")
    fine_tuning: area[FineTuning] = area("fine_tuning", "FineTuning")
    batches: area[Batches] = area("batches", "Batches")
    endpoints: area[Endpoints] = area("endpoints", "Endpoints")
    hardware: area[Hardware] = area("endpoints", "Hardware")
    evaluation: area[Evaluation] = area("evaluation", "Evaluation")
    queue: area[Queue] = area("queue", "Queue")
    deployments: area[Deployments] = area("deployments", "Deployments")
    compute: area[Compute] = area("compute", "Compute")
    rl: area[RL] = area("rl", "RL")

    def __init__(
        self,
        api_key: str | None = None,
        *,
        base_url: str | None = None,
        timeout: float | Timeout | None = None,
        max_retries: int | None = None,
        retry: RetryPolicy | None = None,
        default_headers: Mapping[str, str] | None = None,
        transport: SyncTransport | None = None,
        env: Mapping[str, str] | None = None,
    ) -> None:
        self.config = _resolve(
            env,
            api_key=api_key,
            base_url=base_url,
            timeout=timeout,
            max_retries=max_retries,
            retry=retry,
            default_headers=default_headers,
        )
        if transport is None:
            from together_fn.executors.requests_transport import RequestsTransport

            transport = RequestsTransport()
        self.executor = Executor(transport, self.config)

    @property
    def evals(self) -> Evaluation:
        """Another name for :attr:`evaluation`."""
        return self.evaluation

    def run(self, call: Call[T]) -> T:
        """Perform any Call; return its value or raise its error."""
        return unwrap_or_raise(self.executor.run(call))

    def execute(self, call: Call[T]) -> Exchange[T]:
        """Perform any Call; the result with status, headers, request id, attempts and time."""
        return self.executor.execute(call)

    def stream(self, call: StreamCall[T]) -> ChunkStream[T]:
        """Perform any StreamCall; iterate the chunks."""
        return ChunkStream(self.executor.stream(call))

    def close(self) -> None:
        """Close the connections the client holds."""
        self.executor.close()

    def __enter__(self) -> Together:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


class AsyncTogether:
    """The asynchronous client; the same namespaces as :class:`Together`, awaited."""

    chat: area[AsyncChat] = area("chat", "AsyncChat")
    completions: area[AsyncCompletions] = area("completions", "AsyncCompletions")
    embeddings: area[AsyncEmbeddings] = area("embeddings", "AsyncEmbeddings")
    rerank: area[AsyncRerank] = area("rerank", "AsyncRerank")
    images: area[AsyncImages] = area("images", "AsyncImages")
    models: area[AsyncModels] = area("models", "AsyncModels")
    jobs: area[AsyncJobs] = area("models", "AsyncJobs")
    audio: area[AsyncAudio] = area("audio", "AsyncAudio")
    voices: area[AsyncVoices] = area("audio", "AsyncVoices")
    realtime: area[AsyncRealtime] = area("realtime", "AsyncRealtime")
    videos: area[AsyncVideos] = area("videos", "AsyncVideos")
    code_interpreter: area[AsyncCodeInterpreter] = area("tci", "AsyncCodeInterpreter")
    files: area[AsyncFiles] = area("files", "AsyncFiles")
    fine_tuning: area[AsyncFineTuning] = area("fine_tuning", "AsyncFineTuning")
    batches: area[AsyncBatches] = area("batches", "AsyncBatches")
    endpoints: area[AsyncEndpoints] = area("endpoints", "AsyncEndpoints")
    hardware: area[AsyncHardware] = area("endpoints", "AsyncHardware")
    evaluation: area[AsyncEvaluation] = area("evaluation", "AsyncEvaluation")
    queue: area[AsyncQueue] = area("queue", "AsyncQueue")
    deployments: area[AsyncDeployments] = area("deployments", "AsyncDeployments")
    compute: area[AsyncCompute] = area("compute", "AsyncCompute")
    rl: area[AsyncRL] = area("rl", "AsyncRL")

    def __init__(
        self,
        api_key: str | None = None,
        *,
        base_url: str | None = None,
        timeout: float | Timeout | None = None,
        max_retries: int | None = None,
        retry: RetryPolicy | None = None,
        default_headers: Mapping[str, str] | None = None,
        transport: AsyncTransport | None = None,
        env: Mapping[str, str] | None = None,
    ) -> None:
        self.config = _resolve(
            env,
            api_key=api_key,
            base_url=base_url,
            timeout=timeout,
            max_retries=max_retries,
            retry=retry,
            default_headers=default_headers,
        )
        if transport is None:
            from together_fn.executors.aiohttp_transport import AiohttpTransport

            transport = AiohttpTransport()
        self.executor = AsyncExecutor(transport, self.config)

    @property
    def evals(self) -> AsyncEvaluation:
        """Another name for :attr:`evaluation`."""
        return self.evaluation

    async def run(self, call: Call[T]) -> T:
        """Perform any Call; return its value or raise its error."""
        return unwrap_or_raise(await self.executor.arun(call))

    async def execute(self, call: Call[T]) -> Exchange[T]:
        """Perform any Call; the result with status, headers, request id, attempts and time."""
        return await self.executor.aexecute(call)

    def stream(self, call: StreamCall[T]) -> AsyncChunkStream[T]:
        """Perform any StreamCall; iterate the chunks with ``async for``."""
        return AsyncChunkStream(self.executor.astream(call))

    async def close(self) -> None:
        """Close the connections the client holds."""
        await self.executor.aclose()

    async def __aenter__(self) -> AsyncTogether:
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.close()
