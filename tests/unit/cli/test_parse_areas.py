"""argv → Call for the files, fine-tuning, batches, endpoints, evaluation and audio commands."""

from __future__ import annotations

import pytest

from together_fn import api
from together_fn.cli import fine_tunes
from together_fn.cli.common import UsageError
from together_fn.cli.main import parse
from together_fn.models.fine_tunes import FullTrainingType, LoRATrainingType


def call_of(*argv: str):
    invocation = parse(argv)
    assert invocation.command.to_call is not None
    return invocation.command.to_call(invocation.args)


def usage_error(*argv: str) -> str:
    with pytest.raises(UsageError) as caught:
        parse(argv)
    return caught.value.message


# --- files --------------------------------------------------------------------------------


def test_files_by_id():
    assert call_of("files", "list") == api.files.list_files()
    assert call_of("files", "retrieve", "file-1") == api.files.retrieve_file("file-1")
    assert call_of("files", "delete", "file-1") == api.files.delete_file("file-1")
    assert call_of("files", "retrieve-content", "file-1", "--output", "x.jsonl") == (
        api.files.retrieve_file_content("file-1")
    )


def test_files_need_an_id():
    assert "the following arguments are required: ID" in usage_error("files", "retrieve")


def test_files_check_options():
    args = parse(["files", "check", "data.jsonl", "--purpose", "eval"]).args
    assert (args.file, args.purpose) == ("data.jsonl", "eval")
    assert parse(["files", "check", "d.csv"]).args.purpose == "fine-tune"
    assert "invalid choice" in usage_error("files", "check", "d", "--purpose", "fun")


# --- fine-tuning --------------------------------------------------------------------------


def test_fine_tuning_create_with_lora_options():
    call = call_of(
        "fine-tuning",
        "create",
        "--training-file",
        "file-1",
        "--model",
        "m",
        "--n-epochs",
        "3",
        "--batch-size",
        "max",
        "--learning-rate",
        "1e-5",
        "--lora",
        "--lora-r",
        "16",
        "--lora-alpha",
        "32",
        "--train-on-inputs",
        "auto",
        "--suffix",
        "s",
        "--wandb-api-key",
        "wandb-secret",
        "-y",
    )
    assert call == api.fine_tunes.create_fine_tune(
        training_file="file-1",
        model="m",
        n_epochs=3,
        batch_size="max",
        learning_rate=1e-5,
        lora=True,
        lora_r=16,
        lora_alpha=32.0,
        train_on_inputs="auto",
        suffix="s",
        wandb_api_key="wandb-secret",
    )
    assert call.retryable is False


def test_fine_tuning_create_full_with_numeric_batch_size():
    call = call_of(
        "fine-tuning",
        "create",
        "--training-file",
        "f",
        "--model",
        "m",
        "--full",
        "--batch-size",
        "8",
        "--train-on-inputs",
        "false",
    )
    assert call == api.fine_tunes.create_fine_tune(
        training_file="f", model="m", lora=False, batch_size=8, train_on_inputs=False
    )


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (("--lora", "--full"), "not both"),
        (("--batch-size", "lots"), "--batch-size"),
    ],
)
def test_fine_tuning_create_rejects(extra, message):
    invocation = parse(["fine-tuning", "create", "--training-file", "f", "--model", "m", *extra])
    with pytest.raises(ValueError, match=message):
        fine_tunes.create_call(invocation.args)


def test_fine_tuning_confirm_has_a_short_form():
    argv = ["fine-tuning", "create", "--training-file", "f", "--model", "m"]
    assert parse([*argv, "-y"]).args.confirm is True
    assert parse([*argv, "--confirm"]).args.confirm is True
    assert parse(argv).args.confirm is False


def test_fine_tuning_jobs_by_id():
    assert call_of("fine-tuning", "list") == api.fine_tunes.list_fine_tunes()
    for word, builder in [
        ("retrieve", api.fine_tunes.retrieve_fine_tune),
        ("cancel", api.fine_tunes.cancel_fine_tune),
        ("delete", api.fine_tunes.delete_fine_tune),
        ("list-events", api.fine_tunes.list_fine_tune_events),
        ("list-checkpoints", api.fine_tunes.list_fine_tune_checkpoints),
    ]:
        assert call_of("fine-tuning", word, "ft-1") == builder("ft-1"), word


def test_fine_tuning_estimate_price():
    call = call_of(
        "fine-tuning",
        "estimate-price",
        "--training-file",
        "f",
        "--model",
        "m",
        "--n-epochs",
        "2",
        "--training-type",
        "full",
        "--training-method",
        "dpo",
    )
    assert call == api.fine_tunes.estimate_fine_tune_price(
        training_file="f", model="m", n_epochs=2, training_type="full", training_method="dpo"
    )


def test_fine_tuning_download_picks_the_checkpoint_type_of_the_job():
    args = parse(["fine-tuning", "download", "ft-1", "--checkpoint-step", "40"]).args
    assert fine_tunes.download_call(args, LoRATrainingType()) == api.fine_tunes.download_fine_tune(
        "ft-1", checkpoint_step=40, checkpoint_type="merged"
    )
    assert fine_tunes.download_call(args, FullTrainingType()) == (
        api.fine_tunes.download_fine_tune(
            "ft-1", checkpoint_step=40, checkpoint_type="model_output_path"
        )
    )
    adapter = parse(["fine-tuning", "download", "ft-1", "--checkpoint-type", "adapter"]).args
    with pytest.raises(ValueError, match="full fine-tune"):
        fine_tunes.download_call(adapter, FullTrainingType())


# --- batches, endpoints, evaluation, audio ------------------------------------------------


def test_batches():
    call = call_of(
        "batches",
        "create",
        "file-1",
        "--endpoint",
        "/v1/chat/completions",
        "--completion-window",
        "24h",
        "--priority",
        "1",
    )
    assert call == api.batches.create_batch(
        "file-1", endpoint="/v1/chat/completions", completion_window="24h", priority=1
    )
    assert call_of("batches", "list") == api.batches.list_batches()
    assert call_of("batches", "retrieve", "b-1") == api.batches.retrieve_batch("b-1")
    assert call_of("batches", "cancel", "b-1") == api.batches.cancel_batch("b-1")


def test_endpoints():
    call = call_of(
        "endpoints",
        "create",
        "--model",
        "m",
        "--hardware",
        "1x_nvidia_h100_80gb_sxm",
        "--min-replicas",
        "1",
        "--max-replicas",
        "2",
        "--no-start",
        "--display-name",
        "mine",
    )
    assert call == api.endpoints.create_endpoint(
        model="m",
        hardware="1x_nvidia_h100_80gb_sxm",
        min_replicas=1,
        max_replicas=2,
        state="STOPPED",
        display_name="mine",
    )
    assert call_of("endpoints", "list", "--type", "dedicated", "--mine") == (
        api.endpoints.list_endpoints(type="dedicated", mine=True)
    )
    assert call_of("endpoints", "update", "e-1", "--max-replicas", "3", "--min-replicas", "1") == (
        api.endpoints.update_endpoint("e-1", min_replicas=1, max_replicas=3)
    )
    assert call_of("endpoints", "start", "e-1") == api.endpoints.start_endpoint("e-1")
    assert call_of("endpoints", "stop", "e-1") == api.endpoints.stop_endpoint("e-1")
    assert call_of("endpoints", "delete", "e-1") == api.endpoints.delete_endpoint("e-1")
    assert call_of("endpoints", "retrieve", "e-1") == api.endpoints.retrieve_endpoint("e-1")
    assert call_of("endpoints", "hardware", "--model", "m") == api.hardware.list_hardware(model="m")
    assert call_of("endpoints", "availability-zones") == api.endpoints.list_availability_zones()


PARAMETERS = (
    '{"judge": {"model": "j", "system_template": "Judge", "model_source": "serverless"},'
    ' "input_data_file_path": "file-1", "model_a": "a", "model_b": "b"}'
)


def test_evaluation():
    import json

    call = call_of("evaluation", "create", "--type", "compare", "--parameters", PARAMETERS)
    assert call == api.evaluation.create_evaluation(
        type="compare", parameters=json.loads(PARAMETERS)
    )
    assert call_of("evaluation", "list", "--status", "completed", "--limit", "5") == (
        api.evaluation.list_evaluations(status="completed", limit=5)
    )
    assert call_of("evaluation", "retrieve", "w-1") == api.evaluation.retrieve_evaluation("w-1")
    assert call_of("evaluation", "status", "w-1") == (
        api.evaluation.retrieve_evaluation_status("w-1")
    )
    assert call_of("evaluation", "models", "--model-source", "serverless") == (
        api.evaluation.list_evaluation_models(model_source="serverless")
    )


@pytest.mark.parametrize("bad", ["not json", "[1, 2]"])
def test_evaluation_parameters_must_be_a_json_object(bad):
    with pytest.raises(ValueError, match="--parameters"):
        call_of("evaluation", "create", "--type", "score", "--parameters", bad)


def test_audio_speech_and_its_file_name():
    from together_fn.cli import audio

    argv = [
        "audio",
        "speech",
        "--model",
        "cartesia/sonic-2",
        "--input",
        "Hi",
        "--voice",
        "v",
        "--response-format",
        "mp3",
        "--sample-rate",
        "44100",
    ]
    assert call_of(*argv) == api.audio.create_speech(
        model="cartesia/sonic-2", input="Hi", voice="v", response_format="mp3", sample_rate=44100
    )
    assert audio.speech_path(parse(argv).args) == "speech.mp3"
    assert audio.speech_path(parse([*argv, "--output", "out/a.mp3"]).args) == "out/a.mp3"
    raw = parse(
        [
            "audio",
            "speech",
            "--model",
            "m",
            "--input",
            "x",
            "--voice",
            "v",
            "--response-format",
            "raw",
        ]
    ).args
    assert audio.speech_path(raw) == "speech.pcm"


def test_audio_transcribe():
    call = call_of("audio", "transcribe", "https://example.invalid/a.wav", "--language", "en")
    assert call == api.audio.create_transcription(
        file="https://example.invalid/a.wav", language="en"
    )
