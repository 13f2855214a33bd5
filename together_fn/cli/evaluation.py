"""``together-fn evaluation``: start, list and follow evaluations with a judge model."""

import json
from dataclasses import dataclass
from typing import Any

from together_fn import api
from together_fn.calls import Call
from together_fn.cli.common import Command, optional, positional, required
from together_fn.cli.output import details, table
from together_fn.codec import unstructure
from together_fn.models.evaluation import (
    EvaluationJob,
    EvaluationJobList,
    EvaluationModelListResponse,
    EvaluationResponse,
    EvaluationStatusResponse,
)


@dataclass(frozen=True, kw_only=True)
class CreateArgs:
    """Options of ``evaluation create``."""

    type: str = required(
        str, "the kind of evaluation", metavar="T", choices=("classify", "score", "compare")
    )
    parameters: str = required(
        str, "the type's parameters as a JSON object (judge, input file...)", metavar="JSON"
    )


@dataclass(frozen=True, kw_only=True)
class ListArgs:
    """Options of ``evaluation list``."""

    status: str | None = optional(str, "only jobs with this status", metavar="S")
    limit: int | None = optional(int, "at most this many", metavar="N")


@dataclass(frozen=True, kw_only=True)
class JobArgs:
    """Options of the commands about one evaluation."""

    id: str = positional("id", str, "the evaluation's workflow id", metavar="ID")


@dataclass(frozen=True, kw_only=True)
class ModelsArgs:
    """Options of ``evaluation models``."""

    model_source: str | None = optional(
        str, "only models from this source", metavar="S",
        choices=("serverless", "dedicated", "external", "all"),
    )  # fmt: skip


def create_call(args: CreateArgs) -> Call[EvaluationResponse]:
    """The creation call; the parameters must be a JSON object."""
    try:
        parameters = json.loads(args.parameters)
    except ValueError as problem:
        raise ValueError(f"--parameters is not JSON: {problem}") from None
    if not isinstance(parameters, dict):
        raise ValueError("--parameters must be a JSON object")
    kind: Any = args.type
    return api.evaluation.create_evaluation(type=kind, parameters=parameters)


def _results(results: object) -> str | None:
    if results is None:
        return None
    data = unstructure(results)
    if isinstance(data, dict):
        return ", ".join(f"{k}={v}" for k, v in data.items() if v is not None) or None
    return str(data)


def render_job(job: EvaluationJob) -> str:
    """One evaluation's facts."""
    return details(
        (
            ("id", job.workflow_id),
            ("type", job.type),
            ("status", job.status),
            ("results", _results(job.results)),
            ("created", job.created_at),
            ("updated", job.updated_at),
        )
    )


def render_status(status: EvaluationStatusResponse) -> str:
    """The status and, once done, the results."""
    return details((("status", status.status), ("results", _results(status.results))))


def render_created(response: EvaluationResponse) -> str:
    """The new evaluation."""
    return details((("id", response.workflow_id), ("status", response.status)))


def render_list(jobs: EvaluationJobList) -> str:
    """A table of evaluations, newest first."""
    ordered = sorted(jobs, key=lambda j: j.created_at or "", reverse=True)
    rows = [(j.workflow_id, j.type, j.status, j.created_at) for j in ordered]
    count = f"{len(rows)} evaluation{'' if len(rows) == 1 else 's'}"
    return table(("id", "type", "status", "created"), rows) + f"\n{count}"


def render_models(models: EvaluationModelListResponse) -> str:
    """One model per line."""
    return "\n".join(sorted(models.model_list))


CREATE = Command(
    name="evaluation create",
    summary="start an evaluation",
    options=CreateArgs,
    to_call=create_call,
    render=lambda response, _args: render_created(response),
)
LIST = Command(
    name="evaluation list",
    summary="list evaluations",
    options=ListArgs,
    to_call=lambda args: api.evaluation.list_evaluations(status=args.status, limit=args.limit),
    render=lambda jobs, _args: render_list(jobs),
)
RETRIEVE = Command(
    name="evaluation retrieve",
    summary="show one evaluation",
    options=JobArgs,
    to_call=lambda args: api.evaluation.retrieve_evaluation(args.id),
    render=lambda job, _args: render_job(job),
)
STATUS = Command(
    name="evaluation status",
    summary="show an evaluation's status and results",
    options=JobArgs,
    to_call=lambda args: api.evaluation.retrieve_evaluation_status(args.id),
    render=lambda status, _args: render_status(status),
)
MODELS = Command(
    name="evaluation models",
    summary="list the models evaluations can use",
    options=ModelsArgs,
    to_call=lambda args: api.evaluation.list_evaluation_models(model_source=args.model_source),
    render=lambda models, _args: render_models(models),
)
COMMANDS = (CREATE, LIST, RETRIEVE, STATUS, MODELS)
