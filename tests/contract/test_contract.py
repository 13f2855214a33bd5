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
import pkgutil
from collections.abc import Callable
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


def check(exchange: Exchange[Any], case: str) -> None:
    violations = dict(exchange.headers).get("sl-violations")
    assert violations is None, f"{case}: request violates the spec: {violations}"
    assert exchange.status is not None
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


def test_every_registered_operation_has_a_case() -> None:
    covered = {build().operation for build in CASES.values()}
    missing = sorted(set(api.REGISTRY) - covered)
    assert not missing, f"operations without a contract case: {missing}"
