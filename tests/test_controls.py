"""Every control's write: numbers, select, switch, time and button.

Each sends one request, shows the hub's answer at once (no poll awaited), and
on a failure raises a translated error and keeps showing the hub's value.
What each control looks like is pinned by its platform's snapshot; which
failure is which is the client's business (test_api.py): here a few, through
the one translation every write shares (helpers.translate_hub_errors). Then
end to end: every control and action against the hub simulator, over HTTP.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
import copy
from datetime import UTC, datetime, time
from typing import Any

import aiohttp
from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import ATTR_ENTITY_ID, CONF_HOST, CONF_PORT, STATE_UNKNOWN
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)
from pytest_homeassistant_custom_component.test_util.aiohttp import (
    AiohttpClientMocker,
    AiohttpClientMockResponse,
)
from yarl import URL

from custom_components.vidigates.const import DOMAIN, SCAN_INTERVAL
from simulator import Hub, SimulatorServer

from .conftest import (
    INSTANCES_URL,
    SET_TYPE_URL,
    SET_URL,
    async_spin,
    hub_requests,
    setup_integration,
    state_of,
)

HUB = "vidiaccess_hub_192_0_2_10"
OCCUPANCY = f"number.{HUB}_occupancy"
THRESHOLD = f"number.{HUB}_occupancy_limit"
OCCUPANCY_SENSOR = f"sensor.{HUB}_occupancy"
THRESHOLD_SENSOR = f"sensor.{HUB}_occupancy_limit"
EXITS_SENSOR = f"sensor.{HUB}_exits"
LIMIT_REACHED = f"binary_sensor.{HUB}_limit_reached"
RESET_TIME = f"time.{HUB}_daily_reset_time"
DAILY_RESET = f"switch.{HUB}_daily_reset"
RESET_OCCUPANCY = f"button.{HUB}_reset_occupancy"
GATE_TYPE = "select.box_52190_gate_type"
ENTRY_ID = "01JVIDIGATESTESTENTRY00000"

ANSWER = {"current": 40, "threshold": 50, "reset_time": {"hour": 23, "minute": 0}}

type Call = tuple[str, str, str, dict[str, Any]]


@pytest.fixture(autouse=True)
def occupancy_number_enabled(entity_registry_enabled_by_default: None) -> None:
    """The occupancy number is off by default; enabled before any set-up here."""


async def _call(hass: HomeAssistant, call: Call) -> None:
    """Call an entity's service, or an action (its target: the hub's entry)."""
    domain, service, target, data = call
    key = "config_entry_id" if domain == DOMAIN else ATTR_ENTITY_ID
    await hass.services.async_call(
        domain, service, {key: target, **data}, blocking=True
    )


def _with_gate_type(sample: dict[str, Any], gate_type: str) -> dict[str, Any]:
    """The sample as the hub shows it once box 52190 has a new gate type."""
    payload = copy.deepcopy(sample)
    payload["instances"][1]["gate_type"] = gate_type
    return payload


@pytest.mark.parametrize(
    ("start", "call", "body", "answer", "shown"),
    [
        (
            {},
            ("number", "set_value", OCCUPANCY, {"value": 12}),
            {"occupancy": 12},
            # What the hub says is in force, not what was asked for.
            {**ANSWER, "current": 7},
            {OCCUPANCY: "7", OCCUPANCY_SENSOR: "7", LIMIT_REACHED: "off"},
        ),
        (
            {},
            ("number", "set_value", THRESHOLD, {"value": 30}),
            {"threshold": 30},
            {**ANSWER, "threshold": 30},
            {THRESHOLD: "30", THRESHOLD_SENSOR: "30", LIMIT_REACHED: "on"},
        ),
        (
            # A time means a daily reset: the hub has one setting for both.
            {"reset_time": None},
            ("time", "set_value", RESET_TIME, {"time": time(6, 30, 59)}),
            # The hub keeps minutes: seconds are dropped, not rounded.
            {"reset_time": {"hour": 6, "minute": 30}},
            {**ANSWER, "reset_time": {"hour": 6, "minute": 30}},
            {RESET_TIME: "06:30:00", DAILY_RESET: "on"},
        ),
        (
            {},
            ("switch", "turn_off", DAILY_RESET, {}),
            {"reset_time": None},
            {**ANSWER, "reset_time": None},
            {DAILY_RESET: "off", RESET_TIME: STATE_UNKNOWN},
        ),
        (
            {},
            ("button", "press", RESET_OCCUPANCY, {}),
            {"occupancy": 0},
            {**ANSWER, "current": 0},
            {OCCUPANCY_SENSOR: "0", OCCUPANCY: "0"},
        ),
    ],
)
async def test_write_shows_the_answer_at_once(
    hass: HomeAssistant,
    *,
    mock_config_entry: MockConfigEntry,
    aioclient_mock: AiohttpClientMocker,
    vendor_sample: dict[str, Any],
    start: dict[str, Any],
    call: Call,
    body: dict[str, Any],
    answer: dict[str, Any],
    shown: dict[str, str],
) -> None:
    """One POST /set; the hub's answer shows at once, without another poll."""
    aioclient_mock.get(INSTANCES_URL, json={**vendor_sample, **start})
    await setup_integration(hass, mock_config_entry)
    aioclient_mock.mock_calls.clear()
    aioclient_mock.post(SET_URL, json=answer)

    await _call(hass, call)

    assert hub_requests(aioclient_mock) == [("POST", SET_URL, body)]
    assert {entity_id: state_of(hass, entity_id) for entity_id in shown} == shown


@pytest.mark.usefixtures("init_integration")
async def test_gate_type_changes_in_a_row_each_show_at_once(
    hass: HomeAssistant,
    aioclient_mock: AiohttpClientMocker,
    vendor_sample: dict[str, Any],
) -> None:
    """POST /set_type, then one read that shows it, not held back by a debouncer.

    The select, then the set_type action: both go through the same write.
    """
    box = {"boxid": 52190, "number": 0}
    select: Call = ("select", "select_option", GATE_TYPE, {"option": "out"})
    action: Call = (DOMAIN, "set_type", ENTRY_ID, {**box, "gate_type": "both"})
    for call, option in ((select, "out"), (action, "both")):
        aioclient_mock.clear_requests()
        aioclient_mock.post(SET_TYPE_URL, json={})
        aioclient_mock.get(INSTANCES_URL, json=_with_gate_type(vendor_sample, option))

        await _call(hass, call)

        assert hub_requests(aioclient_mock) == [
            ("POST", SET_TYPE_URL, {**box, "gate_type": option}),
            ("GET", INSTANCES_URL, None),
        ]
        assert state_of(hass, GATE_TYPE) == option


CANNOT_CONNECT = ("write_cannot_connect", "Could not send the change to the")
NOT_CONFIRMED = ("write_invalid_response", "The VidiAccess hub did not confirm")


@pytest.mark.usefixtures("init_integration")
@pytest.mark.parametrize(
    ("call", "url", "failure", "error", "shown"),
    [
        (
            ("number", "set_value", OCCUPANCY, {"value": 12}),
            SET_URL,
            {"exc": aiohttp.ClientConnectionError("refused")},
            CANNOT_CONNECT,
            {OCCUPANCY: "40", OCCUPANCY_SENSOR: "40"},
        ),
        (
            ("number", "set_value", THRESHOLD, {"value": 30}),
            SET_URL,
            # Which answers are refused: test_models.py's test_parse_set_result.
            {"json": {"current": 3, "threshold": -50, "reset_time": None}},
            NOT_CONFIRMED,
            {THRESHOLD: "50", OCCUPANCY: "40", DAILY_RESET: "on"},
        ),
        (
            ("select", "select_option", GATE_TYPE, {"option": "out"}),
            SET_TYPE_URL,
            {"status": 400, "json": {"error": "unknown instance"}},
            NOT_CONFIRMED,
            {GATE_TYPE: "in"},
        ),
    ],
)
async def test_failed_write_keeps_the_real_state(
    hass: HomeAssistant,
    aioclient_mock: AiohttpClientMocker,
    *,
    call: Call,
    url: str,
    failure: dict[str, Any],
    error: tuple[str, str],
    shown: dict[str, str],
) -> None:
    """A translated error naming the cause; the old value stays shown."""
    aioclient_mock.mock_calls.clear()
    aioclient_mock.post(url, **failure)

    with pytest.raises(HomeAssistantError) as err:
        await _call(hass, call)

    translation_key, message = error
    assert err.value.translation_domain == "vidigates"
    assert err.value.translation_key == translation_key
    assert str(err.value).startswith(message)
    assert [method for method, _url, _body in hub_requests(aioclient_mock)] == ["POST"]
    assert {entity_id: state_of(hass, entity_id) for entity_id in shown} == shown


@pytest.mark.usefixtures("init_integration")
async def test_fraction_of_a_person_sends_nothing(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker
) -> None:
    """The number's own check: whole people only (its range is Home Assistant's).

    Every value whole_number refuses: test_services.py's table.
    """
    aioclient_mock.mock_calls.clear()

    with pytest.raises(ServiceValidationError) as err:
        await _call(hass, ("number", "set_value", OCCUPANCY, {"value": 12.5}))

    assert err.value.translation_domain == "vidigates"
    assert err.value.translation_key == "not_whole_number"
    assert hub_requests(aioclient_mock) == []
    assert state_of(hass, OCCUPANCY) == "40"


async def test_a_write_waits_for_the_poll_in_flight(
    hass: HomeAssistant,
    aioclient_mock: AiohttpClientMocker,
    init_integration: MockConfigEntry,
    vendor_sample: dict[str, Any],
    freezer: FrozenDateTimeFactory,
) -> None:
    """A write made while a poll is out is sent after its answer, and shows last."""
    release = asyncio.Event()

    async def slow_poll(method: str, url: URL, data: Any) -> AiohttpClientMockResponse:
        await release.wait()
        # What the hub says before the write: 40 people.
        return AiohttpClientMockResponse(method, url, json=vendor_sample)

    aioclient_mock.clear_requests()
    aioclient_mock.get(INSTANCES_URL, side_effect=slow_poll)
    aioclient_mock.post(SET_URL, json={**ANSWER, "current": 12})

    freezer.tick(SCAN_INTERVAL)
    async_fire_time_changed(hass)
    write = asyncio.create_task(
        _call(hass, ("number", "set_value", OCCUPANCY, {"value": 12}))
    )
    await async_spin()
    assert [method for method, _url, _body in hub_requests(aioclient_mock)] == ["GET"]

    release.set()
    await write
    await hass.async_block_till_done(wait_background_tasks=True)

    assert [method for method, _url, _body in hub_requests(aioclient_mock)] == [
        "GET",
        "POST",
    ]
    assert state_of(hass, OCCUPANCY) == "12"
    assert state_of(hass, OCCUPANCY_SENSOR) == "12"


# --- end to end, against the hub simulator ----------------------------------


@pytest.fixture
async def hub(
    hass: HomeAssistant, socket_enabled: None, freezer: FrozenDateTimeFactory
) -> AsyncIterator[Hub]:
    """A busy simulated hub on 127.0.0.1, set up in Home Assistant.

    The clock (the event loop's too) is frozen: no poll starts in the middle
    of a test and no request times out, however slow the machine. The entry
    has the mocked hub's title, and so its entity ids.
    """
    # A Monday noon, far from the hub's 23:00 reset.
    start = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)
    hub = Hub(seed=3, start=start, unstable_seconds=0.0, arrival_rate=0.5)
    # Twenty minutes of people, so that counters and occupancy are not zero.
    hub.advance(1200)
    async with SimulatorServer(hub) as server:
        entry = MockConfigEntry(
            domain=DOMAIN,
            title="VidiAccess hub 192.0.2.10",
            data={CONF_HOST: "127.0.0.1", CONF_PORT: server.port},
            entry_id="SIMULATED",
        )
        await setup_integration(hass, entry)
        yield hub
        assert await hass.config_entries.async_unload(entry.entry_id)


def _shown(hass: HomeAssistant, *entity_ids: str) -> tuple[str, ...]:
    return tuple(state_of(hass, entity_id) for entity_id in entity_ids)


async def _action(hass: HomeAssistant, service: str, **data: Any) -> Any:
    return await hass.services.async_call(
        DOMAIN,
        service,
        {"config_entry_id": "SIMULATED", **data},
        blocking=True,
        return_response=True,
    )


async def test_simulated_every_control(hass: HomeAssistant, hub: Hub) -> None:
    """Each entity changes the hub, and shows what it has now at once."""
    assert hub.current > 0
    assert state_of(hass, OCCUPANCY) == str(hub.current)

    await _call(hass, ("number", "set_value", OCCUPANCY, {"value": 25}))
    assert hub.last_set_body == {"occupancy": 25}
    assert _shown(hass, OCCUPANCY, OCCUPANCY_SENSOR) == ("25", "25")

    await _call(hass, ("number", "set_value", THRESHOLD, {"value": 20}))
    assert hub.threshold == 20
    assert _shown(hass, THRESHOLD_SENSOR, LIMIT_REACHED) == ("20", "on")

    await _call(hass, ("time", "set_value", RESET_TIME, {"time": time(4, 15)}))
    assert hub.reset_time == (4, 15)
    assert state_of(hass, RESET_TIME) == "04:15:00"

    # Off clears the hub's reset (its answer shows no time); on brings back
    # the time it had.
    await _call(hass, ("switch", "turn_off", DAILY_RESET, {}))
    assert hub.last_set_body == {"reset_time": None}
    assert _shown(hass, DAILY_RESET, RESET_TIME) == ("off", STATE_UNKNOWN)
    await _call(hass, ("switch", "turn_on", DAILY_RESET, {}))
    assert hub.last_set_body == {"reset_time": {"hour": 4, "minute": 15}}
    assert _shown(hass, DAILY_RESET, RESET_TIME) == ("on", "04:15:00")

    await _call(hass, ("button", "press", RESET_OCCUPANCY, {}))
    assert (hub.last_set_body, hub.current) == ({"occupancy": 0}, 0)
    assert state_of(hass, OCCUPANCY_SENSOR) == "0"


async def test_simulated_gate_type(hass: HomeAssistant, hub: Hub) -> None:
    """The select changes an instance's type; occupancy follows."""
    boxid, number = next(iter(hub.instances))
    select = f"select.box_{boxid}_gate_type"
    exits = state_of(hass, EXITS_SENSOR)
    assert state_of(hass, select) == "both"
    assert int(exits) > 0

    await _call(hass, ("select", "select_option", select, {"option": "in"}))

    body = {"boxid": boxid, "number": number, "gate_type": "in"}
    assert hub.last_set_type_body == body
    assert hub.instance(boxid, number).gate_type == "in"
    # The hub no longer counts the instance's exits, so more people are
    # inside; but those people did leave: the exits do not go down.
    assert _shown(hass, select, EXITS_SENSOR) == ("in", exits)
    assert state_of(hass, OCCUPANCY_SENSOR) == str(hub.current)


async def test_simulated_actions(hass: HomeAssistant, hub: Hub) -> None:
    """set answers what the hub has; adjust_occupancy starts from the hub's count."""
    hub.current = 30

    response = await _action(hass, "set", threshold=80, reset_time="05:45")

    assert response == {"current": 30, "threshold": 80, "reset_time": "05:45:00"}
    assert (hub.threshold, hub.reset_time) == (80, (5, 45))
    assert _shown(hass, THRESHOLD, RESET_TIME, LIMIT_REACHED) == (
        "80",
        "05:45:00",
        "off",
    )

    # People moved since the last poll: the adjustment starts from the hub's
    # count, not from the one Home Assistant shows.
    hub.current = 10
    response = await _action(hass, "adjust_occupancy", delta=3)

    assert (hub.last_set_body, response["current"]) == ({"occupancy": 13}, 13)
    assert _shown(hass, OCCUPANCY_SENSOR, OCCUPANCY) == ("13", "13")
