"""``client.files``: upload, list, retrieve, delete, and read or safely download content."""

from __future__ import annotations

import os
from typing import Protocol, overload

from together_fn import api
from together_fn.api._build import NO_OPTIONS, RequestOptions
from together_fn.executors.base import AsyncExecutor, Executor
from together_fn.executors.download import (
    DownloadedFile,
    ProgressCallback,
    adownload,
    download,
)
from together_fn.executors.upload import OnProgress, aupload_file, upload_file
from together_fn.models.files import FileResponse
from together_fn.resources._base import (
    AsyncNamespace,
    AsyncRunner,
    Namespace,
    Runner,
    async_method,
    sync_method,
    unwrap_or_raise,
)

Output = str | os.PathLike[str]


class DownloadRunner(Runner, Protocol):
    """What ``client.files`` needs of ``Together``: the executor, to stream to disk."""

    executor: Executor


class AsyncDownloadRunner(AsyncRunner, Protocol):
    """What ``client.files`` needs of ``AsyncTogether``."""

    executor: AsyncExecutor


class Files(Namespace):
    """``client.files``."""

    list = sync_method(api.files.list_files)
    retrieve = sync_method(api.files.retrieve_file)
    delete = sync_method(api.files.delete_file)

    def __init__(self, client: DownloadRunner) -> None:
        super().__init__(client)
        self._owner = client

    def upload(
        self,
        file: Output,
        *,
        purpose: str = "fine-tune",
        check: bool = True,
        progress: OnProgress | None = None,
        tqdm: bool = False,
        state_path: Output | None = None,
    ) -> FileResponse:
        """Upload ``file`` as the API does it (``POST /files``, the bytes streamed to a signed
        URL that never sees the key, then preprocessing; parallel resumable parts above
        5 GiB). ``check`` runs the local dataset check first: a failure sends nothing and
        raises :class:`~together_fn.errors.InvalidFileFormatError`. With ``state_path``, a
        failed large upload can be run again and sends only the missing parts."""
        uploaded = upload_file(
            self._owner.executor,
            file,
            purpose=purpose,
            check=check,
            progress=progress,
            tqdm=tqdm,
            state_path=state_path,
        )
        return unwrap_or_raise(uploaded)

    @overload
    def retrieve_content(
        self,
        id: str | None = None,
        *,
        file_id: str | None = None,
        output: None = None,
        overwrite: bool = False,
        progress: ProgressCallback | bool | None = None,
        options: RequestOptions = NO_OPTIONS,
    ) -> bytes: ...

    @overload
    def retrieve_content(
        self,
        id: str | None = None,
        *,
        file_id: str | None = None,
        output: Output,
        overwrite: bool = False,
        progress: ProgressCallback | bool | None = None,
        options: RequestOptions = NO_OPTIONS,
    ) -> DownloadedFile: ...

    def retrieve_content(
        self,
        id: str | None = None,
        *,
        file_id: str | None = None,
        output: Output | None = None,
        overwrite: bool = False,
        progress: ProgressCallback | bool | None = None,
        options: RequestOptions = NO_OPTIONS,
    ) -> bytes | DownloadedFile:
        """A file's content: the bytes, or, with ``output`` (a file path or a directory),
        saved there safely (streamed, resumed if cut, never over an existing file unless
        ``overwrite``) and described by a :class:`DownloadedFile`."""
        call = api.files.retrieve_file_content(id, file_id=file_id, options=options)
        if output is None:
            return self._client.run(call)
        saved = download(self._owner.executor, call, output, overwrite=overwrite, progress=progress)
        return unwrap_or_raise(saved)


class AsyncFiles(AsyncNamespace):
    """``client.files``, awaited."""

    list = async_method(api.files.list_files)
    retrieve = async_method(api.files.retrieve_file)
    delete = async_method(api.files.delete_file)

    def __init__(self, client: AsyncDownloadRunner) -> None:
        super().__init__(client)
        self._owner = client

    async def upload(
        self,
        file: Output,
        *,
        purpose: str = "fine-tune",
        check: bool = True,
        progress: OnProgress | None = None,
        tqdm: bool = False,
        state_path: Output | None = None,
    ) -> FileResponse:
        """The async twin of :meth:`Files.upload`."""
        uploaded = await aupload_file(
            self._owner.executor,
            file,
            purpose=purpose,
            check=check,
            progress=progress,
            tqdm=tqdm,
            state_path=state_path,
        )
        return unwrap_or_raise(uploaded)

    @overload
    async def retrieve_content(
        self,
        id: str | None = None,
        *,
        file_id: str | None = None,
        output: None = None,
        overwrite: bool = False,
        progress: ProgressCallback | bool | None = None,
        options: RequestOptions = NO_OPTIONS,
    ) -> bytes: ...

    @overload
    async def retrieve_content(
        self,
        id: str | None = None,
        *,
        file_id: str | None = None,
        output: Output,
        overwrite: bool = False,
        progress: ProgressCallback | bool | None = None,
        options: RequestOptions = NO_OPTIONS,
    ) -> DownloadedFile: ...

    async def retrieve_content(
        self,
        id: str | None = None,
        *,
        file_id: str | None = None,
        output: Output | None = None,
        overwrite: bool = False,
        progress: ProgressCallback | bool | None = None,
        options: RequestOptions = NO_OPTIONS,
    ) -> bytes | DownloadedFile:
        """The async twin of :meth:`Files.retrieve_content`."""
        call = api.files.retrieve_file_content(id, file_id=file_id, options=options)
        if output is None:
            return await self._client.run(call)
        saved = await adownload(
            self._owner.executor, call, output, overwrite=overwrite, progress=progress
        )
        return unwrap_or_raise(saved)
