"""Builders for ``/deployments/secrets``: values deployments read through
``value_from_secret``. A secret's value is write-only and never shown in a repr."""

from __future__ import annotations

from together_fn.api._build import (
    NO_OPTIONS,
    RequestOptions,
    bodiless_call,
    json_call,
    operation,
    params,
    path_param,
)
from together_fn.api.deployments import Deleted
from together_fn.calls import Call
from together_fn.models.deployments import (
    CreateSecretRequest,
    ListSecretsResponse,
    SecretResponseItem,
    UpdateSecretRequest,
)


@operation("GET", "/deployments/secrets")
def list_secrets(*, options: RequestOptions = NO_OPTIONS) -> Call[ListSecretsResponse]:
    """The Call that lists the project's secrets (names and metadata, never values).

    >>> list_secrets().request.url
    '/deployments/secrets'
    """
    return bodiless_call(
        "GET /deployments/secrets", ListSecretsResponse, "/deployments/secrets", options=options
    )


@operation("POST", "/deployments/secrets")
def create_secret(
    *,
    name: str,
    value: str,
    description: str | None = None,
    project_id: str | None = None,
    options: RequestOptions = NO_OPTIONS,
) -> Call[SecretResponseItem]:
    """The Call that stores ``value`` as the secret ``name`` (1-100 characters: letters,
    digits, ``_``, ``-``, ``/`` and ``.``). Not retried once sent.

    >>> call = create_secret(name="hf-token", value="hf_abc")
    >>> "hf_abc" in repr(call), call.retryable
    (False, False)
    """
    body = CreateSecretRequest(**params(locals()))
    return json_call(
        "POST /deployments/secrets", SecretResponseItem, body, retryable=False, options=options
    )


@operation("GET", "/deployments/secrets/{id}")
def retrieve_secret(id: str, *, options: RequestOptions = NO_OPTIONS) -> Call[SecretResponseItem]:
    """The Call that reads a secret's metadata by id or name.

    >>> retrieve_secret("hf-token").request.url
    '/deployments/secrets/hf-token'
    """
    return bodiless_call(
        "GET /deployments/secrets/{id}",
        SecretResponseItem,
        f"/deployments/secrets/{path_param(id)}",
        options=options,
    )


@operation("PATCH", "/deployments/secrets/{id}")
def update_secret(
    id: str,
    *,
    name: str | None = None,
    value: str | None = None,
    description: str | None = None,
    project_id: str | None = None,
    options: RequestOptions = NO_OPTIONS,
) -> Call[SecretResponseItem]:
    """The Call that renames, re-describes or replaces the value of a secret.

    >>> update_secret("hf-token", description="read-only").request.body.json()
    {'description': 'read-only'}
    """
    body = UpdateSecretRequest(**params(locals(), "id"))
    if body == UpdateSecretRequest() and not options.extra_body:
        raise ValueError("update_secret needs at least one field to change")
    return json_call(
        "PATCH /deployments/secrets/{id}",
        SecretResponseItem,
        body,
        path=f"/deployments/secrets/{path_param(id)}",
        options=options,
    )


@operation("DELETE", "/deployments/secrets/{id}")
def delete_secret(id: str, *, options: RequestOptions = NO_OPTIONS) -> Call[Deleted]:
    """The Call that deletes a secret (by id or name).

    >>> delete_secret("hf-token").request.url
    '/deployments/secrets/hf-token'
    """
    return bodiless_call(
        "DELETE /deployments/secrets/{id}",
        Deleted,
        f"/deployments/secrets/{path_param(id)}",
        options=options,
    )
