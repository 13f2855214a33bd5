"""Download faults through all four runners: truncation after 1 MiB and near the end of a
large file with right and wrong ``Range`` answers, hostile names from every source, a
200 MiB file with bounded memory, and never a temporary file left behind.

The transport-level download cases (one cut, many cuts, digest and size checks,
cancellation) live in ``tests/executors/test_downloads.py``; its file server is reused here.
"""

from __future__ import annotations

import asyncio
import os
import tracemalloc
from pathlib import Path
from typing import Any

import attrs
import pytest
from returns.result import Failure, Result, Success

from tests.executors.loopback import Loopback
from tests.executors.test_downloads import serve
from tests.faults.runners import CLOCK, FAST, KEY, RUNNERS, config
from together_fn.api.files import retrieve_file_content
from together_fn.calls import Call
from together_fn.client import AsyncTogether, Together
from together_fn.errors import DownloadError, TogetherError
from together_fn.executors.aiohttp_transport import AiohttpTransport
from together_fn.executors.base import AsyncExecutor, Executor
from together_fn.executors.download import DownloadedFile, adownload, download
from together_fn.executors.requests_transport import RequestsTransport

MIB = 1024 * 1024
LARGE = os.urandom(8 * MIB + 123)


@attrs.frozen(kw_only=True)
class Downloader:
    """Saves a file's content with one runner: an executor, or the facade's ``output=``."""

    name: str
    base_url: str

    async def save(
        self, file_id: str, destination: Path, **kwargs: Any
    ) -> Result[DownloadedFile, TogetherError]:
        call = retrieve_file_content(file_id)
        if self.name == "requests":
            return await asyncio.to_thread(self._sync, call, destination, kwargs)
        if self.name == "aiohttp":
            executor = AsyncExecutor(
                AiohttpTransport(trust_env=False), config(self.base_url, FAST, 5.0), clock=CLOCK
            )
            try:
                return await adownload(executor, call, destination, **kwargs)
            finally:
                await executor.aclose()
        if self.name == "facade-sync":
            return await asyncio.to_thread(self._facade, file_id, destination)
        return await self._afacade(file_id, destination)

    def _sync(
        self, call: Call[bytes], destination: Path, kwargs: dict[str, Any]
    ) -> Result[DownloadedFile, TogetherError]:
        executor = Executor(
            RequestsTransport(trust_env=False), config(self.base_url, FAST, 5.0), clock=CLOCK
        )
        try:
            return download(executor, call, destination, **kwargs)
        finally:
            executor.close()

    def _facade(self, file_id: str, destination: Path) -> Result[DownloadedFile, TogetherError]:
        with Together(
            KEY, base_url=self.base_url, transport=RequestsTransport(trust_env=False), env={}
        ) as client:
            try:
                return Success(client.files.retrieve_content(file_id, output=str(destination)))
            except TogetherError as error:
                return Failure(error)

    async def _afacade(
        self, file_id: str, destination: Path
    ) -> Result[DownloadedFile, TogetherError]:
        async with AsyncTogether(
            KEY, base_url=self.base_url, transport=AiohttpTransport(trust_env=False), env={}
        ) as client:
            try:
                saved = await client.files.retrieve_content(file_id, output=str(destination))
                return Success(saved)
            except TogetherError as error:
                return Failure(error)


def path_of(file_id: str) -> str:
    return f"/v1/files/{file_id}/content"


def ranges(server: Loopback, file_id: str = "file-1") -> list[str | None]:
    return [r.header("range") for r in server.requests_to(path_of(file_id))]


CUTS = {
    "after-1MiB": MIB,
    "near-the-end": len(LARGE) - 1000,
}


@pytest.mark.asyncio
@pytest.mark.parametrize("runner", RUNNERS)
@pytest.mark.parametrize("cut", CUTS, ids=[f"truncated-{c}-range-honoured" for c in CUTS])
async def test_truncation_is_resumed_from_where_it_stopped(
    runner: str, cut: str, server: Loopback, tmp_path: Path
) -> None:
    at = CUTS[cut]
    server.route(path_of("file-1"), serve(LARGE, cut_after=at), serve(LARGE))
    saved = await Downloader(name=runner, base_url=f"{server.url}/v1").save(
        "file-1", tmp_path / "out.bin"
    )
    assert isinstance(saved, Success), saved
    assert (tmp_path / "out.bin").read_bytes() == LARGE
    assert ranges(server) == [None, f"bytes={at}-"]
    assert os.listdir(tmp_path) == ["out.bin"]


@pytest.mark.asyncio
@pytest.mark.parametrize("runner", RUNNERS)
@pytest.mark.parametrize("cut", CUTS, ids=[f"truncated-{c}-range-ignored" for c in CUTS])
async def test_a_range_answered_with_the_whole_file_restarts(
    runner: str, cut: str, server: Loopback, tmp_path: Path
) -> None:
    server.route(
        path_of("file-1"), serve(LARGE, cut_after=CUTS[cut]), serve(LARGE, ignore_range=True)
    )
    saved = await Downloader(name=runner, base_url=f"{server.url}/v1").save(
        "file-1", tmp_path / "out.bin"
    )
    assert isinstance(saved, Success), saved
    assert (tmp_path / "out.bin").read_bytes() == LARGE  # not the first part twice
    assert os.listdir(tmp_path) == ["out.bin"]


@pytest.mark.asyncio
@pytest.mark.parametrize("runner", RUNNERS)
@pytest.mark.parametrize("cut", CUTS, ids=[f"truncated-{c}-wrong-range" for c in CUTS])
async def test_a_wrong_range_answer_fails_and_leaves_nothing(
    runner: str, cut: str, server: Loopback, tmp_path: Path
) -> None:
    server.route(path_of("file-1"), serve(LARGE, cut_after=CUTS[cut]), serve(LARGE, shift=7))
    saved = await Downloader(name=runner, base_url=f"{server.url}/v1").save(
        "file-1", tmp_path / "out.bin"
    )
    assert isinstance(saved, Failure)
    assert isinstance(saved.failure(), DownloadError)
    assert f"asked for bytes from {CUTS[cut]}" in str(saved.failure())
    assert KEY not in str(saved.failure())
    assert os.listdir(tmp_path) == []  # no temporary file, no lock, no partial file


@pytest.mark.asyncio
@pytest.mark.parametrize("runner", RUNNERS)
async def test_a_download_cut_every_time_fails_and_leaves_nothing(
    runner: str, server: Loopback, tmp_path: Path
) -> None:
    server.route(path_of("file-1"), serve(LARGE, cut_after=MIB))
    saved = await Downloader(name=runner, base_url=f"{server.url}/v1").save("file-1", tmp_path)
    assert isinstance(saved, Failure)
    assert isinstance(saved.failure(), DownloadError)
    assert os.listdir(tmp_path) == []


HOSTILE_DISPOSITIONS = {
    "dotdot": 'attachment; filename="../../evil"',
    "absolute": 'attachment; filename="/etc/evil"',
    "backslashes": 'attachment; filename="..\\\\..\\\\evil"',
    "nul": "attachment; filename*=UTF-8''ev%00il",
    "empty": 'attachment; filename=""',
}


@pytest.mark.asyncio
@pytest.mark.parametrize("runner", RUNNERS)
@pytest.mark.parametrize(
    "source", HOSTILE_DISPOSITIONS, ids=[f"header-{s}" for s in HOSTILE_DISPOSITIONS]
)
async def test_hostile_header_names_stay_inside(
    runner: str, source: str, server: Loopback, tmp_path: Path
) -> None:
    inside = tmp_path / "inside"
    inside.mkdir()
    data = LARGE[:1000]
    server.route(path_of("file-1"), serve(data, disposition=HOSTILE_DISPOSITIONS[source]))
    saved = await Downloader(name=runner, base_url=f"{server.url}/v1").save("file-1", inside)
    assert isinstance(saved, Success), saved
    kept = Path(saved.unwrap().path)
    assert kept.parent == inside
    assert kept.read_bytes() == data
    assert "\x00" not in kept.name
    assert kept.name not in ("", ".", "..")
    assert os.listdir(tmp_path) == ["inside"]


HOSTILE_IDS = {"dotdot-slash": "../../evil", "backslashes": "..\\..\\evil", "nul": "ev\x00il"}


@pytest.mark.asyncio
@pytest.mark.parametrize("runner", ["requests", "aiohttp"])
@pytest.mark.parametrize("source", HOSTILE_IDS, ids=[f"url-{s}" for s in HOSTILE_IDS])
async def test_hostile_names_from_the_url_stay_inside(
    runner: str, source: str, server: Loopback, tmp_path: Path
) -> None:
    # No Content-Disposition: the name comes from the file id in the request's path.
    file_id = HOSTILE_IDS[source]
    inside = tmp_path / "inside"
    inside.mkdir()
    server.route("/v1" + retrieve_file_content(file_id).request.url, serve(b"data"))
    saved = await Downloader(name=runner, base_url=f"{server.url}/v1").save(file_id, inside)
    assert isinstance(saved, Success), saved
    kept = Path(saved.unwrap().path)
    assert kept.parent == inside
    assert kept.read_bytes() == b"data"
    assert os.listdir(tmp_path) == ["inside"]


@pytest.mark.parametrize("file_id", [".", ".."])
def test_a_dot_segment_id_is_refused_before_any_request(file_id: str) -> None:
    # Quoted or not, "/files/.." is resolved by every client to another path of the API.
    with pytest.raises(ValueError, match="not a valid path parameter"):
        retrieve_file_content(file_id)


FALLBACKS = {"dotdot": "../../evil", "absolute": "/abs/evil", "backslash": "..\\evil"}
FALLBACKS |= {"nul": "ev\x00il", "empty": ""}


@pytest.mark.asyncio
@pytest.mark.parametrize("runner", ["requests", "aiohttp"])
@pytest.mark.parametrize("source", FALLBACKS, ids=[f"caller-{s}" for s in FALLBACKS])
async def test_hostile_names_from_the_caller_stay_inside(
    runner: str, source: str, server: Loopback, tmp_path: Path
) -> None:
    fallback = FALLBACKS[source]
    inside = tmp_path / "inside"
    inside.mkdir()
    server.route(path_of("file-1"), serve(b"data"))
    saved = await Downloader(name=runner, base_url=f"{server.url}/v1").save(
        "file-1", inside, fallback_name=fallback
    )
    assert isinstance(saved, Success), saved
    assert Path(saved.unwrap().path).parent == inside
    assert os.listdir(tmp_path) == ["inside"]


@pytest.mark.asyncio
@pytest.mark.parametrize("runner", ["requests", "aiohttp"])
async def test_a_200_mib_download_keeps_memory_bounded(
    runner: str, server: Loopback, tmp_path: Path
) -> None:
    size = 200 * MIB
    server.route(path_of("file-1"), serve(bytes(size)))
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        saved = await Downloader(name=runner, base_url=f"{server.url}/v1").save(
            "file-1", tmp_path / "big"
        )
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert saved.unwrap().size == size
    assert (tmp_path / "big").stat().st_size == size
    assert peak - before <= 64 * MIB, f"grew by {(peak - before) / MIB:.1f} MiB"
    assert os.listdir(tmp_path) == ["big"]
