"""Structured output: ask for JSON matching a schema, then check what came back.

Run: python -m examples.json_output   (offline from cassettes/json_output.yaml without a key)
"""

from __future__ import annotations

import json
import sys
from typing import Any

from examples._offline import CHAT_MODEL, key_and_transport
from together_fn import Together

SCHEMA = {
    "type": "object",
    "properties": {
        "title": {"type": "string"},
        "year": {"type": "integer"},
        "genres": {"type": "array", "items": {"type": "string"}},
    },
    "required": ["title", "year", "genres"],
    "additionalProperties": False,
}


def main(transport: Any = None) -> int:
    key, transport = key_and_transport("json_output", transport)
    with Together(api_key=key, transport=transport) as client:
        response = client.chat.completions.create(
            model=CHAT_MODEL,
            messages=[
                {"role": "system", "content": "Answer in JSON only."},
                {"role": "user", "content": "Describe the film Spirited Away."},
            ],
            response_format={
                "type": "json_schema",
                "json_schema": {"name": "film", "schema": SCHEMA, "strict": True},
            },
        )
    film = json.loads(response.choices[0].message.content or "{}")
    missing = [name for name in SCHEMA["required"] if name not in film]  # type: ignore[attr-defined]
    if missing:
        print("the answer lacks", ", ".join(missing), file=sys.stderr)
        return 1
    print(f"{film['title']} ({film['year']}): {', '.join(film['genres'])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
