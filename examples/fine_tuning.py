"""Fine-tuning, end to end: check a dataset, upload it, start a LoRA job, wait, download.

Run: python -m examples.fine_tuning [DIR]   (offline from cassettes/fine_tuning.yaml without a key)

Live, this starts a real (small, billed) job: the price estimate is printed before it starts.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path
from typing import Any

from examples._offline import key_and_transport
from together_fn import Together
from together_fn.dataset import check_file, describe
from together_fn.models.fine_tunes import FinetunePriceEstimate, FinetuneResponse
from together_fn.wait import WaitPolicy

MODEL = "meta-llama/Meta-Llama-3.1-8B-Instruct-Reference"
DATASET = "capitals.jsonl"
#: Comfortably above the 100 examples a fine-tuning dataset needs at least.
SAMPLES = 120
COUNTRIES = (
    ("France", "Paris"),
    ("Japan", "Tokyo"),
    ("Kenya", "Nairobi"),
    ("Peru", "Lima"),
    ("Canada", "Ottawa"),
    ("Egypt", "Cairo"),
    ("Norway", "Oslo"),
    ("Chile", "Santiago"),
)
ASKED = (
    "What is the capital of {}?",
    "Name the capital city of {}.",
    "{}: which city is the capital?",
)


def conversations(count: int = SAMPLES) -> list[dict[str, Any]]:
    """Short chat examples (the same every run, so that a recorded upload replays)."""
    examples = []
    for i in range(count):
        country, capital = COUNTRIES[i % len(COUNTRIES)]
        question = ASKED[(i // len(COUNTRIES)) % len(ASKED)].format(country)
        messages = [
            {"role": "system", "content": "Answer in one short sentence."},
            {"role": "user", "content": question},
            {"role": "assistant", "content": f"The capital of {country} is {capital}."},
        ]
        examples.append({"messages": messages})
    return examples


def write_dataset(folder: Path) -> Path:
    path = folder / DATASET
    lines = (json.dumps(example) for example in conversations())
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def approve(estimate: FinetunePriceEstimate) -> bool:
    """Shown the price before the job is created; returning False would cancel it."""
    tokens = int(estimate.estimated_train_token_count or 0)
    price = estimate.estimated_total_price or 0.0
    print(f"estimated price: ${price:.2f} for {tokens} training tokens")
    return True


def show_poll(job: FinetuneResponse) -> None:
    steps = f" ({job.steps_completed}/{job.total_steps} steps)" if job.total_steps else ""
    print(f"status: {job.status}{steps}")


def main(
    transport: Any = None, poll_interval: float | None = None, output: Path | None = None
) -> int:
    key, transport = key_and_transport("fine_tuning", transport)
    # A replayed or recorded job needs no patience; a live one takes minutes to hours.
    if poll_interval is None:
        poll_interval = 0.01 if transport is not None else 15.0
    policy = WaitPolicy(
        timeout=6 * 3600.0, initial_interval=poll_interval, max_interval=poll_interval * 4
    )
    with (
        tempfile.TemporaryDirectory() as scratch,
        Together(api_key=key, transport=transport) as client,
    ):
        dataset = write_dataset(Path(scratch))
        report = check_file(dataset)
        print(f"dataset: {report.num_samples} {report.format} examples, ok={report.ok}")
        if not report.ok:
            print(describe(report))
            return 1
        uploaded = client.files.upload(file=dataset, purpose="fine-tune")
        print(f"uploaded: {uploaded.id} ({uploaded.filename})")
        job = client.fine_tuning.create(
            training_file=uploaded.id,
            model=MODEL,
            n_epochs=3,
            lora=True,
            suffix="capitals",
            on_estimate=approve,
        )
        print(f"created: {job.id}")
        done = client.fine_tuning.wait(job.id, policy=policy, on_poll=show_poll)
        if done.status != "completed":
            print(f"the job ended as {done.status}")
            return 1
        print(f"model: {done.model_output_name}")
        folder = output or Path(tempfile.mkdtemp(prefix="together-fine-tune-"))
        saved = client.fine_tuning.download(job.id, output=folder)
        print(f"saved: {saved.filename} ({saved.size} bytes) in {folder}")
    return 0


if __name__ == "__main__":
    sys.exit(main(output=Path(sys.argv[1]) if len(sys.argv) > 1 else None))
