"""The audio, voices, video and code interpreter models against the spec's schemas: every
field the spec defines is modelled, and nothing is sent that the spec does not define."""

from __future__ import annotations

from typing import Any

import attrs
import pytest

from tests.unit.api.media_spec import resolve, schema
from together_fn.models import audio, tci, videos, voices

#: (model, schema, spec properties knowingly left out of the model and why)
MODELS: list[tuple[type, str, dict[str, str]]] = [
    (audio.AudioSpeechRequest, "AudioSpeechRequest", {}),
    (audio.AudioSpeechStreamChunk, "AudioSpeechStreamChunk", {}),
    (audio.AudioTranscriptionOptions, "AudioTranscriptionRequest", {"file": "a builder argument"}),
    (audio.AudioTranscriptionJsonResponse, "AudioTranscriptionJsonResponse", {}),
    (audio.AudioTranscriptionVerboseJsonResponse, "AudioTranscriptionVerboseJsonResponse", {}),
    (audio.AudioTranscriptionSegment, "AudioTranscriptionSegment", {}),
    (audio.AudioTranscriptionWord, "AudioTranscriptionWord", {}),
    (audio.AudioTranscriptionSpeakerSegment, "AudioTranscriptionSpeakerSegment", {}),
    (audio.AudioTranslationJsonResponse, "AudioTranslationJsonResponse", {}),
    (audio.AudioTranslationVerboseJsonResponse, "AudioTranslationVerboseJsonResponse", {}),
    (voices.ListVoicesResponse, "ListVoicesResponse", {}),
    (voices.ModelVoices, "ModelVoices", {}),
    (videos.CreateVideoBody, "CreateVideoBody", {}),
    (videos.VideoMedia, "VideoMedia", {}),
    (videos.VideoFrameImageInput, "VideoFrameImageInput", {}),
    (videos.VideoRef, "VideoRef", {}),
    (videos.AudioRef, "AudioRef", {}),
    (videos.VideoJob, "VideoJob", {}),
    (tci.ExecuteRequest, "ExecuteRequest", {}),
]

#: Fields modelled beyond the spec, because the API sends them.
EXTRA = {
    (audio.AudioTranscriptionWord, "id"),  # the documented diarization example has word ids
}

# The translation request has no diarization fields: its builder never sets them.
TRANSLATION_ONLY = {"diarize", "min_speakers", "max_speakers"}


def wire_names(model: type) -> set[str]:
    return {a.metadata.get("together_fn.wire_name", a.name) for a in attrs.fields(model)}


@pytest.mark.parametrize(
    ("model", "name", "left_out"), MODELS, ids=lambda v: getattr(v, "__name__", "")
)
def test_the_model_has_exactly_the_schemas_fields(model: type, name: str, left_out: dict[str, str]):
    properties = set(resolve(schema(name)).get("properties", {}))
    modelled = wire_names(model) - {field for cls, field in EXTRA if cls is model}
    assert modelled == properties - set(left_out)


def test_the_translation_form_is_the_transcription_form_without_diarization():
    transcription = set(schema("AudioTranscriptionRequest")["properties"])
    translation = set(schema("AudioTranslationRequest")["properties"])
    assert transcription - translation == TRANSLATION_ONLY
    assert translation <= transcription


def test_the_video_statuses_are_the_specs():
    statuses: Any = schema("VideoStatus")["enum"]
    assert {s for s in statuses if videos.is_video_done(videos.VideoJob(id="v", status=s))} == (
        set(videos.TERMINAL_STATES)
    )
    assert set(videos.TERMINAL_STATES) < set(statuses)
