"""Entries and exits in long-term statistics: people who crossed, nothing else.

The recorder runs and compiles its statistics as in a real Home Assistant; the
tests read the sums it compiled, the figures the energy-style dashboards and
``statistics-graph`` cards show.
"""

from __future__ import annotations

from collections.abc import Generator
import copy
from datetime import datetime, timedelta
from typing import Any
from unittest.mock import patch

import aiohttp
from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.recorder.core import Recorder
from homeassistant.components.recorder.statistics import statistics_during_period
from homeassistant.const import STATE_UNAVAILABLE, Platform
from homeassistant.core import HomeAssistant, State
from homeassistant.helpers.recorder import get_instance
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
    mock_restore_cache_with_extra_data,
)
from pytest_homeassistant_custom_component.components.recorder.common import (
    async_wait_recording_done,
    do_adhoc_statistics,
)
from pytest_homeassistant_custom_component.test_util.aiohttp import AiohttpClientMocker

from .conftest import serve_instances, setup_integration, state_of

HUB = "sensor.vidiaccess_hub_192_0_2_10"
ENTRIES = f"{HUB}_entries"
EXITS = f"{HUB}_exits"
START = datetime(2026, 3, 2, 10, 0, tzinfo=dt_util.UTC)


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(
    recorder_mock: Recorder, enable_custom_integrations: None
) -> None:
    """Start the recorder before Home Assistant, then let it load vidigates."""


@pytest.fixture(autouse=True)
def only_sensors() -> Generator[None]:
    with patch("custom_components.vidigates.PLATFORMS", [Platform.SENSOR]):
        yield


class Hub:
    """The mocked hub's answer, changed step by step as people cross."""

    def __init__(self, aioclient_mock: AiohttpClientMocker) -> None:
        """Two doors, each one instance with one gate, both counting both ways."""
        self._mock = aioclient_mock
        self.answer: dict[str, Any] = {
            "current": 0,
            "threshold": 100,
            "reset_time": {"hour": 11, "minute": 10},
            "status": "ok",
            "instances": [
                self._instance(1, "Front door", 10, 4),
                self._instance(2, "Back door", 20, 12),
            ],
        }
        self.serve()

    @staticmethod
    def _instance(boxid: int, name: str, inside: int, outside: int) -> dict[str, Any]:
        return {
            "boxid": boxid,
            "number": 0,
            "name": name,
            "host": "",
            "status": "ok",
            "gate_type": "both",
            "gates": [{"id": 1, "in": inside, "out": outside}],
        }

    def serve(self) -> None:
        serve_instances(self._mock, json=copy.deepcopy(self.answer))

    def cross(self, boxid: int, direction: str, people: int) -> None:
        """``people`` cross the door of instance ``boxid`` going ``direction``."""
        self._instance_of(boxid)["gates"][0][direction] += people
        self.serve()

    def set_type(self, boxid: int, gate_type: str) -> None:
        """Change an instance's gate type (select, action or Control Center)."""
        self._instance_of(boxid)["gate_type"] = gate_type
        self.serve()

    def daily_reset(self) -> None:
        """The hub's daily reset: every counter back to 0."""
        for instance in self.answer["instances"]:
            instance["gates"][0].update({"in": 0, "out": 0})
        self.serve()

    def _instance_of(self, boxid: int) -> dict[str, Any]:
        instance: dict[str, Any] = next(
            one for one in self.answer["instances"] if one["boxid"] == boxid
        )
        return instance


async def _at(hass: HomeAssistant, freezer: FrozenDateTimeFactory, when: str) -> None:
    """Move the clock to ``when`` (HH:MM of the test's day) and let a poll run."""
    hour, minute = map(int, when.split(":"))
    freezer.move_to(START.replace(hour=hour, minute=minute))
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)


async def _hourly_sums(
    hass: HomeAssistant, hours: int
) -> dict[str, list[float | None]]:
    """Compile every 5-minute period (and so every hour) since START; read the hours."""
    for period in range(hours * 12):
        do_adhoc_statistics(hass, start=START + timedelta(minutes=5 * period))
    await async_wait_recording_done(hass)
    rows = await get_instance(hass).async_add_executor_job(
        statistics_during_period,
        hass,
        START,
        START + timedelta(hours=hours),
        {ENTRIES, EXITS},
        "hour",
        None,
        {"sum"},
    )
    return {
        entity_id: [row.get("sum") for row in rows.get(entity_id, [])]
        for entity_id in (ENTRIES, EXITS)
    }


async def test_statistics_count_people_across_gate_types_and_the_daily_reset(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    aioclient_mock: AiohttpClientMocker,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A gate type changed both ways adds nobody; the daily reset starts a cycle."""
    freezer.move_to(START)
    hub = Hub(aioclient_mock)
    await setup_integration(hass, mock_config_entry)
    assert (state_of(hass, ENTRIES), state_of(hass, EXITS)) == ("30", "16")

    entries = exits = 0
    # Hour 1: people come and go through both doors.
    hub.cross(1, "in", 5)
    hub.cross(2, "out", 3)
    entries, exits = entries + 5, exits + 3
    await _at(hass, freezer, "10:05")
    # The back door becomes an entrance: its 15 exits of the day stop counting
    # in the hub's sum, but those people did leave.
    hub.set_type(2, "in")
    hub.cross(2, "in", 2)
    entries += 2
    await _at(hass, freezer, "10:20")
    assert state_of(hass, EXITS) == "19"
    # Meanwhile people leaving by the back door are not exits: it is an
    # entrance now. People leaving by the front door are.
    hub.cross(2, "out", 4)
    hub.cross(1, "out", 1)
    exits += 1
    await _at(hass, freezer, "10:25")
    # And back: the hub's sum takes in the back door's 19 exits of the day
    # again, all of them counted (or not) already.
    hub.set_type(2, "both")
    await _at(hass, freezer, "10:40")
    assert state_of(hass, EXITS) == "20"
    hub.cross(2, "out", 2)
    exits += 2
    await _at(hass, freezer, "10:45")

    # Hour 2: the daily reset, a new cycle, then more people.
    hub.daily_reset()
    hub.cross(1, "in", 1)
    entries += 1
    await _at(hass, freezer, "11:10")
    assert (state_of(hass, ENTRIES), state_of(hass, EXITS)) == ("1", "0")
    hub.cross(1, "in", 3)
    hub.cross(2, "out", 2)
    entries, exits = entries + 3, exits + 2
    await _at(hass, freezer, "11:20")
    await _at(hass, freezer, "12:00")

    sums = await _hourly_sums(hass, 2)

    assert sums[ENTRIES] == [7, entries]
    assert sums[EXITS] == [6, exits]


async def test_the_count_goes_on_after_a_restart(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    aioclient_mock: AiohttpClientMocker,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A gate type changed while Home Assistant was down adds nobody either."""
    freezer.move_to(START)
    hub = Hub(aioclient_mock)
    # Before the restart: exits at 40, counted while the back door (20 in, 12
    # out then) counted both ways, the front door (10 in, 4 out) too.
    stored = {
        ENTRIES: {"total": 50, "counters": [[1, 0, 1, 10], [2, 0, 1, 20]]},
        EXITS: {"total": 40, "counters": [[1, 0, 1, 4], [2, 0, 1, 12]]},
    }
    mock_restore_cache_with_extra_data(
        hass,
        [
            (State(ENTRIES, "50"), stored[ENTRIES]),
            (State(EXITS, "40"), stored[EXITS]),
        ],
    )
    # While it was down, the back door became an entrance.
    hub.set_type(2, "in")
    await setup_integration(hass, mock_config_entry)

    # The hub's own sums are 30 and 4 now; nobody crossed meanwhile.
    assert (state_of(hass, ENTRIES), state_of(hass, EXITS)) == ("50", "40")
    hub.cross(1, "out", 2)
    await _at(hass, freezer, "10:05")
    assert state_of(hass, EXITS) == "42"

    sums = await _hourly_sums(hass, 1)

    assert sums[EXITS] == [2]


async def test_an_unreachable_hub_loses_and_adds_nobody(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    aioclient_mock: AiohttpClientMocker,
    freezer: FrozenDateTimeFactory,
) -> None:
    """While the hub is unreachable: unavailable; then the crossings meanwhile, once."""
    freezer.move_to(START)
    hub = Hub(aioclient_mock)
    await setup_integration(hass, mock_config_entry)

    serve_instances(aioclient_mock, exc=aiohttp.ClientConnectionError())
    await _at(hass, freezer, "10:05")
    assert state_of(hass, EXITS) == STATE_UNAVAILABLE
    hub.cross(1, "out", 2)
    hub.set_type(2, "in")
    await _at(hass, freezer, "10:10")
    assert state_of(hass, EXITS) == "18"
    hub.cross(1, "out", 1)
    await _at(hass, freezer, "10:15")

    sums = await _hourly_sums(hass, 1)

    assert sums[EXITS] == [3]
