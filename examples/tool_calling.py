"""Tool calling, round trip: the model asks for a tool, we run it, the model answers.

Run: python -m examples.tool_calling   (offline from cassettes/tool_calling.yaml without a key)
"""

from __future__ import annotations

import json
import sys
from typing import Any

from examples._offline import CHAT_MODEL, key_and_transport
from together_fn import Together

WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "The current temperature in a city, in degrees Celsius",
        "parameters": {
            "type": "object",
            "properties": {"city": {"type": "string"}},
            "required": ["city"],
        },
    },
}


def get_weather(city: str) -> dict[str, Any]:
    """The local implementation of the tool (a fixed table, for the example)."""
    return {"city": city, "celsius": {"Paris": 21, "Tokyo": 26}.get(city, 15)}


def main(transport: Any = None) -> int:
    key, transport = key_and_transport("tool_calling", transport)
    messages: list[dict[str, Any]] = [{"role": "user", "content": "How warm is it in Paris?"}]
    with Together(api_key=key, transport=transport) as client:
        first = client.chat.completions.create(
            model=CHAT_MODEL, messages=messages, tools=[WEATHER_TOOL], tool_choice="auto"
        )
        asked = first.choices[0].message
        calls = asked.tool_calls or ()
        if not calls:
            print("the model answered without the tool:", asked.content)
            return 0
        messages.append(
            {
                "role": "assistant",
                "content": asked.content,
                "tool_calls": [
                    {
                        "id": c.id,
                        "type": "function",
                        "function": {"name": c.function.name, "arguments": c.function.arguments},
                    }
                    for c in calls
                ],
            }
        )
        for call in calls:
            result = get_weather(**json.loads(call.function.arguments))
            print(f"tool {call.function.name}({call.function.arguments}) -> {result}")
            messages.append(
                {"role": "tool", "tool_call_id": call.id, "content": json.dumps(result)}
            )
        final = client.chat.completions.create(
            model=CHAT_MODEL, messages=messages, tools=[WEATHER_TOOL]
        )
    print("answer:", final.choices[0].message.content)
    return 0


if __name__ == "__main__":
    sys.exit(main())
