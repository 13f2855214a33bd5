"""Unpacking a downloaded checkpoint archive, refusing anything that could escape its folder.

Every member is checked first with :func:`~together_fn.fine_tuning.archive_member_problem`
(absolute paths, ``..``, links and special files are refused, and then nothing is written);
the extraction itself uses ``tarfile``'s ``"data"`` filter as a second line of defence.
"""

from __future__ import annotations

import os
import tarfile
from pathlib import Path

from returns.result import Failure, Result, Success

from together_fn.errors import DownloadError
from together_fn.fine_tuning import archive_member_problem

#: The first bytes of a Zstandard frame: ``tarfile`` cannot read those archives.
_ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"


def _problems(members: list[tarfile.TarInfo]) -> list[str]:
    found = []
    for member in members:
        problem = archive_member_problem(
            member.name,
            is_symlink=member.issym(),
            is_hardlink=member.islnk(),
            link_target=member.linkname,
            is_special=not (member.isfile() or member.isdir() or member.issym() or member.islnk()),
        )
        if problem is not None:
            found.append(problem)
    return found


def extract_archive(
    archive: str | os.PathLike[str], destination: str | os.PathLike[str]
) -> Result[tuple[str, ...], DownloadError]:
    """Unpack a tar archive (plain, gzip, bzip2 or xz) into the existing folder
    ``destination``: the paths written, or why nothing was unpacked."""
    target = Path(destination)
    if not target.is_dir():
        return Failure(DownloadError(message=f"{os.fspath(destination)!r} is not a directory"))
    try:
        with open(archive, "rb") as handle:
            if handle.read(4) == _ZSTD_MAGIC:
                return Failure(
                    DownloadError(
                        message="Zstandard archives cannot be unpacked here; use `tar --zstd -xf`"
                    )
                )
        with tarfile.open(archive, "r:*") as tar:
            members = tar.getmembers()
            problems = _problems(members)
            if problems:
                return Failure(
                    DownloadError(message="refusing to unpack the archive: " + "; ".join(problems))
                )
            tar.extractall(target, members=members, filter="data")
    except (OSError, tarfile.TarError) as exc:
        return Failure(DownloadError(message=f"could not unpack {os.fspath(archive)!r}: {exc}"))
    return Success(tuple(str(target / m.name) for m in members))
