"""Tests of the reset occupancy button."""

from __future__ import annotations

from typing import Any

import aiohttp
from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.button.const import DOMAIN as BUTTON_DOMAIN, SERVICE_PRESS
from homeassistant.const import ATTR_ENTITY_ID, STATE_UNAVAILABLE, Platform
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)
from pytest_homeassistant_custom_component.test_util.aiohttp import AiohttpClientMocker
from syrupy.assertion import SnapshotAssertion

from custom_components.vidigates.const import SCAN_INTERVAL

from .conftest import (
    INSTANCES_URL,
    SET_URL,
    assert_platform_snapshot,
    hub_requests,
    state_of,
)

RESET_OCCUPANCY = "button.vidiaccess_hub_192_0_2_10_reset_occupancy"
OCCUPANCY_SENSOR = "sensor.vidiaccess_hub_192_0_2_10_occupancy"
OCCUPANCY = "number.vidiaccess_hub_192_0_2_10_occupancy"


@pytest.fixture(autouse=True)
def occupancy_number_enabled(entity_registry_enabled_by_default: None) -> None:
    """The occupancy number is off by default; these tests use it.

    Autouse, so that it applies before the integration is set up.
    """


async def _press(hass: HomeAssistant) -> None:
    await hass.services.async_call(
        BUTTON_DOMAIN, SERVICE_PRESS, {ATTR_ENTITY_ID: RESET_OCCUPANCY}, blocking=True
    )


async def test_entities(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    mock_hub: AiohttpClientMocker,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
) -> None:
    """The button, its registry entry and state."""
    await assert_platform_snapshot(
        hass, mock_config_entry, Platform.BUTTON, entity_registry, snapshot
    )


@pytest.mark.usefixtures("init_integration")
async def test_press_sets_the_occupancy_to_zero(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker
) -> None:
    """One POST /set of occupancy 0; the occupancy shows 0 at once."""
    aioclient_mock.mock_calls.clear()
    aioclient_mock.post(
        SET_URL,
        json={"current": 0, "threshold": 50, "reset_time": {"hour": 23, "minute": 0}},
    )

    await _press(hass)

    assert hub_requests(aioclient_mock) == [("POST", SET_URL, {"occupancy": 0})]
    assert state_of(hass, OCCUPANCY_SENSOR) == "0"
    assert state_of(hass, OCCUPANCY) == "0"
    assert state_of(hass, RESET_OCCUPANCY) != STATE_UNAVAILABLE


@pytest.mark.usefixtures("init_integration")
@pytest.mark.parametrize(
    ("failure", "translation_key"),
    [
        ({"exc": aiohttp.ClientConnectionError()}, "write_cannot_connect"),
        ({"status": 503, "text": "busy"}, "write_invalid_response"),
    ],
)
async def test_hub_failure_keeps_the_real_state(
    hass: HomeAssistant,
    aioclient_mock: AiohttpClientMocker,
    failure: dict[str, Any],
    translation_key: str,
) -> None:
    """A failed press raises a translated error; the occupancy stays as it was."""
    aioclient_mock.post(SET_URL, **failure)

    with pytest.raises(HomeAssistantError) as err:
        await _press(hass)

    assert err.value.translation_domain == "vidigates"
    assert err.value.translation_key == translation_key
    assert state_of(hass, OCCUPANCY_SENSOR) == "40"


async def test_unavailable_with_the_hub(
    hass: HomeAssistant,
    aioclient_mock: AiohttpClientMocker,
    init_integration: MockConfigEntry,
    vendor_sample: dict[str, Any],
    freezer: FrozenDateTimeFactory,
) -> None:
    """The button cannot be pressed while the hub does not answer."""
    aioclient_mock.clear_requests()
    aioclient_mock.get(INSTANCES_URL, exc=aiohttp.ClientConnectionError())
    freezer.tick(SCAN_INTERVAL)
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert state_of(hass, RESET_OCCUPANCY) == STATE_UNAVAILABLE

    aioclient_mock.clear_requests()
    aioclient_mock.get(INSTANCES_URL, json=vendor_sample)
    freezer.tick(SCAN_INTERVAL)
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert state_of(hass, RESET_OCCUPANCY) != STATE_UNAVAILABLE
