"""What every builder shares: the operation registry and turning parameters into a Call.

Each builder declares the OpenAPI operation it performs with :func:`operation`; the
registry maps ``"METHOD /path/{template}"`` to the builders that perform it, so coverage of
the spec is a test and not a claim.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Mapping
from typing import Any, ParamSpec, TypeVar
from urllib.parse import quote

import attrs

from together_fn.calls import Call, StreamCall, new_call
from together_fn.codec import JSON, dumps, encode_json, unstructure, unstructure_arguments
from together_fn.http import (
    NO_BODY,
    Body,
    HttpRequest,
    JsonBody,
    Method,
    Timeout,
    new_request,
    to_headers,
    to_query,
)

F = TypeVar("F", bound=Callable[..., Any])
P = ParamSpec("P")
C = TypeVar("C")

#: ``"METHOD /path"`` → names of the builders that perform it (``module.function``).
REGISTRY: dict[str, list[str]] = {}


def operation(method: str, path: str) -> Callable[[F], F]:
    """Register the decorated builder as performing ``method path`` of the OpenAPI spec."""
    key = f"{method.upper()} {path}"

    def register(builder: F) -> F:
        name = f"{builder.__module__}.{builder.__qualname__}"
        REGISTRY.setdefault(key, [])
        if name not in REGISTRY[key]:
            REGISTRY[key].append(name)
        builder.__together_operation__ = key  # type: ignore[attr-defined]
        return builder

    return register


@attrs.frozen(kw_only=True)
class RequestOptions:
    """Per-call escape hatches: extra headers, query parameters and body fields, a timeout.

    ``extra_body`` is merged into JSON bodies last, so it can send fields this library does
    not know yet (or an explicit ``null``).
    """

    extra_headers: Mapping[str, str] | None = None
    extra_query: Mapping[str, object] | None = None
    extra_body: Mapping[str, Any] | None = None
    timeout: float | Timeout | None = None


NO_OPTIONS = RequestOptions()


def path_param(value: str) -> str:
    """A path segment, percent-encoded so that ids cannot escape their segment."""
    if not value:
        raise ValueError("path parameters must not be empty")
    if value in (".", ".."):
        # Dot segments survive quoting, and every HTTP client resolves them: "/files/.."
        # would send the call to another path of the API.
        raise ValueError(f"{value!r} is not a valid path parameter")
    return quote(value, safe="")


def params(scope: Mapping[str, Any], *exclude: str) -> dict[str, Any]:
    """A builder's keyword arguments that were given (not ``None``), minus ``exclude``."""
    skip = {"options", *exclude}
    return {k: v for k, v in scope.items() if v is not None and k not in skip}


def json_body(model: object, options: RequestOptions = NO_OPTIONS) -> JsonBody:
    """Encode a request model, merging ``options.extra_body`` last."""
    return _json_body(unstructure(model), options)


def _json_body(data: JSON, options: RequestOptions) -> JsonBody:
    if options.extra_body:
        # Unstructured again: extra fields may hold models too.
        data = unstructure({**data, **options.extra_body})
    return JsonBody(dumps(data).encode())


def request(
    method: Method,
    path: str,
    *,
    body: Body = NO_BODY,
    query: Mapping[str, object] | None = None,
    headers: Mapping[str, str] | None = None,
    options: RequestOptions = NO_OPTIONS,
) -> HttpRequest:
    """An :class:`HttpRequest` relative to the base URL, with ``options`` applied."""
    if options is NO_OPTIONS and not query and not headers:
        return new_request(method=method, url=path, body=body)  # most calls: nothing to merge
    timeout = options.timeout
    if timeout is not None and not isinstance(timeout, Timeout):
        timeout = Timeout(connect=min(5.0, float(timeout)), read=float(timeout))
    return HttpRequest(
        method=method,
        url=path,
        query=to_query(_merged(query, options.extra_query)),
        headers=to_headers(_merged(headers, options.extra_headers)),
        body=body,
        timeout=timeout,
    )


def _merged(
    base: Mapping[str, Any] | None, extra: Mapping[str, Any] | None
) -> Mapping[str, Any] | None:
    # ``extra`` wins; a copy only when there are two mappings to merge.
    if base and extra:
        return {**base, **extra}
    return base or extra


@functools.cache
def _method_and_template(operation_key: str) -> tuple[Method, str]:
    # Operation keys are a fixed set of literals: parse each once.
    method, template = operation_key.split(" ", 1)
    return Method(method), template


def json_call(
    operation_key: str,
    response_type: Any,
    model: object,
    *,
    path: str | None = None,
    retryable: bool = True,
    options: RequestOptions = NO_OPTIONS,
) -> Call[Any]:
    """A Call that sends ``model`` as JSON to ``operation_key``'s method and path (``path``:
    the path with its template filled in)."""
    return _data_call(operation_key, response_type, unstructure(model), path, retryable, options)


def model_call(
    operation_key: str,
    response_type: Any,
    model_type: type,
    arguments: Mapping[str, Any],
    *,
    path: str | None = None,
    retryable: bool = True,
    options: RequestOptions = NO_OPTIONS,
) -> Call[Any]:
    """``json_call(operation_key, response_type, model_type(**params(arguments)), ...)`` for a
    builder whose parameters are ``model_type``'s fields (and ``options``), called with its
    ``locals()``: the model is not made (see :func:`~together_fn.codec.unstructure_arguments`).
    """
    data = unstructure_arguments(model_type, arguments)
    return _data_call(operation_key, response_type, data, path, retryable, options)


def _data_call(
    operation_key: str,
    response_type: Any,
    data: JSON,
    path: str | None,
    retryable: bool,
    options: RequestOptions,
) -> Call[Any]:
    method, template = _method_and_template(operation_key)
    url = template if path is None else path
    if options is NO_OPTIONS:  # most calls: nothing to merge into the body or the request
        request_ = new_request(method=method, url=url, body=JsonBody(dumps(data).encode()))
    else:
        request_ = request(method, url, body=_json_body(data, options), options=options)
    return new_call(
        operation=operation_key,
        request=request_,
        response_type=response_type,
        retryable=retryable,
    )


def bodiless_call(
    operation_key: str,
    response_type: Any,
    path: str,
    *,
    query: Mapping[str, object] | None = None,
    retryable: bool = True,
    options: RequestOptions = NO_OPTIONS,
) -> Call[Any]:
    """A Call without a body: ``operation_key``'s method at ``path`` (its template filled in)."""
    return Call(
        operation=operation_key,
        request=request(_method_and_template(operation_key)[0], path, query=query, options=options),
        response_type=response_type,
        retryable=retryable,
    )


def as_stream(call: Call[Any], chunk_type: Any, *, done: str | None = "[DONE]") -> StreamCall[Any]:
    """The streaming twin of a JSON call: ``"stream": true`` in the body, SSE accepted."""
    body = call.request.body
    if isinstance(body, JsonBody):
        data = body.json()
        if isinstance(data, dict):
            data["stream"] = True
            body = JsonBody(encode_json(data))
    request_ = attrs.evolve(call.request, body=body).with_headers(
        (("accept", "text/event-stream"),)
    )
    return StreamCall(
        operation=call.operation,
        request=request_,
        chunk_type=chunk_type,
        retryable=call.retryable,
        done=done,
    )


def stream_twin(
    builder: Callable[P, Call[Any]], chunk_type: type[C], name: str
) -> Callable[P, StreamCall[C]]:
    """The streaming variant of ``builder``: the same parameters, ``"stream": true`` in the
    body and ``accept: text/event-stream``, chunks decoded into ``chunk_type``."""

    def twin(*args: P.args, **kwargs: P.kwargs) -> StreamCall[C]:
        return as_stream(builder(*args, **kwargs), chunk_type)

    twin.__name__ = twin.__qualname__ = name
    twin.__module__ = builder.__module__
    twin.__doc__ = (
        f"Like :func:`{builder.__name__}`, streamed: a StreamCall of "
        f":class:`{chunk_type.__name__}` events."
    )
    signature = inspect.signature(builder)
    twin.__signature__ = signature.replace(  # type: ignore[attr-defined]
        return_annotation=f"StreamCall[{chunk_type.__name__}]"
    )
    return twin
