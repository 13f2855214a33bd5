"""The dataset checker against plain ``json.loads`` over the same file, side by side.

    python -m benchmarks.check                 # 100k conversations (about 100 MB)
    python -m benchmarks.check --samples 20000 # a quicker run

A typical chat JSONL is generated in a temporary directory (seeded, so every run checks the same
bytes); the floor reads it in binary and calls ``json.loads`` on every line, the checker is
``check_file`` on the same file. Both read from the page cache after a warm-up read. Each side is
repeated and the best CPU time kept; the ratio is printed, never asserted (target: <= 1.5x).
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from together_fn.executors.dataset_files import check_file

_VOCABULARY = (
    "the model answers questions about data science, cooking, travel and history with care "
    "and cites sources when it can; users ask follow-up questions in plain language"
)
WORDS = _VOCABULARY.split()


def _sentence(rng: random.Random, low: int, high: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(low, high))).capitalize() + "."


def write_chat_jsonl(path: Path, samples: int, *, weights: bool = False, seed: int = 7) -> None:
    """Conversations of 2-6 messages, each a few hundred characters, some with a system turn.

    With ``weights``, every message carries a ``weight`` (0 for prompts, 1 for answers).
    """
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8") as out:
        for _ in range(samples):
            turns = rng.randint(1, 3)
            messages: list[dict[str, Any]] = []
            if rng.random() < 0.3:
                messages.append({"role": "system", "content": _sentence(rng, 8, 20)})
            for _ in range(turns):
                messages.append({"role": "user", "content": _sentence(rng, 10, 40)})
                messages.append({"role": "assistant", "content": _sentence(rng, 20, 80)})
            if weights:
                for message in messages:
                    message["weight"] = int(message["role"] == "assistant")
            out.write(json.dumps({"messages": messages}) + "\n")


def json_floor(path: Path) -> int:
    """What any checker must at least do: read every line and parse it."""
    loads = json.loads
    count = 0
    with path.open("rb") as stream:
        for line in stream:
            loads(line)
            count += 1
    return count


def run_checker(path: Path) -> int:
    report = check_file(path, purpose="fine-tune")
    if not report.ok:
        raise SystemExit(f"the generated file did not pass: {report.problems[:3]}")
    return report.num_samples


def best_cpu(fn: Callable[[Path], int], path: Path, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        gc.collect()
        start = time.process_time()
        fn(path)
        best = min(best, time.process_time() - start)
    return best


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--samples", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    print(f"{args.samples} conversations of 2-6 messages; best CPU time of {args.repeat}")
    for label, weights in (("plain chat", False), ("chat with weights", True)):
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "chat.jsonl"
            write_chat_jsonl(path, args.samples, weights=weights)
            size_mb = path.stat().st_size / 1e6
            json_floor(path)  # warm the page cache
            floor = checker = float("inf")
            for _ in range(args.repeat):  # alternate, so drift hits both sides
                floor = min(floor, best_cpu(json_floor, path, 1))
                checker = min(checker, best_cpu(run_checker, path, 1))
        print(
            f"{label:18} {size_mb:6.1f} MB  json.loads {floor * 1000:7.1f} ms  "
            f"check_file {checker * 1000:7.1f} ms  ratio {checker / floor:.2f}x (target <= 1.50x)"
        )


if __name__ == "__main__":
    main()
