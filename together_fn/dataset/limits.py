"""Limits and vocabularies of the dataset checker, named once.

The values come from the old official SDK (``together/constants.py`` and ``utils/files.py``) and
its manual ("File Validation"); where the two disagree the comment says which one was chosen.
"""

from __future__ import annotations

from typing import Final

#: Smallest fine-tuning dataset the old SDK accepted (``MIN_SAMPLES``).
MIN_SAMPLES: Final = 100

#: Bytes in a GiB: the old SDK compared sizes in units of 2**30.
NUM_BYTES_IN_GB: Final = 2**30

#: Largest dataset file accepted for fine-tuning. The old SDK stopped at 4.9 GB while it only had
#: single-request uploads; multipart uploads (above 5 GiB) raised the limit to 50.1 GB.
MAX_FILE_SIZE_GB: Final = 50.1
MAX_FILE_SIZE_BYTES: Final = int(MAX_FILE_SIZE_GB * NUM_BYTES_IN_GB)

#: Largest base64 image in a multimodal example, measured on the base64 text ("Maximum base64
#: image size: 10MB" in the manual).
MAX_IMAGE_BYTES: Final = 10 * 1024 * 1024

#: Most images in one example. The manual says 5 in one table and 10 in another; the later
#: SDK constant (``MAX_IMAGES_PER_EXAMPLE``) is 10.
MAX_IMAGES_PER_EXAMPLE: Final = 10

#: Image types accepted in ``data:`` URLs.
IMAGE_MIME_TYPES: Final = frozenset({"image/jpeg", "image/png", "image/webp"})

#: How many problems a report keeps; ``problem_count`` still counts them all.
MAX_PROBLEMS: Final = 100

#: Values of the OpenAPI ``FilePurpose`` enum.
PURPOSES: Final = frozenset(
    {
        "fine-tune",
        "eval",
        "eval-sample",
        "eval-output",
        "eval-summary",
        "batch-generated",
        "batch-api",
    }
)

#: Roles a conversation may use.
ROLES: Final = frozenset({"system", "user", "assistant", "tool"})

#: Fields of each JSONL dataset format: required, then optional.
FORMAT_FIELDS: Final[dict[str, tuple[frozenset[str], frozenset[str]]]] = {
    "general": (frozenset({"text"}), frozenset()),
    "conversation": (frozenset({"messages"}), frozenset({"tools"})),
    "instruction": (frozenset({"prompt", "completion"}), frozenset()),
    "preference": (
        frozenset({"input", "preferred_output", "non_preferred_output"}),
        frozenset(),
    ),
}

#: Columns of a pre-tokenized (Parquet) dataset; ``input_ids`` is required.
PRETOKENIZED_COLUMNS: Final = ("input_ids", "attention_mask", "labels", "position_ids")
