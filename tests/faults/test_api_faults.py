"""Every request/response fault scenario, through every runner: the ids show the table."""

from __future__ import annotations

import pytest

from tests.executors.loopback import Loopback
from tests.faults.runners import RUNNERS, Runner, chat_call, job_call
from tests.faults.scenarios import JOB_PATH, SCENARIOS, Scenario, ok


@pytest.mark.asyncio
@pytest.mark.parametrize("runner", RUNNERS)
@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.name for s in SCENARIOS])
async def test_scenario(scenario: Scenario, runner: str, server: Loopback, other: Loopback) -> None:
    server.route(scenario.path, *scenario.script(other))
    other.route("/elsewhere", ok())
    job = scenario.path == JOB_PATH
    performer = Runner(
        name=runner, base_url=f"{server.url}/v1", policy=scenario.policy, read=scenario.read
    )
    outcome = await performer.call(job_call() if job else chat_call(), chat=not job)
    scenario.check(outcome, server, other)


def test_scenario_names_are_unique() -> None:
    names = [s.name for s in SCENARIOS]
    assert len(names) == len(set(names))
