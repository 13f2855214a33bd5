"""argv → options → Call: the command line builds exactly the library's calls."""

from __future__ import annotations

import io

import pytest

from together_fn import api
from together_fn.cli import chat, images
from together_fn.cli.common import HelpRequested, UsageError
from together_fn.cli.main import COMMANDS, GlobalArgs, main, parse, secrets_in

MODEL = "meta-llama/Llama-3.3-70B-Instruct-Turbo"


def call_of(*argv: str):
    invocation = parse(argv)
    assert invocation.command.to_call is not None
    return invocation.command.to_call(invocation.args)


def usage_error(*argv: str) -> str:
    with pytest.raises(UsageError) as caught:
        parse(argv)
    return caught.value.message


# --- each command builds the library's call ----------------------------------------------


def test_chat_completions_streams_by_default_with_every_sampling_option():
    call = call_of(
        "chat.completions",
        "--model",
        MODEL,
        "--message",
        "system",
        "be brief",
        "--message",
        "user",
        "hi",
        "--max-tokens",
        "64",
        "--temperature",
        "0.7",
        "--top-p",
        "0.9",
        "--top-k",
        "40",
        "--repetition-penalty",
        "1.1",
        "--min-p",
        "0.05",
        "--presence-penalty",
        "0.5",
        "--frequency-penalty",
        "-0.5",
        "--stop",
        "END",
        "--stop",
        "\n\n",
        "--seed",
        "7",
        "--logprobs",
        "2",
        "--safety-model",
        "meta-llama/Meta-Llama-Guard-3-8B",
    )
    assert call == api.chat.stream_chat_completion(
        model=MODEL,
        messages=[{"role": "system", "content": "be brief"}, {"role": "user", "content": "hi"}],
        max_tokens=64,
        temperature=0.7,
        top_p=0.9,
        top_k=40,
        repetition_penalty=1.1,
        min_p=0.05,
        presence_penalty=0.5,
        frequency_penalty=-0.5,
        stop=("END", "\n\n"),
        seed=7,
        logprobs=2,
        safety_model="meta-llama/Meta-Llama-Guard-3-8B",
    )


def test_chat_completions_no_stream_is_the_plain_call():
    call = call_of("chat.completions", "--model", MODEL, "--message", "user", "hi", "--no-stream")
    assert call == api.chat.create_chat_completion(
        model=MODEL, messages=[{"role": "user", "content": "hi"}]
    )


def test_chat_completions_has_the_old_spelling_too():
    argv = ("--model", MODEL, "--message", "user", "hi")
    assert call_of("chat", "completions", *argv) == call_of("chat.completions", *argv)


def test_top_p_is_a_float_and_top_k_an_int():
    args = parse(
        [
            "chat.completions",
            "--model",
            "m",
            "--message",
            "user",
            "x",
            "--top-p",
            "0.25",
            "--top-k",
            "5",
        ]
    ).args
    assert args.top_p == 0.25
    assert isinstance(args.top_p, float)
    assert args.top_k == 5
    assert isinstance(args.top_k, int)
    assert "--top-k" in usage_error(
        "chat.completions", "--model", "m", "--message", "user", "x", "--top-k", "0.5"
    )


def test_messages_keep_their_order_and_content_may_start_like_text():
    args = parse(
        [
            "chat.completions",
            "--model",
            "m",
            "--message",
            "user",
            "one",
            "--message",
            "assistant",
            "two",
            "--message",
            "user",
            "three",
        ]
    ).args
    assert args.message == (("user", "one"), ("assistant", "two"), ("user", "three"))


def test_a_message_needs_role_and_content():
    message = usage_error("chat.completions", "--model", "m", "--message", "user")
    assert "--message" in message
    assert "expected 2 arguments" in message


def test_missing_required_options_are_named():
    assert "--message" in usage_error("chat.completions", "--model", "m")
    assert "--model" in usage_error("embeddings", "--input", "x")


def test_completions_with_echo_and_n():
    call = call_of(
        "completions",
        "--model",
        "m",
        "--prompt",
        "Once",
        "--echo",
        "--n",
        "2",
        "--stop",
        ".",
        "--no-stream",
        "--max-tokens",
        "5",
    )
    assert call == api.completions.create_completion(
        model="m", prompt="Once", echo=True, n=2, stop=(".",), max_tokens=5
    )


def test_completions_streams_by_default():
    call = call_of("completions", "--model", "m", "--prompt", "Once", "--top-p", "0.5")
    assert call == api.completions.stream_completion(model="m", prompt="Once", top_p=0.5)


def test_embeddings_of_one_text_and_of_several():
    one = call_of("embeddings", "--model", "e", "--input", "a")
    assert one == api.embeddings.create_embeddings(model="e", input="a")
    two = call_of("embeddings", "--model", "e", "--input", "a", "--input", "b")
    assert two == api.embeddings.create_embeddings(model="e", input=("a", "b"))


def test_rerank():
    call = call_of(
        "rerank",
        "--model",
        "r",
        "--query",
        "q",
        "--document",
        "d1",
        "--document",
        "d2",
        "--top-n",
        "1",
        "--return-documents",
    )
    assert call == api.rerank.create_rerank(
        model="r", query="q", documents=("d1", "d2"), top_n=1, return_documents=True
    )


def test_images_generate_asks_for_base64():
    call = call_of(
        "images",
        "generate",
        "--prompt",
        "a cat",
        "--model",
        "flux",
        "--n",
        "2",
        "--steps",
        "4",
        "--width",
        "512",
        "--height",
        "256",
        "--seed",
        "3",
        "--negative-prompt",
        "dogs",
    )
    assert call == api.images.generate_image(
        prompt="a cat",
        model="flux",
        n=2,
        steps=4,
        width=512,
        height=256,
        seed=3,
        negative_prompt="dogs",
        response_format="base64",
    )


def test_images_prefix_must_stay_in_the_output_directory():
    invocation = parse(
        ["images", "generate", "--prompt", "p", "--model", "m", "--prefix", "../escape-"]
    )
    assert invocation.command.to_call is not None
    with pytest.raises(ValueError, match="path separators"):
        invocation.command.to_call(invocation.args)
    assert images.check_prefix("ok-") == "ok-"


def test_models_list_and_upload():
    assert call_of("models", "list") == api.models.list_models()
    assert call_of("models", "list", "--dedicated") == api.models.list_models(dedicated=True)
    call = call_of(
        "models",
        "upload",
        "--model-name",
        "mine",
        "--model-source",
        "org/repo",
        "--model-type",
        "adapter",
        "--base-model",
        "base",
        "--hf-token",
        "hf_secret",
    )
    assert call == api.models.upload_model(
        model_name="mine",
        model_source="org/repo",
        model_type="adapter",
        base_model="base",
        hf_token="hf_secret",
    )
    assert call.retryable is False


def test_models_upload_type_is_a_choice():
    assert "invalid choice" in usage_error(
        "models", "upload", "--model-name", "n", "--model-source", "s", "--model-type", "lora"
    )


def test_chat_session_starts_with_the_system_message():
    invocation = parse(["chat", "--model", "m", "--system", "be kind", "--temperature", "0"])
    args = invocation.args
    assert invocation.command is chat.SESSION
    assert chat.opening(args) == ({"role": "system", "content": "be kind"},)
    assert chat.turn_call(args, "m", [{"role": "user", "content": "hi"}]) == (
        api.chat.stream_chat_completion(
            model="m", messages=[{"role": "user", "content": "hi"}], temperature=0.0
        )
    )


# --- global options -----------------------------------------------------------------------


def test_global_options_before_the_command():
    invocation = parse(
        [
            "--api-key",
            "tk-secret-value",
            "--base-url",
            "http://127.0.0.1:1/v1",
            "--timeout",
            "2.5",
            "--max-retries",
            "0",
            "--json",
            "--dry-run",
            "--debug",
            "models",
            "list",
        ]
    )
    assert invocation.options == GlobalArgs(
        api_key="tk-secret-value",
        base_url="http://127.0.0.1:1/v1",
        timeout=2.5,
        max_retries=0,
        json=True,
        dry_run=True,
        debug=True,
    )
    assert "tk-secret-value" not in repr(invocation.options)


def test_global_option_after_the_command_gets_a_hint():
    message = usage_error("models", "list", "--json")
    assert "--json: global options go before the command" in message
    message = usage_error("embeddings", "--model", "m", "--input", "x", "--api-key=abc")
    assert "--api-key: global options go before the command" in message


def test_replay_and_record_exclude_each_other():
    assert "not allowed with" in usage_error("--replay", "a", "--record", "b", "models", "list")


def test_unknown_command_and_missing_subcommand():
    assert "unknown command 'fly'" in usage_error("fly")
    assert "'models' needs a subcommand" in usage_error("models")
    assert "(not 'remove')" in usage_error("models", "remove")
    assert "a command is required" in usage_error()


def test_abbreviations_are_not_accepted():
    assert "--temp" in usage_error(
        "chat.completions", "--model", "m", "--message", "user", "x", "--temp", "1"
    )


def test_help_of_every_command_lists_its_options():
    for name, command in COMMANDS.items():
        with pytest.raises(HelpRequested) as shown:
            parse([*name.split(" "), "--help"])
        text = shown.value.text
        assert text.startswith(f"usage: together-fn {name}")
        for field in command.options.__dataclass_fields__:
            metadata = command.options.__dataclass_fields__[field].metadata
            spelled = metadata.get("args", [f"--{field.replace('_', '-')}"])[0]
            if not spelled.startswith("-"):  # positional: shown by its metavar
                spelled = metadata["metavar"]
            assert spelled in text, (name, spelled)


def test_group_help_lists_its_subcommands():
    with pytest.raises(HelpRequested) as shown:
        parse(["models", "--help"])
    assert "together-fn models list" in shown.value.text
    assert "together-fn models upload" in shown.value.text


def test_main_help_lists_every_command():
    out = io.StringIO()
    assert main(["--help"], env={}, stdout=out, stderr=io.StringIO()) == 0
    for name in COMMANDS:
        assert f"  {name} " in out.getvalue()
    assert "exit status" in out.getvalue()


def test_version():
    from together_fn._version import __version__

    out = io.StringIO()
    assert main(["--version"], env={}, stdout=out, stderr=io.StringIO()) == 0
    assert out.getvalue() == f"together-fn {__version__}\n"


def test_usage_error_exits_2_with_one_error_line():
    out, err = io.StringIO(), io.StringIO()
    status = main(
        ["chat.completions", "--model", "m", "--message", "user", "x", "--top-p", "high"],
        env={},
        stdout=out,
        stderr=err,
    )
    assert status == 2
    assert out.getvalue() == ""
    errors = [line for line in err.getvalue().splitlines() if "error" in line]
    assert errors == ["together-fn: error: argument --top-p: invalid float value: 'high'"]


def test_secrets_are_found_in_argv_and_env():
    argv = ["--api-key", "sk-0123456789", "models", "upload", "--hf-token=hf_abcdefghij"]
    found = secrets_in(argv, {"TOGETHER_API_KEY": "tk-environment-key"})
    assert found == {"sk-0123456789", "hf_abcdefghij", "tk-environment-key"}
    # Too short to scrub without mangling everything else.
    assert secrets_in(["--api-key", "k"], {}) == frozenset()


def test_the_prompt_may_be_given_by_position_as_the_old_cli_took_it():
    by_position = call_of("images", "generate", "space robots", "--model", "flux")
    assert by_position == call_of(
        "images", "generate", "--prompt", "space robots", "--model", "flux"
    )
    assert call_of("completions", "Once upon", "--model", "m") == (
        api.completions.stream_completion(model="m", prompt="Once upon")
    )
    assert (
        usage_error("completions", "--model", "m") == "a prompt is required: PROMPT or --prompt P"
    )
    assert "not both" in usage_error("completions", "a", "--prompt", "b", "--model", "m")
