"""``together-fn audio``: speak text into an audio file, and transcribe audio."""

from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

from together_fn.api import audio as api_audio
from together_fn.calls import Call
from together_fn.cli.common import Command, OutputFile, optional, positional, required
from together_fn.models.audio import AudioTranscriptionResponse

#: What a speech is saved as when ``--output`` is not given (the extension follows the format).
DEFAULT_STEM = "speech"
#: The API's format when none is asked for.
DEFAULT_FORMAT = "wav"


@dataclass(frozen=True, kw_only=True)
class SpeechArgs:
    """Options of ``audio speech``."""

    model: str = required(str, "the voice model, e.g. cartesia/sonic-2", metavar="M")
    input: str = required(str, "the text to speak", metavar="TEXT")
    voice: str = required(str, "the voice", metavar="V")
    response_format: str | None = optional(
        str, "audio format (default: wav)", metavar="F", choices=("mp3", "wav", "raw")
    )
    language: str | None = optional(str, "the text's language, e.g. en", metavar="L")
    response_encoding: str | None = optional(
        str,
        "sample encoding of raw audio",
        metavar="E",
        choices=("pcm_f32le", "pcm_s16le", "pcm_mulaw", "pcm_alaw"),
    )
    sample_rate: int | None = optional(int, "samples per second", metavar="N")
    bit_rate: int | None = optional(int, "bits per second (mp3)", metavar="N")
    output: str | None = optional(
        str, "where to save the audio (default: speech.<format>)", metavar="PATH"
    )


def speech_call(args: SpeechArgs) -> Call[bytes]:
    """The speech call (the whole file in one answer)."""
    kinds: dict[str, Any] = {
        "response_format": args.response_format,
        "language": args.language,
        "response_encoding": args.response_encoding,
    }
    return api_audio.create_speech(
        model=args.model,
        input=args.input,
        voice=args.voice,
        sample_rate=args.sample_rate,
        bit_rate=args.bit_rate,
        **kinds,
    )


def speech_path(args: SpeechArgs) -> str:
    """Where the audio goes: ``--output``, else ``speech.<format>`` here."""
    if args.output is not None:
        return args.output
    extension = "pcm" if args.response_format == "raw" else args.response_format or DEFAULT_FORMAT
    return str(PurePath(f"{DEFAULT_STEM}.{extension}"))


def saved(audio: bytes, args: SpeechArgs) -> dict[str, object]:
    """What ``audio speech`` reports: where the audio is, and how big."""
    return {"path": speech_path(args), "bytes": len(audio)}


@dataclass(frozen=True, kw_only=True)
class TranscribeArgs:
    """Options of ``audio transcribe``."""

    file: str = positional("file", str, "an audio file, or its URL", metavar="FILE")
    model: str | None = optional(str, "the speech-to-text model", metavar="M")
    language: str | None = optional(str, "the audio's language, e.g. en", metavar="L")
    prompt: str | None = optional(str, "text to guide the transcription", metavar="TEXT")
    response_format: str | None = optional(
        str, "json (text) or verbose_json (with segments)", metavar="F",
        choices=("json", "verbose_json"),
    )  # fmt: skip
    temperature: float | None = optional(float, "sampling temperature", metavar="F")


def transcribe_call(args: TranscribeArgs) -> Call[AudioTranscriptionResponse]:
    """The transcription call (a file is streamed from disk when sent)."""
    given: dict[str, Any] = {
        "model": args.model,
        "language": args.language,
        "prompt": args.prompt,
        "response_format": args.response_format,
        "temperature": args.temperature,
    }
    return api_audio.create_transcription(
        file=args.file, **{k: v for k, v in given.items() if v is not None}
    )


SPEECH = Command(
    name="audio speech",
    summary="speak text and save the audio to a file",
    options=SpeechArgs,
    to_call=speech_call,
    files=lambda audio, args: (OutputFile(path=speech_path(args), data=audio),),
    select=saved,
    render=lambda facts, _args: f"{facts['path']} ({facts['bytes']} bytes)",
)
TRANSCRIBE = Command(
    name="audio transcribe",
    summary="transcribe speech to text",
    options=TranscribeArgs,
    to_call=transcribe_call,
    render=lambda response, _args: response.text,
)
COMMANDS = (SPEECH, TRANSCRIBE)
