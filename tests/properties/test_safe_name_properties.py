"""Safe-name reduction, fuzzed: whatever a server, URL or user calls a file, the name kept
stays a single plain entry inside the target directory."""

from __future__ import annotations

import os
import posixpath

from hypothesis import given, settings
from hypothesis import strategies as st

from together_fn.api._build import path_param
from together_fn.transfers.download import LAST_RESORT_NAME, is_within, safe_filename

HOSTILE = st.sampled_from(
    [
        "../../evil",
        "/etc/passwd",
        "..\\..\\evil",
        "C:\\Windows\\evil",
        "a\x00b",
        "",
        ".",
        "..",
        " ",
        "...",
        "\u202egnp.exe",
        "con",
        "a/../../b",
        "~/.ssh/id_rsa",
        "\\\\server\\share\\x",
    ]
)
PIECES = st.lists(
    st.one_of(HOSTILE, st.text(max_size=20), st.sampled_from(["/", "\\", "..", ".", "\x00"])),
    max_size=8,
).map("".join)


@settings(max_examples=500)
@given(name=st.one_of(st.none(), HOSTILE, PIECES, st.text()), fallback=st.one_of(HOSTILE, PIECES))
def test_the_name_kept_never_leaves_the_directory(name: str | None, fallback: str) -> None:
    kept = safe_filename(name, fallback)
    assert kept
    assert "/" not in kept
    assert "\\" not in kept
    assert "\x00" not in kept
    assert kept not in (".", "..")
    assert not kept.startswith(".") or kept == LAST_RESORT_NAME
    assert len(kept.encode()) <= 255
    directory = os.path.abspath("/downloads/target")
    target = os.path.join(directory, kept)
    assert is_within(directory, target)
    assert os.path.dirname(os.path.normpath(target)) == directory


@settings(max_examples=300)
@given(
    value=st.one_of(st.sampled_from([".", "..", "../x", "a/../..", "%2e%2e", "\\.."]), st.text())
)
def test_a_path_parameter_never_leaves_its_segment(value: str) -> None:
    try:
        segment = path_param(value)
    except ValueError:
        assert value in ("", ".", "..")
        return
    assert "/" not in segment
    assert segment not in (".", "..")
    # Resolving the path as every client does keeps the segment where it was put.
    resolved = posixpath.normpath(f"/v1/files/{segment}/content")
    assert resolved == f"/v1/files/{segment}/content"


@settings(max_examples=500)
@given(PIECES)
def test_a_safe_name_is_already_safe(name: str) -> None:
    once = safe_filename(name, "fallback")
    assert safe_filename(once, "other") == once
    assert safe_filename(". 0", "f") == "0"
