"""The incremental JSONL checker: feed it raw lines, then ask for the report.

The hot path is one ``json.loads`` per line followed by a handful of dict and type lookups;
problem objects are only built when something is wrong.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from together_fn.dataset.limits import FORMAT_FIELDS, MAX_PROBLEMS, MIN_SAMPLES
from together_fn.dataset.messages import (
    check_image_count,
    check_messages,
    check_tools,
    fast_conversation_ok,
)
from together_fn.dataset.report import CheckReport, ProblemLog
from together_fn.dataset.rules import check_purpose, check_sample_count, check_size

_BOM = b"\xef\xbb\xbf"
_SKIP: Any = object()  # what ``_unparsed`` returns for a line that holds no sample
_FORMAT_LIST = "; ".join(
    f"{name}: {', '.join(sorted(required))}" for name, (required, _) in FORMAT_FIELDS.items()
)


def detect_format(sample: dict[str, Any]) -> str | None:
    """The dataset format whose required fields ``sample`` has, or ``None``."""
    if "messages" in sample:
        return "conversation"
    if "text" in sample:
        return "general"
    if "input" in sample or "preferred_output" in sample:
        return "preference"
    if "prompt" in sample or "completion" in sample:
        return "instruction"
    return None


class JsonlChecker:
    """Checks a JSONL dataset one line at a time, in constant memory.

    ``feed_line(number, raw)`` takes the raw bytes of one physical line (with or without its
    newline); ``feed_lines`` does the same for an iterable, faster. ``finish()`` returns the
    report. Only ``fine-tune`` files are checked against the dataset formats; ``batch-api``
    lines need ``custom_id`` and ``body``; other purposes only need one JSON object per line.
    """

    def __init__(
        self,
        *,
        purpose: str = "fine-tune",
        min_samples: int | None = None,
        max_problems: int = MAX_PROBLEMS,
    ) -> None:
        self.purpose = check_purpose(purpose)
        self.min_samples = (
            min_samples if min_samples is not None else MIN_SAMPLES if purpose == "fine-tune" else 1
        )
        self.log = ProblemLog(max_problems)
        self.format: str | None = None
        self.num_samples = 0
        self.last_line = 0
        # Blank lines: a final run of them is just the end of the file, any other is a warning.
        self._blank_count = 0
        self._blank_kept: list[int] = []
        self._blank_run_start = 0
        self._blank_run_end = -1

    def feed_line(self, number: int, raw: bytes) -> None:
        """Check one line (1-based ``number``)."""
        self.feed_lines((raw,), first=number)

    def feed_lines(self, lines: Iterable[bytes], *, first: int = 1) -> int:
        """Check consecutive lines, the first being number ``first``; return the next number."""
        number = first - 1
        loads = json.loads
        fine_tune = self.purpose == "fine-tune"
        samples = 0
        for raw in lines:
            number += 1
            try:
                sample = loads(raw.decode())
            except (ValueError, RecursionError):
                sample = self._unparsed(number, raw)
                if sample is _SKIP:
                    continue
            samples += 1
            if type(sample) is not dict:
                self._not_object(number, sample)
            elif fine_tune:
                # The common case, answered without building anything.
                if (
                    self.format == "conversation"
                    and len(sample) == 1
                    and fast_conversation_ok(sample.get("messages"))
                ):
                    continue
                self._fine_tune(number, sample)
            elif self.purpose == "batch-api":
                self._batch(number, sample)
        self.num_samples += samples
        if number > self.last_line:
            self.last_line = number
        return number + 1

    def finish(self, *, size_bytes: int | None = None) -> CheckReport:
        """The report for everything fed; call once, after the last line."""
        log = self.log
        self._flush_blanks()
        if size_bytes is not None:
            check_size(size_bytes, log, purpose=self.purpose)
        if size_bytes != 0:
            check_sample_count(self.num_samples, self.min_samples, log)
        return CheckReport(
            ok=log.errors == 0,
            purpose=self.purpose,
            file_type="jsonl",
            format=self.format,
            num_samples=self.num_samples,
            size_bytes=size_bytes,
            problems=log.sorted_problems(),
            problem_count=log.count,
            error_count=log.errors,
        )

    # -- the slow paths -------------------------------------------------------------------

    def _unparsed(self, number: int, raw: bytes) -> Any:
        """A line ``json.loads`` refused: blank, BOM, bad UTF-8 or bad JSON. Returns the sample."""
        if not raw.strip():
            self._blank(number)
            return _SKIP
        if number == 1 and raw.startswith(_BOM):
            self.log.add(1, "bom", "the file starts with a UTF-8 byte order mark", "warning")
            raw = raw[len(_BOM) :]
            if not raw.strip():
                return _SKIP
        try:
            text = raw.decode()
        except UnicodeDecodeError as exc:
            self.log.add(
                number,
                "not_utf8",
                f"invalid UTF-8 at byte {exc.start + 1} of the line "
                f"({raw[exc.start : exc.start + 4]!r})",
            )
            return _SKIP
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            self.log.add(number, "invalid_json", f"invalid JSON: {exc.msg} (column {exc.colno})")
        except ValueError as exc:  # e.g. an integer too long to convert
            self.log.add(number, "invalid_json", f"invalid JSON: {exc}")
        except RecursionError:
            self.log.add(number, "invalid_json", "invalid JSON: nested too deeply")
        return _SKIP

    def _blank(self, number: int) -> None:
        self._blank_count += 1
        if len(self._blank_kept) <= self.log.cap:
            self._blank_kept.append(number)
        if number != self._blank_run_end + 1:
            self._blank_run_start = number
        self._blank_run_end = number

    def _flush_blanks(self) -> None:
        trailing_from = (
            self._blank_run_start if self._blank_run_end == self.last_line else self.last_line + 1
        )
        inner = self._blank_count - (self.last_line + 1 - trailing_from)
        kept = [n for n in self._blank_kept if n < trailing_from]
        for number in kept:
            self.log.add(number, "blank_line", "blank line skipped", "warning")
        # Blank lines beyond those kept still count towards the total.
        self.log.count += inner - len(kept)
        self._blank_count = 0
        self._blank_kept = []
        self._blank_run_end = -1

    def _not_object(self, number: int, sample: object) -> None:
        kind = "null" if sample is None else type(sample).__name__
        self.log.add(number, "not_an_object", f"each line must be a JSON object, got {kind}")

    def _batch(self, number: int, sample: dict[str, Any]) -> None:
        if type(sample.get("custom_id")) is not str:
            self.log.add(number, "batch_custom_id", "a batch request needs a string `custom_id`")
        if type(sample.get("body")) is not dict:
            self.log.add(number, "batch_body", "a batch request needs an object `body`")

    def _fine_tune(self, number: int, sample: dict[str, Any]) -> None:
        log = self.log
        found = detect_format(sample)
        if found is None:
            keys = ", ".join(sorted(sample)) or "none"
            log.add(
                number,
                "unknown_format",
                f"cannot tell the dataset format from the fields ({keys}); expected {_FORMAT_LIST}",
            )
            return
        if self.format is None:
            self.format = found
        elif found != self.format:
            log.add(
                number,
                "mixed_formats",
                f"the line is in {found} format but the file started in {self.format} format",
            )
        required, optional = FORMAT_FIELDS[found]
        for name in sorted(required - sample.keys()):
            log.add(number, "missing_field", f"the {found} format needs a `{name}` field")
        for name in sorted(sample.keys() - required - optional):
            log.add(number, "extra_field", f"unexpected field `{name}` in the {found} format")
        if found == "conversation":
            self._conversation(number, sample)
        elif found == "preference":
            self._preference(number, sample)
        else:
            for name in sorted(required & sample.keys()):
                if type(sample[name]) is not str:
                    kind = type(sample[name]).__name__
                    log.add(number, "field_type", f"`{name}` must be a string, got {kind}")

    def _conversation(self, number: int, sample: dict[str, Any]) -> None:
        if "tools" in sample:
            check_tools(sample["tools"], number, self.log, where="tools")
        if "messages" in sample:
            images = check_messages(
                sample["messages"], number, self.log, where="messages", require_assistant=True
            )
            check_image_count(images, number, self.log)

    def _preference(self, number: int, sample: dict[str, Any]) -> None:
        log = self.log
        images = 0
        prompt = sample.get("input")
        if "input" not in sample:
            pass
        elif type(prompt) is not dict or "messages" not in prompt:
            log.add(number, "preference_input", "`input` must be an object with `messages`")
        else:
            messages = prompt["messages"]
            images += check_messages(
                messages, number, log, where="input.messages", require_assistant=False
            )
            last = messages[-1] if type(messages) is list and messages else None
            if type(last) is dict and last.get("role") == "assistant":
                log.add(
                    number,
                    "preference_input_last",
                    "`input.messages` must not end with an assistant message",
                )
            if "tools" in prompt:
                check_tools(prompt["tools"], number, log, where="input.tools")
        for name in ("preferred_output", "non_preferred_output"):
            if name not in sample:
                continue
            output = sample[name]
            if type(output) is not list or len(output) != 1:
                log.add(number, "preference_output", f"`{name}` must be a list of one message")
                continue
            if type(output[0]) is dict and output[0].get("role") != "assistant":
                log.add(number, "preference_output", f"`{name}` must hold an assistant message")
            images += check_messages(output, number, log, where=name, require_assistant=False)
        check_image_count(images, number, log)
