"""``together-fn rerank``: order documents by relevance to a query, as a ranked table."""

from collections.abc import Sequence
from dataclasses import dataclass

from together_fn import api
from together_fn.calls import Call
from together_fn.cli.common import Command, flag, optional, repeated, required
from together_fn.cli.output import shorten, table
from together_fn.models.rerank import RerankResponse

#: Documents are cut to this many characters in the table.
DOCUMENT_WIDTH = 70


@dataclass(frozen=True, kw_only=True)
class Args:
    """Options of ``rerank``."""

    model: str = required(str, "the rerank model", metavar="M")
    query: str = required(str, "what the documents should be relevant to", metavar="Q")
    document: tuple[str, ...] = repeated(
        "a document to rank (repeatable)", metavar="D", needed=True
    )
    top_n: int | None = optional(int, "keep only the best N", metavar="N")
    return_documents: bool = flag("have the server echo the documents back")


def to_call(args: Args) -> Call[RerankResponse]:
    """The rerank call."""
    return api.rerank.create_rerank(
        model=args.model,
        query=args.query,
        documents=args.document,
        top_n=args.top_n,
        return_documents=True if args.return_documents else None,
    )


def render(response: RerankResponse, documents: Sequence[str] = ()) -> str:
    """Best first: rank, the document's position in the request, score and text.

    The text is the one the server echoed, else the caller's own ``documents[index]``.
    """
    rows = []
    for rank, result in enumerate(response.results, start=1):
        text = result.document.text if result.document is not None else None
        if text is None and 0 <= result.index < len(documents):
            text = documents[result.index]
        shown = shorten(text, DOCUMENT_WIDTH) if text is not None else None
        rows.append((rank, result.index, f"{result.relevance_score:.4f}", shown))
    return table(("rank", "index", "score", "document"), rows)


COMMAND = Command(
    name="rerank",
    summary="rank documents by relevance to a query",
    options=Args,
    to_call=to_call,
    render=lambda response, args: render(response, args.document),
)
