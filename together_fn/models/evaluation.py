"""Evaluation models (OpenAPI: ``EvaluationTypedRequest``, ``EvaluationClassifyParameters``,
``EvaluationScoreParameters``, ``EvaluationCompareParameters``, ``EvaluationJudgeModelConfig``,
``EvaluationModelRequest``, ``EvaluationResponse``, ``EvaluationJob``,
``EvaluationJobStatusUpdate``, ``EvaluationClassifyResults``, ``EvaluationScoreResults``,
``EvaluationCompareResults``; the inline bodies are named ``EvaluationStatusResponse``,
``EvaluationModelListResponse`` and ``EvaluationErrorResults``).

Request models are strict: parameters may be given as dicts, which are checked field by field
(unknown keys are refused) when the request is built.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Annotated, Any, Literal, TypeAlias

import attrs

from together_fn.codec import JSON
from together_fn.models._fields import at_least, in_range, non_empty
from together_fn.schema import ByKey, wire_name

EvaluationType: TypeAlias = Literal["classify", "score", "compare"]
ModelSource: TypeAlias = Literal["serverless", "dedicated", "external"]
#: ``EvaluationJob.status`` values of the spec (the field stays an open string).
EvaluationStatus: TypeAlias = Literal[
    "pending", "queued", "running", "completed", "error", "user_error"
]
#: Statuses after which an evaluation no longer changes.
FINISHED_EVALUATION_STATUSES: frozenset[str] = frozenset({"completed", "error", "user_error"})

_SOURCES = ("serverless", "dedicated", "external")


def _model_source(_: object, attribute: Any, value: str) -> None:
    if value not in _SOURCES:
        raise ValueError(f"{attribute.name} must be one of {_SOURCES}, got {value!r}")


def _optional_text(_: object, attribute: Any, value: str | None) -> None:
    if value is not None and not value:
        raise ValueError(f"{attribute.name} must not be empty when given")


def _optional_int(_: object, attribute: Any, value: int | None) -> None:
    if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
        raise TypeError(f"{attribute.name} must be an integer, got {value!r}")


def _integer(_: object, attribute: Any, value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{attribute.name} must be an integer, got {value!r}")


def _number(_: object, attribute: Any, value: float) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float) or value != value:
        raise TypeError(f"{attribute.name} must be a number, got {value!r}")


def from_mapping(value: object, cls: type[Any]) -> Any:
    """``value`` as ``cls``: an instance as it is, a dict checked field by field."""
    if isinstance(value, cls):
        return value
    if not isinstance(value, Mapping):
        raise TypeError(f"expected a dict or {cls.__name__}, got {type(value).__name__}")
    known = {a.name for a in attrs.fields(cls)}
    unknown = sorted(set(value) - known)
    if unknown:
        raise ValueError(f"{cls.__name__} has no field(s) {unknown}")
    return cls(**value)


def _labels(value: Iterable[str]) -> tuple[str, ...]:
    if isinstance(value, str):
        raise TypeError("labels must be a list of strings, not one string")
    items = tuple(value)
    for item in items:
        if not isinstance(item, str) or not item:
            raise ValueError(f"labels must be non-empty strings, got {item!r}")
    return items


@attrs.frozen(kw_only=True)
class EvaluationJudgeModelConfig:
    """The model that judges: its name, system prompt and where it is served."""

    model: str = attrs.field(validator=non_empty)
    system_template: str = attrs.field(validator=non_empty)
    model_source: str = attrs.field(validator=_model_source)
    external_api_token: str | None = attrs.field(default=None, repr=False)
    external_base_url: str | None = attrs.field(default=None, validator=_optional_text)
    num_workers: int | None = attrs.field(
        default=None, validator=attrs.validators.and_(_optional_int, at_least(1))
    )


@attrs.frozen(kw_only=True)
class EvaluationModelRequest:
    """A model whose answers are evaluated, with its generation settings."""

    model: str = attrs.field(validator=non_empty)
    max_tokens: int = attrs.field(validator=attrs.validators.and_(_integer, at_least(1)))
    temperature: float = attrs.field(validator=attrs.validators.and_(_number, in_range(0, 2)))
    system_template: str
    input_template: str = attrs.field(validator=non_empty)
    model_source: str = attrs.field(validator=_model_source)
    external_api_token: str | None = attrs.field(default=None, repr=False)
    external_base_url: str | None = attrs.field(default=None, validator=_optional_text)
    num_workers: int | None = attrs.field(
        default=None, validator=attrs.validators.and_(_optional_int, at_least(1))
    )


#: A model to evaluate, or the name of a field of the input data holding its answers.
EvaluationModelOrString: TypeAlias = str | EvaluationModelRequest


def _judge(value: object) -> EvaluationJudgeModelConfig:
    judge: EvaluationJudgeModelConfig = from_mapping(value, EvaluationJudgeModelConfig)
    return judge


def _model_or_field(value: object) -> EvaluationModelOrString | None:
    if value is None or isinstance(value, str):
        if value == "":
            raise ValueError("a model field name must not be empty")
        return value
    model: EvaluationModelRequest = from_mapping(value, EvaluationModelRequest)
    return model


@attrs.frozen(kw_only=True)
class EvaluationClassifyParameters:
    """Classify each answer into ``labels``; those in ``pass_labels`` pass."""

    judge: EvaluationJudgeModelConfig = attrs.field(converter=_judge)
    labels: tuple[str, ...] = attrs.field(converter=_labels)
    pass_labels: tuple[str, ...] = attrs.field(converter=_labels)
    input_data_file_path: str = attrs.field(validator=non_empty)
    model_to_evaluate: EvaluationModelOrString | None = attrs.field(
        default=None, converter=_model_or_field
    )

    def __attrs_post_init__(self) -> None:
        if len(self.labels) < 2:
            raise ValueError("labels needs at least two labels")
        if not self.pass_labels:
            raise ValueError("pass_labels needs at least one label")
        strangers = [label for label in self.pass_labels if label not in self.labels]
        if strangers:
            raise ValueError(f"pass_labels {strangers} are not among labels {list(self.labels)}")


@attrs.frozen(kw_only=True)
class EvaluationScoreParameters:
    """Score each answer from ``min_score`` to ``max_score``; ``pass_threshold`` passes."""

    judge: EvaluationJudgeModelConfig = attrs.field(converter=_judge)
    min_score: float = attrs.field(validator=_number)
    max_score: float = attrs.field(validator=_number)
    pass_threshold: float = attrs.field(validator=_number)
    input_data_file_path: str = attrs.field(validator=non_empty)
    model_to_evaluate: EvaluationModelOrString | None = attrs.field(
        default=None, converter=_model_or_field
    )

    def __attrs_post_init__(self) -> None:
        if not self.min_score < self.max_score:
            raise ValueError("min_score must be below max_score")
        if not self.min_score <= self.pass_threshold <= self.max_score:
            raise ValueError("pass_threshold must lie between min_score and max_score")


@attrs.frozen(kw_only=True)
class EvaluationCompareParameters:
    """Compare the answers of ``model_a`` and ``model_b`` (models, or fields of the data)."""

    judge: EvaluationJudgeModelConfig = attrs.field(converter=_judge)
    input_data_file_path: str = attrs.field(validator=non_empty)
    model_a: EvaluationModelOrString | None = attrs.field(default=None, converter=_model_or_field)
    model_b: EvaluationModelOrString | None = attrs.field(default=None, converter=_model_or_field)


EvaluationParameters: TypeAlias = (
    EvaluationClassifyParameters | EvaluationScoreParameters | EvaluationCompareParameters
)
PARAMETERS_BY_TYPE: dict[str, type[Any]] = {
    "classify": EvaluationClassifyParameters,
    "score": EvaluationScoreParameters,
    "compare": EvaluationCompareParameters,
}


@attrs.frozen(kw_only=True)
class EvaluationTypedRequest:
    """Body of ``POST /evaluation``: the kind of evaluation and its parameters."""

    type: str
    parameters: EvaluationParameters

    def __attrs_post_init__(self) -> None:
        expected = PARAMETERS_BY_TYPE.get(self.type)
        if expected is None:
            raise ValueError(f"type must be one of {tuple(PARAMETERS_BY_TYPE)}, got {self.type!r}")
        if not isinstance(self.parameters, expected):
            raise TypeError(
                f"a {self.type!r} evaluation takes {expected.__name__}, "
                f"got {type(self.parameters).__name__}"
            )


def evaluation_request(
    type: str, parameters: EvaluationParameters | Mapping[str, Any]
) -> EvaluationTypedRequest:
    """The request for ``type``, with dict ``parameters`` checked as that type's model."""
    cls = PARAMETERS_BY_TYPE.get(type)
    if cls is None:
        raise ValueError(f"type must be one of {tuple(PARAMETERS_BY_TYPE)}, got {type!r}")
    typed = from_mapping(parameters, cls) if isinstance(parameters, Mapping) else parameters
    return EvaluationTypedRequest(type=type, parameters=typed)


@attrs.frozen(kw_only=True)
class EvaluationResponse:
    """The answer to ``POST /evaluation``: the new job's id and first status."""

    workflow_id: str | None = None
    status: str | None = None


@attrs.frozen(kw_only=True)
class EvaluationJobStatusUpdate:
    """One entry of a job's status history."""

    status: str | None = None
    message: str | None = None
    timestamp: str | None = None


@attrs.frozen(kw_only=True)
class EvaluationClassifyResults:
    """Results of a classify evaluation; ``label_counts`` is a JSON string."""

    generation_fail_count: float | None = None
    judge_fail_count: float | None = None
    invalid_label_count: float | None = None
    result_file_id: str | None = None
    pass_percentage: float | None = None
    label_counts: str | None = None


@attrs.frozen(kw_only=True)
class AggregatedScores:
    """Mean, spread and pass rate of the scores."""

    mean_score: float | None = None
    std_score: float | None = None
    pass_percentage: float | None = None


@attrs.frozen(kw_only=True)
class EvaluationScoreResults:
    """Results of a score evaluation."""

    aggregated_scores: AggregatedScores | None = None
    generation_fail_count: float | None = None
    judge_fail_count: float | None = None
    invalid_score_count: float | None = None
    failed_samples: float | None = None
    result_file_id: str | None = None


@attrs.frozen(kw_only=True)
class EvaluationCompareResults:
    """Results of a compare evaluation: wins of each model and ties."""

    num_samples: int | None = None
    a_wins: int | None = attrs.field(default=None, metadata=wire_name("A_wins"))
    b_wins: int | None = attrs.field(default=None, metadata=wire_name("B_wins"))
    ties: int | None = attrs.field(default=None, metadata=wire_name("Ties"))
    generation_fail_count: float | None = None
    judge_fail_count: float | None = None
    result_file_id: str | None = None


@attrs.frozen(kw_only=True)
class EvaluationErrorResults:
    """The results of an evaluation that failed."""

    error: str | None = None


#: Results, told apart by keys only one kind has. Objects with only the shared counters
#: decode as classify results, which have every shared field.
EvaluationResults: TypeAlias = Annotated[
    EvaluationClassifyResults
    | EvaluationScoreResults
    | EvaluationCompareResults
    | EvaluationErrorResults,
    ByKey(
        (
            ("aggregated_scores", EvaluationScoreResults),
            ("invalid_score_count", EvaluationScoreResults),
            ("failed_samples", EvaluationScoreResults),
            ("A_wins", EvaluationCompareResults),
            ("B_wins", EvaluationCompareResults),
            ("Ties", EvaluationCompareResults),
            ("num_samples", EvaluationCompareResults),
            ("label_counts", EvaluationClassifyResults),
            ("invalid_label_count", EvaluationClassifyResults),
            ("pass_percentage", EvaluationClassifyResults),
            ("error", EvaluationErrorResults),
        ),
        default=EvaluationClassifyResults,
    ),
]


@attrs.frozen(kw_only=True)
class EvaluationJob:
    """An evaluation job; ``results`` is set once it has completed (or failed)."""

    workflow_id: str | None = None
    type: str | None = None
    owner_id: str | None = None
    status: str | None = None
    status_updates: tuple[EvaluationJobStatusUpdate, ...] | None = None
    parameters: dict[str, JSON] | None = None
    created_at: str | None = None
    updated_at: str | None = None
    results: EvaluationResults | None = None


@attrs.frozen(kw_only=True)
class EvaluationStatusResponse:
    """The body of ``GET /evaluation/{id}/status``: status, and results when finished."""

    status: str | None = None
    results: EvaluationResults | None = None


@attrs.frozen(kw_only=True)
class EvaluationModelListResponse:
    """The body of ``GET /evaluation/model-list``."""

    model_list: tuple[str, ...] = ()


#: The body of ``GET /evaluation``: a bare array of jobs.
EvaluationJobList: TypeAlias = tuple[EvaluationJob, ...]


def evaluation_is_finished(job: EvaluationJob | EvaluationStatusResponse) -> bool:
    """Whether an evaluation reached a status after which it no longer changes."""
    return (job.status or "").lower() in FINISHED_EVALUATION_STATUSES
