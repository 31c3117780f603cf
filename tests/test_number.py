"""Tests of the occupancy and occupancy limit numbers."""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.number.const import (
    ATTR_MAX,
    ATTR_MIN,
    ATTR_STEP,
    ATTR_VALUE,
    DOMAIN as NUMBER_DOMAIN,
    SERVICE_SET_VALUE,
)
from homeassistant.const import (
    ATTR_ENTITY_ID,
    ATTR_MODE,
    ATTR_UNIT_OF_MEASUREMENT,
    STATE_UNAVAILABLE,
    Platform,
)
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)
from pytest_homeassistant_custom_component.test_util.aiohttp import (
    AiohttpClientMocker,
    AiohttpClientMockResponse,
)
from syrupy.assertion import SnapshotAssertion
from yarl import URL

from custom_components.vidigates.const import SCAN_INTERVAL

from .conftest import (
    INSTANCES_URL,
    SET_URL,
    assert_platform_snapshot,
    async_spin,
    hub_requests,
)

OCCUPANCY = "number.vidiaccess_hub_192_0_2_10_occupancy"
THRESHOLD = "number.vidiaccess_hub_192_0_2_10_occupancy_limit"
OCCUPANCY_SENSOR = "sensor.vidiaccess_hub_192_0_2_10_occupancy"
THRESHOLD_SENSOR = "sensor.vidiaccess_hub_192_0_2_10_occupancy_limit"
LIMIT_REACHED = "binary_sensor.vidiaccess_hub_192_0_2_10_limit_reached"

ANSWER = {"current": 40, "threshold": 50, "reset_time": {"hour": 23, "minute": 0}}


@pytest.fixture(autouse=True)
def occupancy_number_enabled(entity_registry_enabled_by_default: None) -> None:
    """The occupancy number is off by default; these tests use it.

    Autouse, so that it applies before the integration is set up.
    """


async def _set_value(hass: HomeAssistant, entity_id: str, value: float) -> None:
    await hass.services.async_call(
        NUMBER_DOMAIN,
        SERVICE_SET_VALUE,
        {ATTR_ENTITY_ID: entity_id, ATTR_VALUE: value},
        blocking=True,
    )


async def test_entities(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    mock_hub: AiohttpClientMocker,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
) -> None:
    """The numbers, their registry entries and states."""
    await assert_platform_snapshot(
        hass, mock_config_entry, Platform.NUMBER, entity_registry, snapshot
    )


@pytest.mark.usefixtures("init_integration")
@pytest.mark.parametrize("entity_id", [OCCUPANCY, THRESHOLD])
async def test_box_of_whole_people(hass: HomeAssistant, entity_id: str) -> None:
    """Counts are typed into a box, in whole people, from 0 to a million."""
    state = hass.states.get(entity_id)
    assert state is not None
    assert state.attributes[ATTR_MODE] == "box"
    assert state.attributes[ATTR_MIN] == 0
    assert state.attributes[ATTR_MAX] == 1_000_000
    assert state.attributes[ATTR_STEP] == 1
    assert state.attributes[ATTR_UNIT_OF_MEASUREMENT] == "people"


@pytest.mark.usefixtures("init_integration")
@pytest.mark.parametrize(
    ("entity_id", "value", "body", "answer", "expected"),
    [
        (
            OCCUPANCY,
            12,
            {"occupancy": 12},
            {**ANSWER, "current": 12},
            {OCCUPANCY: "12", OCCUPANCY_SENSOR: "12", LIMIT_REACHED: "off"},
        ),
        (
            OCCUPANCY,
            0,
            {"occupancy": 0},
            {**ANSWER, "current": 0},
            {OCCUPANCY: "0", OCCUPANCY_SENSOR: "0"},
        ),
        (
            THRESHOLD,
            30,
            {"threshold": 30},
            {**ANSWER, "threshold": 30},
            {THRESHOLD: "30", THRESHOLD_SENSOR: "30", LIMIT_REACHED: "on"},
        ),
    ],
)
async def test_set_value(
    hass: HomeAssistant,
    aioclient_mock: AiohttpClientMocker,
    *,
    entity_id: str,
    value: int,
    body: dict[str, Any],
    answer: dict[str, Any],
    expected: dict[str, str],
) -> None:
    """One POST /set; the hub's answer shows at once, without another poll."""
    aioclient_mock.mock_calls.clear()
    aioclient_mock.post(SET_URL, json=answer)

    await _set_value(hass, entity_id, value)

    assert hub_requests(aioclient_mock) == [("POST", SET_URL, body)]
    for shown_id, shown in expected.items():
        state = hass.states.get(shown_id)
        assert state is not None
        assert state.state == shown, shown_id


@pytest.mark.usefixtures("init_integration")
async def test_shows_what_the_hub_answers(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker
) -> None:
    """The state is the value the hub says is in force, not the one asked for."""
    aioclient_mock.post(SET_URL, json={**ANSWER, "current": 7})

    await _set_value(hass, OCCUPANCY, 12)

    state = hass.states.get(OCCUPANCY)
    assert state is not None
    assert state.state == "7"


@pytest.mark.usefixtures("init_integration")
@pytest.mark.parametrize(
    ("value", "translation_key"),
    [
        (12.5, "not_whole_number"),
        (-1, None),
        (1_000_001, None),
    ],
)
async def test_invalid_value_sends_nothing(
    hass: HomeAssistant,
    aioclient_mock: AiohttpClientMocker,
    value: float,
    translation_key: str | None,
) -> None:
    """A fraction of a person or a value out of range never reaches the hub."""
    aioclient_mock.mock_calls.clear()

    with pytest.raises(ServiceValidationError) as err:
        await _set_value(hass, OCCUPANCY, value)

    if translation_key is not None:
        assert err.value.translation_domain == "vidigates"
        assert err.value.translation_key == translation_key
    assert hub_requests(aioclient_mock) == []
    state = hass.states.get(OCCUPANCY)
    assert state is not None
    assert state.state == "40"


@pytest.mark.usefixtures("init_integration")
@pytest.mark.parametrize(
    ("failure", "translation_key", "message"),
    [
        (
            {"exc": aiohttp.ClientConnectionError("refused")},
            "write_cannot_connect",
            "Could not send the change to the VidiAccess hub: ",
        ),
        (
            {"exc": TimeoutError()},
            "write_cannot_connect",
            "Could not send the change to the VidiAccess hub: ",
        ),
        (
            {"status": 500, "text": "Internal Server Error"},
            "write_invalid_response",
            "The VidiAccess hub did not confirm the change: ",
        ),
        (
            {
                "text": "<html>Not Found</html>",
                "headers": {"Content-Type": "text/html"},
            },
            "write_invalid_response",
            "The VidiAccess hub did not confirm the change: ",
        ),
        (
            {"json": {"current": 3, "threshold": -50, "reset_time": None}},
            "write_invalid_response",
            "The VidiAccess hub did not confirm the change: ",
        ),
    ],
)
async def test_hub_failure_keeps_the_real_state(
    hass: HomeAssistant,
    aioclient_mock: AiohttpClientMocker,
    failure: dict[str, Any],
    translation_key: str,
    message: str,
) -> None:
    """A failed write raises a translated error; the old value stays shown."""
    aioclient_mock.mock_calls.clear()
    aioclient_mock.post(SET_URL, **failure)

    with pytest.raises(HomeAssistantError) as err:
        await _set_value(hass, OCCUPANCY, 12)

    assert err.value.translation_domain == "vidigates"
    assert err.value.translation_key == translation_key
    assert str(err.value).startswith(message)
    assert hub_requests(aioclient_mock) == [("POST", SET_URL, {"occupancy": 12})]
    for entity_id in (OCCUPANCY, OCCUPANCY_SENSOR):
        state = hass.states.get(entity_id)
        assert state is not None
        assert state.state == "40"


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
    write = asyncio.create_task(_set_value(hass, OCCUPANCY, 12))
    await async_spin()
    assert [method for method, _url, _body in hub_requests(aioclient_mock)] == ["GET"]

    release.set()
    await write
    await hass.async_block_till_done(wait_background_tasks=True)

    assert [method for method, _url, _body in hub_requests(aioclient_mock)] == [
        "GET",
        "POST",
    ]
    for entity_id in (OCCUPANCY, OCCUPANCY_SENSOR):
        state = hass.states.get(entity_id)
        assert state is not None
        assert state.state == "12", entity_id


async def test_unavailable_with_the_hub(
    hass: HomeAssistant,
    aioclient_mock: AiohttpClientMocker,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The numbers follow the hub's availability."""
    aioclient_mock.clear_requests()
    aioclient_mock.get(INSTANCES_URL, exc=aiohttp.ClientConnectionError())

    freezer.tick(SCAN_INTERVAL)
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)

    for entity_id in (OCCUPANCY, THRESHOLD):
        state = hass.states.get(entity_id)
        assert state is not None
        assert state.state == STATE_UNAVAILABLE
