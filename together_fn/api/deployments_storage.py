"""Builders for ``/deployments/storage``: downloading a stored file, and volumes that
preload files into deployments."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from together_fn.api._build import (
    NO_OPTIONS,
    RequestOptions,
    bodiless_call,
    json_call,
    operation,
    params,
    path_param,
    request,
)
from together_fn.api.deployments import Deleted
from together_fn.calls import Call
from together_fn.http import Method
from together_fn.models.deployments_storage import (
    CreateVolumeRequest,
    ListVolumesResponse,
    UpdateVolumeRequest,
    VolumeContentRequest,
    VolumeResponseItem,
)


@operation("GET", "/deployments/storage/{filename}")
def download_storage_file(filename: str, *, options: RequestOptions = NO_OPTIONS) -> Call[bytes]:
    """The Call that downloads a stored file: its bytes, as they are.

    The API answers with a redirect to a signed URL; executors follow it, and the API key
    is never sent to the signed URL's host.

    >>> call = download_storage_file("weights.bin")
    >>> call.request.url, call.response_type
    ('/deployments/storage/weights.bin', <class 'bytes'>)
    """
    if filename == "volumes":
        # ``/deployments/storage/volumes`` is the volume list, not a file.
        raise ValueError("a stored file named 'volumes' cannot be addressed by this path")
    return Call(
        operation="GET /deployments/storage/{filename}",
        request=request(
            Method.GET,
            f"/deployments/storage/{path_param(filename)}",
            headers={"accept": "*/*"},
            options=options,
        ),
        response_type=bytes,
    )


@operation("GET", "/deployments/storage/volumes")
def list_volumes(*, options: RequestOptions = NO_OPTIONS) -> Call[ListVolumesResponse]:
    """The Call that lists the project's volumes.

    >>> list_volumes().request.url
    '/deployments/storage/volumes'
    """
    return bodiless_call(
        "GET /deployments/storage/volumes",
        ListVolumesResponse,
        "/deployments/storage/volumes",
        options=options,
    )


@operation("POST", "/deployments/storage/volumes")
def create_volume(
    *,
    name: str,
    content: VolumeContentRequest | Mapping[str, Any],
    type: str = "readOnly",
    options: RequestOptions = NO_OPTIONS,
) -> Call[VolumeResponseItem]:
    """The Call that creates a volume preloading the files uploaded under a prefix
    (``content={"source_prefix": "models/"}``). Not retried once sent.

    >>> call = create_volume(name="weights", content={"source_prefix": "models/"})
    >>> call.request.body.json()["content"] == {"source_prefix": "models/", "type": "files"}
    True
    """
    body = CreateVolumeRequest(**params(locals()))
    return json_call(
        "POST /deployments/storage/volumes",
        VolumeResponseItem,
        body,
        retryable=False,
        options=options,
    )


@operation("GET", "/deployments/storage/volumes/{id}")
def retrieve_volume(id: str, *, options: RequestOptions = NO_OPTIONS) -> Call[VolumeResponseItem]:
    """The Call that reads a volume by id or name.

    >>> retrieve_volume("weights").request.url
    '/deployments/storage/volumes/weights'
    """
    return bodiless_call(
        "GET /deployments/storage/volumes/{id}",
        VolumeResponseItem,
        f"/deployments/storage/volumes/{path_param(id)}",
        options=options,
    )


@operation("PATCH", "/deployments/storage/volumes/{id}")
def update_volume(
    id: str,
    *,
    name: str | None = None,
    content: VolumeContentRequest | Mapping[str, Any] | None = None,
    type: str | None = None,
    options: RequestOptions = NO_OPTIONS,
) -> Call[VolumeResponseItem]:
    """The Call that renames a volume or gives it new content (a new version).

    >>> update_volume("weights", name="weights-v2").request.body.json()
    {'name': 'weights-v2'}
    """
    body = UpdateVolumeRequest(**params(locals(), "id"))
    if body == UpdateVolumeRequest() and not options.extra_body:
        raise ValueError("update_volume needs at least one field to change")
    return json_call(
        "PATCH /deployments/storage/volumes/{id}",
        VolumeResponseItem,
        body,
        path=f"/deployments/storage/volumes/{path_param(id)}",
        options=options,
    )


@operation("DELETE", "/deployments/storage/volumes/{id}")
def delete_volume(id: str, *, options: RequestOptions = NO_OPTIONS) -> Call[Deleted]:
    """The Call that deletes a volume (by id or name).

    >>> delete_volume("weights").request.method.value
    'DELETE'
    """
    return bodiless_call(
        "DELETE /deployments/storage/volumes/{id}",
        Deleted,
        f"/deployments/storage/volumes/{path_param(id)}",
        options=options,
    )
