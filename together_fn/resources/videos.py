"""``client.videos``: video generation jobs, and waiting for them."""

from __future__ import annotations

from together_fn import api
from together_fn.api._build import NO_OPTIONS, RequestOptions
from together_fn.executors.wait import OnPoll
from together_fn.models.videos import VideoJob, is_video_done
from together_fn.resources._base import AsyncNamespace, Namespace, async_method, sync_method
from together_fn.resources._wait import wait_async, wait_sync
from together_fn.wait import WaitPolicy

#: A video takes minutes: poll every few seconds, for up to an hour.
VIDEO_WAIT = WaitPolicy(timeout=3600.0, initial_interval=2.0, max_interval=15.0)


class Videos(Namespace):
    """``client.videos``."""

    create = sync_method(api.videos.create_video)
    retrieve = sync_method(api.videos.retrieve_video)

    def wait(
        self,
        id: str,
        *,
        policy: WaitPolicy = VIDEO_WAIT,
        on_poll: OnPoll | None = None,
        options: RequestOptions = NO_OPTIONS,
    ) -> VideoJob:
        """Poll the video until it is ``completed`` or ``failed``; ``on_poll`` sees every
        polled job. Raises ``WaitTimeoutError`` when time runs out."""
        call = api.videos.retrieve_video(id, options=options)
        return wait_sync(self, call, is_done=is_video_done, policy=policy, on_poll=on_poll)


class AsyncVideos(AsyncNamespace):
    """``client.videos``, awaited."""

    create = async_method(api.videos.create_video)
    retrieve = async_method(api.videos.retrieve_video)

    async def wait(
        self,
        id: str,
        *,
        policy: WaitPolicy = VIDEO_WAIT,
        on_poll: OnPoll | None = None,
        options: RequestOptions = NO_OPTIONS,
    ) -> VideoJob:
        """Poll the video until it is ``completed`` or ``failed``; ``on_poll`` sees every
        polled job (an async callback is awaited)."""
        call = api.videos.retrieve_video(id, options=options)
        return await wait_async(self, call, is_done=is_video_done, policy=policy, on_poll=on_poll)
