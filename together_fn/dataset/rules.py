"""File-wide rules shared by every file type: purpose, size and number of samples."""

from __future__ import annotations

from together_fn.dataset.limits import (
    MAX_FILE_SIZE_BYTES,
    MAX_FILE_SIZE_GB,
    NUM_BYTES_IN_GB,
    PURPOSES,
)
from together_fn.dataset.report import ProblemLog


def check_purpose(purpose: str) -> str:
    """Return ``purpose`` if it is a ``FilePurpose`` value, else raise ``ValueError``."""
    if purpose not in PURPOSES:
        raise ValueError(f"unknown purpose {purpose!r}; expected one of {sorted(PURPOSES)}")
    return purpose


def check_size(size_bytes: int, log: ProblemLog, *, purpose: str) -> None:
    """An empty file is an error; so is a fine-tuning file above ``MAX_FILE_SIZE_GB``."""
    if size_bytes == 0:
        log.add(None, "empty_file", "the file is empty")
    elif purpose == "fine-tune" and size_bytes > MAX_FILE_SIZE_BYTES:
        size_gb = round(size_bytes / NUM_BYTES_IN_GB, 3)
        log.add(
            None,
            "file_too_large",
            f"the file is {size_gb} GB; the largest supported is {MAX_FILE_SIZE_GB} GB",
        )


def check_sample_count(num_samples: int, min_samples: int, log: ProblemLog) -> None:
    """A dataset needs at least ``min_samples`` samples."""
    if num_samples < min_samples:
        log.add(
            None,
            "too_few_samples",
            f"the file has {num_samples} samples; at least {min_samples} are required",
        )
