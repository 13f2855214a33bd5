"""``together-fn files``: check a dataset locally, upload, list, retrieve, download, delete."""

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from returns.result import Failure, Success

from together_fn import api
from together_fn.calls import Call
from together_fn.cli.common import Command, flag, optional, positional
from together_fn.cli.output import details, size, table, to_json, when
from together_fn.errors import TogetherError
from together_fn.http import HttpRequest
from together_fn.models.files import (
    FILE_PURPOSES,
    FileDeleteResponse,
    FileList,
    FileResponse,
)

if TYPE_CHECKING:
    from together_fn.cli.run import Runner

#: Exit status of ``files check`` when the file would be rejected.
EXIT_CHECK_FAILED = 3


@dataclass(frozen=True, kw_only=True)
class CheckArgs:
    """Options of ``files check``."""

    file: str = positional(
        "file", str, "the dataset file (.jsonl, .csv or .parquet)", metavar="FILE"
    )
    purpose: str = optional(
        str, "what the file is for", metavar="P", choices=FILE_PURPOSES, default="fine-tune"
    )


def _report(path: str, purpose: str, runner: "Runner") -> Any:
    from together_fn.executors.dataset_files import check_file

    return check_file(path, purpose=purpose, tqdm=runner.console.errors if runner.bars() else False)


def check(args: CheckArgs, runner: "Runner") -> int:
    """Check the file on disk (nothing is sent); exit status 3 when it fails."""
    from together_fn.dataset.report import describe

    report = _report(args.file, args.purpose, runner)
    runner.console.write((to_json(report) if runner.options.json else describe(report)) + "\n")
    return 0 if report.ok else EXIT_CHECK_FAILED


@dataclass(frozen=True, kw_only=True)
class UploadArgs:
    """Options of ``files upload``."""

    file: str = positional("file", str, "the file (.jsonl, .csv or .parquet)", metavar="FILE")
    purpose: str = optional(
        str, "what the file is for", metavar="P", choices=FILE_PURPOSES, default="fine-tune"
    )
    no_check: bool = flag("upload without checking the file first")


def first_request(path: str, purpose: str) -> HttpRequest:
    """The request an upload starts with (what a dry run shows): ``POST /files``, or the
    start of a multipart upload for a large file. Reads the file to hash it."""
    from together_fn.transfers.upload import (
        initiate_multipart_upload,
        plan_upload,
        start_file_upload,
    )

    file = Path(path)
    kind = api.files.file_type_of(file.name)
    if kind is None:
        raise ValueError(f"{file.name}: the name must end in .jsonl, .csv or .parquet")
    plan = plan_upload(file.stat().st_size)
    if plan.multipart:
        return initiate_multipart_upload(
            file_name=file.name,
            file_size=plan.size,
            num_parts=len(plan.parts),
            purpose=purpose,
            file_type=kind,
        ).request
    digest = hashlib.sha256()
    with file.open("rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    return start_file_upload(
        file_name=file.name,
        file_type=kind,
        purpose=purpose,
        sha256=digest.hexdigest(),
        file_size=plan.size,
    )


def upload(args: UploadArgs, runner: "Runner") -> int:
    """Check the file (unless ``--no-check``), then upload it as the API does."""
    from together_fn.dataset.report import describe

    console = runner.console
    if not Path(args.file).is_file():
        raise ValueError(f"no such file: {args.file}")
    if not args.no_check:
        report = _report(args.file, args.purpose, runner)
        if not report.ok:
            console.error(describe(report))
            return EXIT_CHECK_FAILED
    if runner.options.dry_run:
        return runner.show_request(first_request(args.file, args.purpose))
    from together_fn.executors.upload import upload_file

    assert runner.executor is not None
    try:
        result = upload_file(
            runner.executor, args.file, purpose=args.purpose, check=False, tqdm=runner.bars()
        )
    except TogetherError as error:
        return runner.failed(error)
    match result:
        case Success(file):
            return runner.show(file, RETRIEVE, args)
        case Failure(error):
            return runner.failed(error)
    raise AssertionError("unreachable")  # pragma: no cover


@dataclass(frozen=True, kw_only=True)
class NoArgs:
    """No options."""


@dataclass(frozen=True, kw_only=True)
class FileArgs:
    """Options of the commands about one file."""

    id: str = positional("id", str, "the file's id (file-...)", metavar="ID")


@dataclass(frozen=True, kw_only=True)
class ContentArgs:
    """Options of ``files retrieve-content``."""

    id: str = positional("id", str, "the file's id (file-...)", metavar="ID")
    output: str = optional(
        str, "file or directory to save into (default: here)", metavar="PATH", default="."
    )
    overwrite: bool = flag("replace an existing file")


def render_list(files: FileList) -> str:
    """A table of the files, newest first."""
    ordered = sorted(files.data, key=lambda f: f.created_at or 0, reverse=True)
    rows = [
        (f.id, f.filename, f.purpose, size(f.bytes), when(f.created_at), f.line_count)
        for f in ordered
    ]
    headers = ("id", "name", "purpose", "size", "created (UTC)", "lines")
    count = f"{len(rows)} file{'' if len(rows) == 1 else 's'}"
    return table(headers, rows) + f"\n{count}"


def render_file(file: FileResponse) -> str:
    """One file's metadata."""
    return details(
        (
            ("id", file.id),
            ("name", file.filename),
            ("purpose", file.purpose),
            ("type", file.file_type),
            ("size", size(file.bytes)),
            ("lines", file.line_count),
            ("created", when(file.created_at)),
            ("processed", file.processed),
        )
    )


def render_deleted(response: FileDeleteResponse, file_id: str) -> str:
    """What the server says about the deletion."""
    gone = response.deleted is not False
    return f"deleted {response.id or file_id}" if gone else f"not deleted: {file_id}"


def content_call(args: ContentArgs) -> Call[bytes]:
    """The download of a file's content."""
    return api.files.retrieve_file_content(args.id)


def save_content(args: ContentArgs, runner: "Runner") -> int:
    """Download the content to ``--output`` (streamed to disk, resumed if cut)."""
    return runner.download(
        content_call(args), args.output, overwrite=args.overwrite, fallback=f"{args.id}.jsonl"
    )


CHECK = Command(
    name="files check",
    summary="check a dataset file locally before uploading it",
    options=CheckArgs,
    action=check,
    offline=True,
)
UPLOAD = Command(
    name="files upload",
    summary="check and upload a file",
    options=UploadArgs,
    action=upload,
)
LIST = Command(
    name="files list",
    summary="list the uploaded files",
    options=NoArgs,
    to_call=lambda _args: api.files.list_files(),
    render=lambda files, _args: render_list(files),
)
RETRIEVE = Command(
    name="files retrieve",
    summary="show one file's metadata",
    options=FileArgs,
    to_call=lambda args: api.files.retrieve_file(args.id),
    render=lambda file, _args: render_file(file),
)
RETRIEVE_CONTENT = Command(
    name="files retrieve-content",
    summary="download a file's content",
    options=ContentArgs,
    to_call=content_call,
    action=save_content,
)
DELETE = Command(
    name="files delete",
    summary="delete a file",
    options=FileArgs,
    to_call=lambda args: api.files.delete_file(args.id),
    render=lambda response, args: render_deleted(response, args.id),
)
COMMANDS = (CHECK, UPLOAD, LIST, RETRIEVE, RETRIEVE_CONTENT, DELETE)
