"""``together-fn embeddings``: embed texts; shows each vector's size and a glimpse of it."""

import math
from dataclasses import dataclass

from together_fn import api
from together_fn.calls import Call
from together_fn.cli.common import Command, repeated, required
from together_fn.cli.output import table
from together_fn.models.embeddings import EmbeddingsResponse

#: How many leading values of each vector to show.
SHOWN_VALUES = 4


@dataclass(frozen=True, kw_only=True)
class Args:
    """Options of ``embeddings``."""

    model: str = required(str, "the embedding model", metavar="M")
    input: tuple[str, ...] = repeated("a text to embed (repeatable)", metavar="TEXT", needed=True)


def to_call(args: Args) -> Call[EmbeddingsResponse]:
    """One call embedding every ``--input`` (a single one is sent as a plain string)."""
    texts = args.input
    return api.embeddings.create_embeddings(
        model=args.model, input=texts[0] if len(texts) == 1 else texts
    )


def render(response: EmbeddingsResponse) -> str:
    """A table: each vector's index, dimensions, length (L2 norm) and first values."""
    rows = []
    for item in sorted(response.data, key=lambda e: e.index):
        vector = item.embedding
        glimpse = " ".join(f"{v:.4f}" for v in vector[:SHOWN_VALUES])
        if len(vector) > SHOWN_VALUES:
            glimpse += " …"
        norm = math.sqrt(math.fsum(v * v for v in vector))
        rows.append((item.index, len(vector), f"{norm:.4f}", glimpse))
    heading = f"{len(response.data)} vector(s) from {response.model or 'the model'}"
    return heading + "\n" + table(("index", "dimensions", "norm", "first values"), rows)


COMMAND = Command(
    name="embeddings",
    summary="embed texts",
    options=Args,
    to_call=to_call,
    render=lambda response, _args: render(response),
)
