"""Every contract case, sent to Prism serving Together's OpenAPI spec, through both executors.

Prism validates each request against the spec (``--errors`` turns a violation into a 4xx with
an ``sl-violations`` header) and answers with the spec's examples (static) or random data
valid under the spec (dynamic), which our models must decode. Cases live in the
``cases_<area>.py`` modules beside this one, each a ``CASES`` mapping of name to a function
building the Call. Prism cannot serve event streams, so streaming builders are checked with
``accept: application/json``: the body (``"stream": true`` included) is what is validated.
"""

from __future__ import annotations

import asyncio
import importlib
import json
import pkgutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from returns.result import Success

import tests.contract
from together_fn import api
from together_fn.calls import Call, Exchange
from together_fn.config import ClientConfig
from together_fn.executors import AsyncExecutor, Executor
from together_fn.executors.aiohttp_transport import AiohttpTransport
from together_fn.executors.requests_transport import RequestsTransport
from together_fn.retry import NO_RETRY

pytestmark = pytest.mark.contract


def _all_cases() -> dict[str, Callable[[], Call[Any]]]:
    found: dict[str, Callable[[], Call[Any]]] = {}
    for info in pkgutil.iter_modules(tests.contract.__path__):
        if info.name.startswith("cases_"):
            module = importlib.import_module(f"tests.contract.{info.name}")
            clashes = set(found) & set(module.CASES)
            assert not clashes, f"{info.name} repeats case names: {sorted(clashes)}"
            found.update(module.CASES)
    return found


CASES = _all_cases()

#: Cases whose operation the spec answers only with a redirect and no ``Location`` (Prism
#: cannot follow it): the request is still validated, and the answer must be that redirect.
REDIRECT_ONLY: frozenset[str] = frozenset().union(
    *(
        getattr(importlib.import_module(f"tests.contract.{info.name}"), "REDIRECT_ONLY", ())
        for info in pkgutil.iter_modules(tests.contract.__path__)
        if info.name.startswith("cases_")
    )
)


#: Cases whose answer Prism cannot make valid: the spec's ``oneOf`` variants require nothing, so
#: every answer matches several, and ``--errors`` turns that into a 500. The request is still
#: validated; unit tests decode the spec's shapes instead.
AMBIGUOUS_ANSWER: frozenset[str] = frozenset().union(
    *(
        getattr(importlib.import_module(f"tests.contract.{info.name}"), "AMBIGUOUS_ANSWER", ())
        for info in pkgutil.iter_modules(tests.contract.__path__)
        if info.name.startswith("cases_")
    )
)


def violations_at(exchange: Exchange[Any], where: str) -> list[Any]:
    """What Prism found wrong with the ``"request"`` or with its own ``"response"``."""
    raw = dict(exchange.headers).get("sl-violations")
    found = json.loads(raw) if raw else []
    return [v for v in found if (v.get("location") or ["request"])[0] == where]


def check(exchange: Exchange[Any], case: str) -> None:
    violations = violations_at(exchange, "request")
    assert not violations, f"{case}: request violates the spec: {violations}"
    if case in AMBIGUOUS_ANSWER:
        assert exchange.status == 500, f"{case}: Prism answered; move it out of AMBIGUOUS_ANSWER"
        assert {v["code"] for v in violations_at(exchange, "response")} == {"oneOf"}
        return
    assert exchange.status is not None
    if case in REDIRECT_ONLY:
        assert 300 <= exchange.status < 400, f"{case}: {exchange.result}"
        return
    assert 200 <= exchange.status < 300, f"{case}: {exchange.result}"
    assert isinstance(exchange.result, Success), f"{case}: {exchange.result}"


def config(url: str) -> ClientConfig:
    return ClientConfig(api_key="contract-test-key", base_url=url, retry=NO_RETRY)


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("mode", ["static", "dynamic"])
def test_requests_executor_against_prism(case: str, mode: str, request: Any) -> None:
    url = request.getfixturevalue(f"prism_{mode}")
    executor = Executor(RequestsTransport(), config(url))
    try:
        check(executor.execute(CASES[case]()), case)
    finally:
        executor.close()


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("mode", ["static", "dynamic"])
def test_aiohttp_executor_against_prism(case: str, mode: str, request: Any) -> None:
    url = request.getfixturevalue(f"prism_{mode}")

    async def perform() -> Exchange[Any]:
        executor = AsyncExecutor(AiohttpTransport(), config(url))
        try:
            return await executor.aexecute(CASES[case]())
        finally:
            await executor.aclose()

    check(asyncio.run(perform()), case)


def test_every_case_names_a_registered_operation() -> None:
    for case, build in CASES.items():
        assert build().operation in api.REGISTRY, case


#: Websocket upgrades: Prism answers them with 101, never a 2xx to decode, so they are
#: checked by ``test_websocket_upgrades.py`` (the upgrade request against Prism) instead.
WEBSOCKET_OPERATIONS = frozenset({"GET /realtime", "GET /audio/speech/websocket"})


def test_every_registered_operation_has_a_case() -> None:
    covered = {build().operation for build in CASES.values()} | WEBSOCKET_OPERATIONS
    missing = sorted(set(api.REGISTRY) - covered)
    assert not missing, f"operations without a contract case: {missing}"


def test_the_websocket_exemptions_are_checked_elsewhere() -> None:
    from tests.contract import test_websocket_upgrades

    source = Path(test_websocket_upgrades.__file__).read_text(encoding="utf-8")
    for operation in WEBSOCKET_OPERATIONS:
        assert operation in api.REGISTRY, operation
        assert operation.split(" ", 1)[1] in source, operation
