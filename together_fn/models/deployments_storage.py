"""Volumes that preload files into deployments (OpenAPI: ``CreateVolumeRequest``,
``UpdateVolumeRequest``, ``VolumeContentRequest``, ``VolumeContent``, ``FileInfo``,
``VersionHistoryItem``, ``VolumeResponseItem``, ``ListVolumesResponse``).

``type`` is ``readOnly`` and ``content.type`` is ``files`` (the only values the spec knows);
both are open strings in responses.
"""

from __future__ import annotations

from typing import Any

import attrs

from together_fn.models._coerce import model_of

#: ``VolumeType`` values the spec lists.
VOLUME_TYPES: tuple[str, ...] = ("readOnly",)

#: ``VolumeContentRequest.type`` values the spec lists.
VOLUME_CONTENT_TYPES: tuple[str, ...] = ("files",)


def _content_type(_: object, attribute: Any, value: Any) -> None:
    if value is not None and value not in VOLUME_CONTENT_TYPES:
        raise ValueError(f"{attribute.name} must be one of {VOLUME_CONTENT_TYPES}, got {value!r}")


@attrs.frozen(kw_only=True)
class VolumeContentRequest:
    """What to preload: the files uploaded with the Files API under ``source_prefix``."""

    source_prefix: str | None = None
    type: str | None = attrs.field(default="files", validator=_content_type)


def _content(value: object) -> VolumeContentRequest | None:
    return None if value is None else model_of(value, VolumeContentRequest, "content")


def _volume_type(_: object, attribute: Any, value: Any) -> None:
    if value is not None and value not in VOLUME_TYPES:
        raise ValueError(f"{attribute.name} must be one of {VOLUME_TYPES}, got {value!r}")


def _volume_name(_: object, attribute: Any, value: Any) -> None:
    if value is not None and not value:
        raise ValueError(f"{attribute.name} must not be empty")


@attrs.frozen(kw_only=True)
class CreateVolumeRequest:
    """Body of ``POST /deployments/storage/volumes``."""

    name: str = attrs.field(validator=_volume_name)
    content: VolumeContentRequest = attrs.field(converter=_content)
    type: str = attrs.field(default="readOnly", validator=_volume_type)


@attrs.frozen(kw_only=True)
class UpdateVolumeRequest:
    """Body of ``PATCH /deployments/storage/volumes/{id}``: new content makes a new version."""

    name: str | None = attrs.field(default=None, validator=_volume_name)
    content: VolumeContentRequest | None = attrs.field(default=None, converter=_content)
    type: str | None = attrs.field(default=None, validator=_volume_type)


@attrs.frozen(kw_only=True)
class FileInfo:
    """A file preloaded into a volume."""

    name: str | None = None
    size: int | None = None
    last_modified: str | None = None


@attrs.frozen(kw_only=True)
class VolumeContent:
    """What a volume holds."""

    type: str | None = None
    source_prefix: str | None = None
    files: tuple[FileInfo, ...] | None = None


@attrs.frozen(kw_only=True)
class VersionHistoryItem:
    """A previous version of a volume and the deployments mounting it."""

    version: int | None = None
    # The spec says ``VolumeContentRequest``; the tolerant response shape reads it as well.
    content: VolumeContent | None = None
    mounted_by: tuple[str, ...] | None = None


@attrs.frozen(kw_only=True)
class VolumeResponseItem:
    """A volume. ``version_history`` is keyed by version number (as a string)."""

    id: str | None = None
    object: str | None = None
    name: str | None = None
    type: str | None = None
    content: VolumeContent | None = None
    current_version: int | None = None
    mounted_by: tuple[str, ...] | None = None
    version_history: dict[str, VersionHistoryItem] | None = None
    created_at: str | None = None
    updated_at: str | None = None


@attrs.frozen(kw_only=True)
class ListVolumesResponse:
    """Answer to ``GET /deployments/storage/volumes``."""

    object: str | None = None
    data: tuple[VolumeResponseItem, ...] | None = None
