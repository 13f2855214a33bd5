"""Every stream fault scenario, through every runner: the ids show the table."""

from __future__ import annotations

import pytest

from tests.executors.loopback import Loopback
from tests.faults.runners import RUNNERS, Runner, chat_stream
from tests.faults.streams import PATH, STREAM_SCENARIOS, StreamScenario


@pytest.mark.asyncio
@pytest.mark.parametrize("runner", RUNNERS)
@pytest.mark.parametrize("scenario", STREAM_SCENARIOS, ids=[s.name for s in STREAM_SCENARIOS])
async def test_stream_scenario(scenario: StreamScenario, runner: str, server: Loopback) -> None:
    server.route(PATH, *scenario.script)
    outcome = await Runner(name=runner, base_url=f"{server.url}/v1").stream(chat_stream())
    scenario.check(outcome, server)
