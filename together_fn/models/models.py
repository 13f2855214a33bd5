"""Model catalogue and model upload models (OpenAPI: ``ModelInfo``, ``ModelInfoList``,
``Pricing``, ``ModelUploadRequest``, ``ModelUploadSuccessResponse``,
``JobInfoSuccessResponse``, ``JobsInfoSuccessResponse``).

``GET /models`` answers with a bare JSON array, so :data:`ModelInfoList` is a tuple type,
not a wrapper object. Response fields are optional wherever the catalogue may leave them out.
"""

from __future__ import annotations

from typing import Any, Literal, TypeAlias

import attrs

from together_fn.models._fields import non_empty
from together_fn.schema import wire_name

ModelType: TypeAlias = Literal["model", "adapter"]

#: ``ModelInfo.type`` values known so far; the field is an open string, since the catalogue
#: grows new kinds (``transcribe``, say) before the spec lists them.
MODEL_INFO_TYPES: tuple[str, ...] = (
    "chat",
    "language",
    "code",
    "image",
    "embedding",
    "moderation",
    "rerank",
    "transcribe",
)

#: ``JobInfoSuccessResponse.status`` values after which a job no longer changes.
FINISHED_JOB_STATUSES: frozenset[str] = frozenset({"complete", "failed"})


@attrs.frozen(kw_only=True)
class Pricing:
    """Prices of a model (per million tokens, or per hour for ``hourly``)."""

    hourly: float | None = None
    input: float | None = None
    output: float | None = None
    base: float | None = None
    finetune: float | None = None


@attrs.frozen(kw_only=True)
class ModelInfo:
    """One model of the catalogue. ``type`` is an open string (see :data:`MODEL_INFO_TYPES`)."""

    id: str
    object: str = "model"
    created: int | None = None
    type: str | None = None
    display_name: str | None = None
    organization: str | None = None
    link: str | None = None
    license: str | None = None
    context_length: int | None = None
    pricing: Pricing | None = None


#: The body of ``GET /models``: a bare array of models.
ModelInfoList: TypeAlias = tuple[ModelInfo, ...]


def _non_empty_optional(_: object, attribute: Any, value: str | None) -> None:
    if value is not None and not value:
        raise ValueError(f"{attribute.name} must not be empty when given")


def _model_type(_: object, attribute: Any, value: str | None) -> None:
    if value is not None and value not in ("model", "adapter"):
        raise ValueError(f"{attribute.name} must be 'model' or 'adapter'; got {value!r}")


@attrs.frozen(kw_only=True)
class ModelUploadRequest:
    """Body of ``POST /models``: import a model or adapter from Hugging Face or S3.

    ``base_model`` and ``lora_model`` only mean something for ``model_type="adapter"``.
    ``hf_token`` is a secret and never shown in a repr.
    """

    model_name: str = attrs.field(validator=non_empty)
    model_source: str = attrs.field(validator=non_empty)
    model_type: ModelType | None = attrs.field(default=None, validator=_model_type)
    hf_token: str | None = attrs.field(default=None, repr=False, validator=_non_empty_optional)
    description: str | None = None
    base_model: str | None = attrs.field(default=None, validator=_non_empty_optional)
    lora_model: str | None = attrs.field(default=None, validator=_non_empty_optional)

    def __attrs_post_init__(self) -> None:
        if self.model_type != "adapter":
            for name in ("base_model", "lora_model"):
                if getattr(self, name) is not None:
                    raise ValueError(f"{name} is only used with model_type='adapter'")


@attrs.frozen(kw_only=True)
class ModelUploadData:
    """The job created by an upload (OpenAPI: ``ModelUploadSuccessResponse.data``)."""

    job_id: str
    model_name: str = ""
    model_id: str = ""
    model_source: str = ""


@attrs.frozen(kw_only=True)
class ModelUploadSuccessResponse:
    """Answer to ``POST /models``: the upload job to follow with ``GET /jobs/{jobId}``."""

    data: ModelUploadData
    message: str = ""

    @property
    def job_id(self) -> str:
        """The upload job's id (where the old SDK had it, at the top level)."""
        return self.data.job_id


@attrs.frozen(kw_only=True)
class JobStatusUpdate:
    """One entry of a job's history (OpenAPI: an item of ``status_updates``)."""

    status: str = ""
    message: str = ""
    timestamp: str | None = None


@attrs.frozen(kw_only=True)
class JobArgs:
    """What the job was asked to do (the wire uses camelCase keys here)."""

    description: str | None = None
    model_name: str | None = attrs.field(default=None, metadata=wire_name("modelName"))
    model_source: str | None = attrs.field(default=None, metadata=wire_name("modelSource"))


@attrs.frozen(kw_only=True)
class JobInfoSuccessResponse:
    """A model upload job. ``status`` is ``Queued``, ``Running``, ``Complete`` or ``Failed``;
    timestamps are ISO-8601 strings, kept as sent."""

    job_id: str
    status: str
    type: str = ""
    status_updates: tuple[JobStatusUpdate, ...] = ()
    args: JobArgs | None = None
    created_at: str | None = None
    updated_at: str | None = None

    @property
    def is_finished(self) -> bool:
        """Whether the job has stopped changing (``Complete`` or ``Failed``)."""
        return self.status.lower() in FINISHED_JOB_STATUSES


@attrs.frozen(kw_only=True)
class JobsInfoSuccessResponse:
    """Answer to ``GET /jobs``."""

    data: tuple[JobInfoSuccessResponse, ...] = ()
