"""Payloads for the decoding measures, shaped like what the real API answers (deterministic)."""

from __future__ import annotations

import json
import random
from typing import Any


def embeddings_payload(rows: int = 256, dims: int = 1024) -> bytes:
    """An ``/embeddings`` answer of ``rows`` vectors of ``dims`` floats (9 digits, as served)."""
    rng = random.Random(0)
    data = [
        {
            "object": "embedding",
            "index": i,
            "embedding": [round(rng.uniform(-0.12, 0.12), 9) for _ in range(dims)],
        }
        for i in range(rows)
    ]
    answer = {
        "object": "list",
        "data": data,
        "model": "BAAI/bge-large-en-v1.5",
        "usage": {"prompt_tokens": rows * 12, "completion_tokens": 0, "total_tokens": rows * 12},
    }
    return json.dumps(answer).encode()


# The catalogue sends a chat template with chat models (real ones run to a few KB).
_CHAT_CONFIG = {
    "chat_template": (
        "{{- bos_token }}{%- for message in messages %}"
        "{{- '<|start_header_id|>' + message['role'] + '<|end_header_id|>\\n\\n' }}"
        "{{- message['content'] | trim + '<|eot_id|>' }}{%- endfor %}"
        "{%- if add_generation_prompt %}"
        "{{- '<|start_header_id|>assistant<|end_header_id|>\\n\\n' }}{%- endif %}"
    ),
    "stop": ["<|eot_id|>", "<|eom_id|>"],
    "bos_token": "<|begin_of_text|>",
    "eos_token": "<|eot_id|>",
}
_KINDS = ("chat", "chat", "chat", "language", "code", "image", "embedding", "rerank", "moderation")
_ORGS = ("Meta", "Qwen", "mistralai", "deepseek-ai", "google", "BAAI", "black-forest-labs")


def models_payload(count: int = 200) -> bytes:
    """A ``GET /models`` answer of ``count`` model objects shaped like the real API's."""
    rng = random.Random(1)
    models = []
    for i in range(count):
        kind = _KINDS[i % len(_KINDS)]
        org = _ORGS[i % len(_ORGS)]
        name = f"{org}/Model-{i}-{rng.choice(('8B', '70B', '405B', '7B'))}-Instruct-Turbo"
        model: dict[str, Any] = {
            "id": name,
            "object": "model",
            "created": 1_692_896_905 + i * 86_400,
            "type": kind,
            "running": False,
            "display_name": name.split("/")[1].replace("-", " "),
            "organization": org,
            "link": f"https://huggingface.co/{name}",
            "license": rng.choice(("apache-2.0", "llama3.3", "mit", "other")),
            "context_length": rng.choice((8192, 32768, 131072)),
            "config": _CHAT_CONFIG if kind == "chat" else None,
            "pricing": {
                "hourly": 0,
                "input": round(rng.uniform(0.05, 3.5), 2),
                "output": round(rng.uniform(0.05, 3.5), 2),
                "base": 0,
                "finetune": 0,
            },
        }
        models.append(model)
    return json.dumps(models).encode()
