"""Contract cases of the inference endpoints: chat, completions, embeddings, rerank, images, models.

Each case builds one Call with realistic arguments; ``test_contract`` sends every case of every
``cases_*`` module through both executors to Prism.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from together_fn import api
from together_fn.calls import Call, StreamCall
from together_fn.models.chat import ChatCompletionResponse
from together_fn.models.completions import CompletionResponse

WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Get the weather for a city",
        "parameters": {
            "type": "object",
            "properties": {"city": {"type": "string"}},
            "required": ["city"],
        },
    },
}


def as_json_call(stream_call: StreamCall[Any], response_type: Any) -> Call[Any]:
    """A streaming request, asking for JSON: Prism validates it but cannot stream."""
    request = stream_call.request.with_headers((("accept", "application/json"),))
    return Call(operation=stream_call.operation, request=request, response_type=response_type)


CASES: dict[str, Callable[[], Call[Any]]] = {
    "chat: minimal": lambda: api.chat.create_chat_completion(
        model="meta-llama/Llama-3.3-70B-Instruct-Turbo",
        messages=[{"role": "user", "content": "Say hi"}],
    ),
    "chat: every role, sampling and tools": lambda: api.chat.create_chat_completion(
        model="meta-llama/Llama-3.3-70B-Instruct-Turbo",
        messages=[
            {"role": "system", "content": "Be brief."},
            {"role": "user", "content": "Weather in Paris?"},
            {
                "role": "assistant",
                "content": None,
                "tool_calls": [
                    {
                        "index": 0,
                        "id": "call_1",
                        "type": "function",
                        "function": {"name": "get_weather", "arguments": '{"city":"Paris"}'},
                    }
                ],
            },
            {"role": "tool", "tool_call_id": "call_1", "content": '{"c": 21}'},
        ],
        max_tokens=64,
        temperature=0.7,
        top_p=0.9,
        top_k=40,
        min_p=0.05,
        repetition_penalty=1.1,
        presence_penalty=0.1,
        frequency_penalty=0.1,
        stop=["</s>"],
        seed=42,
        n=1,
        logprobs=1,
        tools=[WEATHER_TOOL],
        tool_choice="auto",
    ),
    "chat: multimodal content parts": lambda: api.chat.create_chat_completion(
        model="meta-llama/Llama-4-Scout-17B-16E-Instruct",
        messages=[
            {
                "role": "user",
                "content": [
                    {"type": "text", "text": "What is in this image?"},
                    {"type": "image_url", "image_url": {"url": "https://example.com/a.png"}},
                ],
            }
        ],
    ),
    "chat: json schema response format": lambda: api.chat.create_chat_completion(
        model="meta-llama/Llama-3.3-70B-Instruct-Turbo",
        messages=[{"role": "user", "content": "A city as JSON"}],
        response_format={
            "type": "json_schema",
            "json_schema": {
                "name": "city",
                "schema": {"type": "object", "properties": {"name": {"type": "string"}}},
            },
        },
    ),
    "chat: streamed": lambda: as_json_call(
        api.chat.stream_chat_completion(
            model="meta-llama/Llama-3.3-70B-Instruct-Turbo",
            messages=[{"role": "user", "content": "Count to 3"}],
            max_tokens=16,
        ),
        ChatCompletionResponse,
    ),
    "completions": lambda: api.completions.create_completion(
        model="meta-llama/Llama-3-8b-hf", prompt="The capital of France is", max_tokens=8
    ),
    "completions: streamed": lambda: as_json_call(
        api.completions.stream_completion(
            model="meta-llama/Llama-3-8b-hf", prompt="Once upon", max_tokens=8
        ),
        CompletionResponse,
    ),
    "embeddings: one input": lambda: api.embeddings.create_embeddings(
        model="BAAI/bge-base-en-v1.5", input="Our solar system orbits the Milky Way"
    ),
    "embeddings: many inputs": lambda: api.embeddings.create_embeddings(
        model="BAAI/bge-base-en-v1.5", input=["first", "second"]
    ),
    "rerank: strings": lambda: api.rerank.create_rerank(
        model="Salesforce/Llama-Rank-v1",
        query="capital of the United States",
        documents=["New York", "Washington, D.C.", "Los Angeles"],
        top_n=2,
        return_documents=True,
    ),
    "rerank: objects with rank fields": lambda: api.rerank.create_rerank(
        model="Salesforce/Llama-Rank-v1",
        query="capital",
        documents=[{"title": "DC", "text": "Washington"}, {"title": "NY", "text": "New York"}],
        rank_fields=["title", "text"],
    ),
    "images": lambda: api.images.generate_image(
        prompt="space robots",
        model="black-forest-labs/FLUX.1-schnell",
        steps=4,
        n=1,
        width=512,
        height=512,
        seed=7,
        negative_prompt="blurry",
    ),
    "models: list": api.models.list_models,
    "models: upload": lambda: api.models.upload_model(
        model_name="my-model", model_source="https://huggingface.co/org/model"
    ),
    "jobs: list": api.models.list_jobs,
    "jobs: retrieve": lambda: api.models.retrieve_job("job-a15dad11-8d8e-4007-97c5-a211304de284"),
}
