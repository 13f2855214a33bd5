"""The command line against Prism serving Together's OpenAPI spec.

Prism answers 4xx (and so the command exits 1) when a request breaks the spec, and serves the
spec's examples, which every command must show. Prism cannot serve event streams, so the
streaming commands run with ``--no-stream``.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from together_fn.cli.main import COMMANDS, main

pytestmark = pytest.mark.contract

KEY = "contract-cli-key-5d1e"
MODEL = "meta-llama/Llama-3.3-70B-Instruct-Turbo"

#: One command line per command; "{tmp}" is a fresh directory for files a command writes.
COMMAND_LINES: dict[str, list[str]] = {
    "chat.completions": [
        "chat.completions", "--model", MODEL, "--message", "system", "be brief",
        "--message", "user", "hi", "--top-p", "0.5", "--top-k", "40", "--stop", "END",
        "--max-tokens", "16", "--no-stream",
    ],
    "chat": ["chat", "--model", MODEL, "--system", "be brief", "--temperature", "0.2",
             "--no-stream"],
    "completions": ["completions", "--model", MODEL, "--prompt", "Once upon", "--max-tokens",
                    "8", "--no-stream"],
    "embeddings": ["embeddings", "--model", "BAAI/bge-base-en-v1.5", "--input", "a",
                   "--input", "b"],
    "rerank": ["rerank", "--model", "Salesforce/Llama-Rank-v1", "--query", "q", "--document",
               "sun", "--document", "rain", "--top-n", "1"],
    "images generate": ["images", "generate", "--prompt", "a cat", "--model",
                        "black-forest-labs/FLUX.1-schnell", "--n", "1", "--steps", "4",
                        "--output-dir", "{tmp}", "--prefix", "cat-"],
    "models list": ["models", "list"],
    "models upload": ["models", "upload", "--model-name", "mine", "--model-source",
                      "https://huggingface.co/org/repo"],
    "audio speech": ["audio", "speech", "--model", "cartesia/sonic-2", "--input", "Hi",
                     "--voice", "laidback woman", "--output", "{tmp}/hi.wav"],
    "audio transcribe": ["audio", "transcribe", "{tmp}/a.wav", "--language", "en"],
    "files check": ["files", "check", "{tmp}/data.jsonl"],
    "files upload": ["files", "upload", "{tmp}/data.jsonl"],
    "bulk run": ["bulk", "run", "{tmp}/requests.jsonl", "--out", "{tmp}/results.jsonl"],
    "files list": ["files", "list"],
    "files retrieve": ["files", "retrieve", "file-1"],
    "files retrieve-content": ["files", "retrieve-content", "file-1", "--output", "{tmp}/f"],
    "files delete": ["files", "delete", "file-1"],
    "fine-tuning create": ["fine-tuning", "create", "--training-file", "file-1", "--model",
                           MODEL, "--n-epochs", "1", "--lora", "--lora-r", "8"],
    "fine-tuning list": ["fine-tuning", "list"],
    "fine-tuning retrieve": ["fine-tuning", "retrieve", "ft-1"],
    "fine-tuning cancel": ["fine-tuning", "cancel", "ft-1"],
    "fine-tuning delete": ["fine-tuning", "delete", "ft-1"],
    "fine-tuning list-events": ["fine-tuning", "list-events", "ft-1"],
    "fine-tuning list-checkpoints": ["fine-tuning", "list-checkpoints", "ft-1"],
    "fine-tuning estimate-price": ["fine-tuning", "estimate-price", "--training-file",
                                   "file-1", "--model", MODEL],
    "fine-tuning download": ["fine-tuning", "download", "ft-1", "--output", "{tmp}/model"],
    "batches create": ["batches", "create", "file-1", "--endpoint", "/v1/chat/completions"],
    "batches list": ["batches", "list"],
    "batches retrieve": ["batches", "retrieve", "batch-1"],
    "batches cancel": ["batches", "cancel", "batch-1"],
    "endpoints create": ["endpoints", "create", "--model", MODEL, "--hardware",
                         "1x_nvidia_h100_80gb_sxm", "--min-replicas", "1", "--max-replicas", "2"],
    "endpoints list": ["endpoints", "list", "--type", "dedicated"],
    "endpoints retrieve": ["endpoints", "retrieve", "endpoint-1"],
    "endpoints update": ["endpoints", "update", "endpoint-1", "--max-replicas", "3",
                         "--min-replicas", "1"],
    "endpoints start": ["endpoints", "start", "endpoint-1"],
    "endpoints stop": ["endpoints", "stop", "endpoint-1"],
    "endpoints delete": ["endpoints", "delete", "endpoint-1"],
    "endpoints hardware": ["endpoints", "hardware"],
    "endpoints availability-zones": ["endpoints", "availability-zones"],
    "evaluation create": ["evaluation", "create", "--type", "compare", "--parameters",
                          '{"judge": {"model": "j", "system_template": "Judge",'
                          ' "model_source": "serverless"}, "input_data_file_path": "file-1",'
                          ' "model_a": {"model": "a", "max_tokens": 16, "temperature": 0.5,'
                          ' "system_template": "s", "input_template": "{{prompt}}",'
                          ' "model_source": "serverless"}, "model_b": {"model": "b",'
                          ' "max_tokens": 16, "temperature": 0.5, "system_template": "s",'
                          ' "input_template": "{{prompt}}", "model_source": "serverless"}}'],
    "evaluation list": ["evaluation", "list"],
    "evaluation retrieve": ["evaluation", "retrieve", "eval-1234aedf"],
    "evaluation status": ["evaluation", "status", "eval-1234aedf"],
    "evaluation models": ["evaluation", "models"],
}  # fmt: skip


#: The spec gives no example image, so Prism sends the placeholder "string" as base64: the
#: request passed validation (else Prism answers 4xx), and the command refuses to save junk.
UNSAVABLE = "error: could not save the output: image 0 is not valid base64"


#: Prism's own example answer breaks the spec here (``results`` matches two schemas of a
#: ``oneOf``), so Prism answers 500 about the *response*: the request itself was valid.
RESPONSE_DEFECTS = frozenset({"evaluation status"})


#: Uploads go the way the real API and the official SDKs do (``POST /files``, then a signed
#: URL), which the spec leaves out: Prism has no such route, and the command must say so on
#: one line.
NOT_IN_SPEC = frozenset({"files upload"})


def check(name: str, status: int, err: str) -> None:
    if name in NOT_IN_SPEC:
        assert status == 1
        assert err.startswith("error: "), err
        assert err.count("\n") == 1, err
    elif name in RESPONSE_DEFECTS:
        assert status == 1
        assert err.startswith("error: InternalServerError: 500"), err
    elif name == "images generate":
        assert status == 1
        assert err.startswith(UNSAVABLE), err
    elif name == "fine-tuning create":  # the price estimate goes to stderr
        assert status == 0, err
        assert err.startswith("estimated price:"), err
    else:
        assert (status, err) == (0, ""), err


BULK_REQUESTS = "".join(
    json.dumps(
        {
            "custom_id": f"q-{n}",
            "body": {
                "model": "meta-llama/Llama-3.3-70B-Instruct-Turbo",
                "messages": [{"role": "user", "content": f"Question {n}"}],
            },
        }
    )
    + "\n"
    for n in range(5)
)


def run(url: str, argv: list[str], tmp: Path, stdin: str = "") -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    (tmp / "data.jsonl").write_text('{"text": "a sample"}\n' * 100)
    (tmp / "requests.jsonl").write_text(BULK_REQUESTS)
    (tmp / "a.wav").write_bytes(b"RIFF\x24\x00\x00\x00WAVEfmt " + bytes(24))
    line = [arg.replace("{tmp}", str(tmp)) for arg in argv]
    status = main(
        ["--base-url", url, "--max-retries", "0", *line],
        env={"TOGETHER_API_KEY": KEY},
        stdout=out,
        stderr=err,
        stdin=io.StringIO(stdin),
    )
    assert KEY not in out.getvalue() + err.getvalue()
    return status, out.getvalue(), err.getvalue()


def test_every_command_has_a_command_line() -> None:
    assert set(COMMAND_LINES) == set(COMMANDS)


@pytest.mark.parametrize("name", sorted(COMMAND_LINES))
def test_command_against_prism(prism_static: str, tmp_path: Path, name: str) -> None:
    status, out, err = run(prism_static, COMMAND_LINES[name], tmp_path, stdin="hello\n")
    check(name, status, err)
    assert out.strip() or name == "images generate" or name in RESPONSE_DEFECTS | NOT_IN_SPEC


@pytest.mark.parametrize("name", sorted(COMMAND_LINES))
def test_command_json_against_prism(prism_static: str, tmp_path: Path, name: str) -> None:
    status, out, err = run(prism_static, ["--json", *COMMAND_LINES[name]], tmp_path, "hi\n")
    check(name, status, err)
    if status == 0 and name != "endpoints delete":  # 204 No Content: null
        assert json.loads(out) is not None


@pytest.mark.parametrize("name", sorted(RESPONSE_DEFECTS))
def test_response_defects_are_about_the_response(
    prism_static: str, tmp_path: Path, name: str
) -> None:
    status, _, err = run(prism_static, ["--debug", *COMMAND_LINES[name]], tmp_path)
    assert status == 1
    assert '"location":["response"' in err
    assert '"location":["request"' not in err


def test_nothing_is_left_behind_when_images_cannot_be_saved(
    prism_static: str, tmp_path: Path
) -> None:
    run(prism_static, COMMAND_LINES["images generate"], tmp_path)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(("cat-", ".cat-"))]


def test_a_request_breaking_the_spec_is_an_error_line(prism_static: str, tmp_path: Path) -> None:
    # A role the spec does not know: Prism rejects it, the command reports it on one line.
    argv = ["chat.completions", "--model", MODEL, "--message", "wizard", "hi", "--no-stream"]
    status, out, err = run(prism_static, argv, tmp_path)
    assert status == 1
    assert out == ""
    assert err.startswith("error: ")
    assert err.count("\n") == 1


def test_bulk_run_writes_a_valid_answer_for_every_request(
    prism_static: str, tmp_path: Path
) -> None:
    status, out, err = run(prism_static, COMMAND_LINES["bulk run"], tmp_path)
    assert (status, err) == (0, ""), err
    assert "5 written (5 ok, 0 failed)" in out
    lines = [json.loads(line) for line in (tmp_path / "results.jsonl").read_text().splitlines()]
    assert sorted(line["custom_id"] for line in lines) == [f"q-{n}" for n in range(5)]
    assert {line["status"] for line in lines} == {"ok"}
    assert all("choices" in line["response"] for line in lines)
