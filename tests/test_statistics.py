"""What visitors leave in the recorder: statistics, history rows, logbook entries.

The recorder (and the logbook) run as in a real Home Assistant. Entries and
exits in long-term statistics count people who crossed, nothing else: the tests
read the sums it compiled, the figures ``statistics-graph`` cards show.
"""

from __future__ import annotations

import copy
from datetime import datetime, timedelta
from functools import partial
from typing import Any

import aiohttp
from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.recorder.core import Recorder
from homeassistant.components.recorder.history import get_significant_states
from homeassistant.components.recorder.statistics import statistics_during_period
from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant, State
from homeassistant.helpers.recorder import get_instance
from homeassistant.setup import async_setup_component
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
from pytest_homeassistant_custom_component.typing import WebSocketGenerator

from .conftest import async_poll, serve_instances, setup_integration, state_of

HUB = "sensor.vidiaccess_hub_192_0_2_10"
ENTRIES = f"{HUB}_entries"
EXITS = f"{HUB}_exits"
START = datetime(2026, 3, 2, 10, 0, tzinfo=dt_util.UTC)


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(
    recorder_mock: Recorder, enable_custom_integrations: None
) -> None:
    """Start the recorder before Home Assistant, then let it load vidigates."""


class Hub:
    """The mocked hub: two doors (boxid 1 and 2), one gate each, counting both ways."""

    def __init__(
        self,
        hass: HomeAssistant,
        aioclient_mock: AiohttpClientMocker,
        freezer: FrozenDateTimeFactory,
    ) -> None:
        self.hass, self._mock, self._freezer = hass, aioclient_mock, freezer
        freezer.move_to(START)
        self.answer: dict[str, Any] = {
            "current": 0,
            "threshold": 100,
            "reset_time": {"hour": 11, "minute": 10},
            "status": "ok",
            "instances": [
                {
                    "boxid": boxid,
                    "number": 0,
                    "name": name,
                    "host": "",
                    "status": "ok",
                    "gate_type": "both",
                    "gates": [{"id": 1, "in": inside, "out": outside}],
                }
                for boxid, name, inside, outside in [
                    (1, "Front door", 10, 4),
                    (2, "Back door", 20, 12),
                ]
            ],
        }
        self.serve()

    def serve(self) -> None:
        serve_instances(self._mock, json=copy.deepcopy(self.answer))

    def set_type(self, boxid: int, gate_type: str) -> None:
        self.answer["instances"][boxid - 1]["gate_type"] = gate_type
        self.serve()

    def daily_reset(self) -> None:
        for instance in self.answer["instances"]:
            instance["gates"][0].update({"in": 0, "out": 0})
        self.serve()

    async def at(self, when: str, *crossings: tuple[int, str, int]) -> None:
        """People cross (boxid, direction, how many); at ``when`` (HH:MM) a poll runs.

        Without crossings, the hub's answer is left as it is (or refused).
        """
        for boxid, direction, people in crossings:
            self.answer["instances"][boxid - 1]["gates"][0][direction] += people
        if crossings:
            self.serve()
        hour, minute = map(int, when.split(":"))
        self._freezer.move_to(START.replace(hour=hour, minute=minute))
        async_fire_time_changed(self.hass)
        await self.hass.async_block_till_done(wait_background_tasks=True)

    def states(self) -> tuple[str, str]:
        return state_of(self.hass, ENTRIES), state_of(self.hass, EXITS)

    async def hourly_sums(self, hours: int) -> dict[str, list[float | None]]:
        """Compile every 5-minute period (so every hour) since START; read the hours."""
        for period in range(hours * 12):
            do_adhoc_statistics(self.hass, start=START + timedelta(minutes=5 * period))
        await async_wait_recording_done(self.hass)
        rows = await get_instance(self.hass).async_add_executor_job(
            statistics_during_period,
            self.hass,
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


@pytest.fixture
def hub(
    hass: HomeAssistant,
    aioclient_mock: AiohttpClientMocker,
    freezer: FrozenDateTimeFactory,
) -> Hub:
    return Hub(hass, aioclient_mock, freezer)


async def test_statistics_count_people_across_gate_types_and_the_daily_reset(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry, hub: Hub
) -> None:
    """A gate type changed both ways adds nobody; the daily reset starts a cycle."""
    await setup_integration(hass, mock_config_entry)
    assert hub.states() == ("30", "16")

    # Hour 1: people come and go through both doors.
    await hub.at("10:05", (1, "in", 5), (2, "out", 3))
    # The back door becomes an entrance: its 15 exits of the day stop counting
    # in the hub's sum, but those people did leave.
    hub.set_type(2, "in")
    await hub.at("10:20", (2, "in", 2))
    assert hub.states() == ("37", "19")
    # Meanwhile people leaving by the back door are not exits: it is an
    # entrance now. People leaving by the front door are.
    await hub.at("10:25", (2, "out", 4), (1, "out", 1))
    # And back: the hub's sum takes in the back door's 19 exits of the day
    # again, all of them counted (or not) already.
    hub.set_type(2, "both")
    await hub.at("10:40")
    assert hub.states() == ("37", "20")
    await hub.at("10:45", (2, "out", 2))

    # Hour 2: the daily reset, a new cycle, then more people.
    hub.daily_reset()
    await hub.at("11:10", (1, "in", 1))
    assert hub.states() == ("1", "0")
    await hub.at("11:20", (1, "in", 3), (2, "out", 2))
    await hub.at("12:00")

    # Entries 5 + 2, then 1 + 3; exits 3 + 1 + 2, then 2.
    assert await hub.hourly_sums(2) == {ENTRIES: [7, 11], EXITS: [6, 8]}


async def test_the_count_goes_on_after_a_restart(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry, hub: Hub
) -> None:
    """A gate type changed while Home Assistant was down adds nobody either."""
    # Before the restart: exits at 40, counted while the back door (20 in, 12
    # out then) counted both ways, the front door (10 in, 4 out) too.
    mock_restore_cache_with_extra_data(
        hass,
        [
            (State(entity_id, str(total)), {"total": total, "counters": counters})
            for entity_id, total, counters in [
                (ENTRIES, 50, [[1, 0, 1, 10], [2, 0, 1, 20]]),
                (EXITS, 40, [[1, 0, 1, 4], [2, 0, 1, 12]]),
            ]
        ],
    )
    # While it was down, the back door became an entrance.
    hub.set_type(2, "in")
    await setup_integration(hass, mock_config_entry)

    # The hub's own sums are 30 and 4 now; nobody crossed meanwhile.
    assert hub.states() == ("50", "40")
    await hub.at("10:05", (1, "out", 2))
    assert hub.states() == ("50", "42")

    assert (await hub.hourly_sums(1))[EXITS] == [2]


async def test_an_unreachable_hub_loses_and_adds_nobody(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    aioclient_mock: AiohttpClientMocker,
    hub: Hub,
) -> None:
    """While the hub is unreachable: unavailable; then the crossings meanwhile, once."""
    await setup_integration(hass, mock_config_entry)

    serve_instances(aioclient_mock, exc=aiohttp.ClientConnectionError())
    await hub.at("10:05")
    assert state_of(hass, EXITS) == STATE_UNAVAILABLE
    hub.set_type(2, "in")
    await hub.at("10:10", (1, "out", 2))
    assert state_of(hass, EXITS) == "18"
    await hub.at("10:15", (1, "out", 1))

    assert (await hub.hourly_sums(1))[EXITS] == [3]


async def test_a_visitor_is_stored_once_and_not_logged(
    hass: HomeAssistant,
    hass_ws_client: WebSocketGenerator,
    *,
    mock_config_entry: MockConfigEntry,
    aioclient_mock: AiohttpClientMocker,
    vendor_sample: dict[str, Any],
    freezer: FrozenDateTimeFactory,
) -> None:
    """One person in: one row per value that changed, and no logbook entry.

    A shop sees hundreds of people a day: no entity may repeat another's value.
    """
    assert await async_setup_component(hass, "logbook", {})
    serve_instances(aioclient_mock, json=vendor_sample)
    await setup_integration(hass, mock_config_entry)
    await async_wait_recording_done(hass)
    start = dt_util.utcnow()

    # One person in through gate 1 of box 52190, an entrance: 41 of 50 inside.
    payload = copy.deepcopy(vendor_sample)
    payload["instances"][1]["gates"][0]["in"] += 1
    payload["current"] += 1
    serve_instances(aioclient_mock, json=payload)
    await async_poll(hass, freezer)
    await async_wait_recording_done(hass)

    stored = await get_instance(hass).async_add_executor_job(
        partial(
            get_significant_states,
            hass,
            start,
            entity_ids=hass.states.async_entity_ids(),
            include_start_time_state=False,
            significant_changes_only=False,
        )
    )
    assert {
        entity_id: [state.state for state in states]  # type: ignore[union-attr]
        for entity_id, states in stored.items()
    } == {
        f"{HUB}_occupancy": ["41"],
        f"{HUB}_remaining_capacity": ["9"],
        f"{HUB}_occupancy_ratio": ["82.0"],
        f"{HUB}_entries": ["41"],
        "sensor.box_52190_gate_1_in": ["11"],
    }

    client = await hass_ws_client(hass)
    await client.send_json_auto_id(
        {"type": "logbook/get_events", "start_time": start.isoformat()}
    )
    response = await client.receive_json()
    assert (response["success"], response["result"]) == (True, [])
