"""Contract cases of ``/tci`` (the code interpreter).

The spec's ``ExecuteResponse`` is a ``oneOf`` of two shapes whose output items are another
``oneOf``; the answers dynamic Prism generates for it often fail Prism's own check of those
(about a third of them, seen as a 500 naming the response body). The execute cases ask for
the spec's example in both modes (``Prefer: dynamic=false``);
``test_media_dynamic`` samples generated answers and decodes every one Prism lets through.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from together_fn import api
from together_fn.api import RequestOptions
from together_fn.calls import Call

EXAMPLES = RequestOptions(extra_headers={"prefer": "dynamic=false"})

CASES: dict[str, Callable[[], Call[Any]]] = {
    "tci: run code in a new session": lambda: api.tci.execute_code(
        code="print('Hello, world!')", options=EXAMPLES
    ),
    "tci: run code in a session with files": lambda: api.tci.execute_code(
        code="import csv; print(list(csv.reader(open('data.csv'))))",
        language="python",
        session_id="ses_abcDEF123",
        files=[
            {"name": "data.csv", "encoding": "string", "content": "a,b\n1,2\n"},
            {"name": "pixel.png", "encoding": "base64", "content": "iVBORw0KGgo="},
        ],
        options=EXAMPLES,
    ),
    "tci: list sessions": lambda: api.tci.list_sessions(),
}
