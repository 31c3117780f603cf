"""Tests of the daily reset time."""

from __future__ import annotations

from datetime import time
from typing import Any

import aiohttp
from homeassistant.components.time.const import DOMAIN as TIME_DOMAIN, SERVICE_SET_VALUE
from homeassistant.const import ATTR_ENTITY_ID, ATTR_TIME, STATE_UNKNOWN, Platform
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.test_util.aiohttp import AiohttpClientMocker
from syrupy.assertion import SnapshotAssertion

from .conftest import (
    INSTANCES_URL,
    SET_URL,
    assert_platform_snapshot,
    hub_requests,
    state_of,
)

RESET_TIME = "time.vidiaccess_hub_192_0_2_10_daily_reset_time"
DAILY_RESET = "switch.vidiaccess_hub_192_0_2_10_daily_reset"


async def _set_time(hass: HomeAssistant, value: time) -> None:
    await hass.services.async_call(
        TIME_DOMAIN,
        SERVICE_SET_VALUE,
        {ATTR_ENTITY_ID: RESET_TIME, ATTR_TIME: value},
        blocking=True,
    )


async def test_entities(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    mock_hub: AiohttpClientMocker,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
) -> None:
    """The time entity, its registry entry and state."""
    await assert_platform_snapshot(
        hass, mock_config_entry, Platform.TIME, entity_registry, snapshot
    )


async def test_unknown_without_daily_reset(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    aioclient_mock: AiohttpClientMocker,
    vendor_sample: dict[str, Any],
) -> None:
    """A hub without a daily reset has no reset time, and its switch is off."""
    aioclient_mock.get(INSTANCES_URL, json={**vendor_sample, "reset_time": None})
    mock_config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()

    assert state_of(hass, RESET_TIME) == STATE_UNKNOWN
    assert state_of(hass, DAILY_RESET) == "off"


@pytest.mark.usefixtures("init_integration")
@pytest.mark.parametrize(
    ("value", "body"),
    [
        (time(6, 30), {"hour": 6, "minute": 30}),
        # The hub keeps minutes: seconds are dropped, not rounded.
        (time(6, 30, 59), {"hour": 6, "minute": 30}),
        (time(0, 0), {"hour": 0, "minute": 0}),
    ],
)
async def test_set_value(
    hass: HomeAssistant,
    aioclient_mock: AiohttpClientMocker,
    value: time,
    body: dict[str, int],
) -> None:
    """One POST /set with the hour and minute; the answer shows at once."""
    aioclient_mock.mock_calls.clear()
    aioclient_mock.post(
        SET_URL, json={"current": 40, "threshold": 50, "reset_time": body}
    )

    await _set_time(hass, value)

    assert hub_requests(aioclient_mock) == [("POST", SET_URL, {"reset_time": body})]
    assert state_of(hass, RESET_TIME) == f"{body['hour']:02}:{body['minute']:02}:00"


async def test_setting_a_time_switches_the_daily_reset_on(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    aioclient_mock: AiohttpClientMocker,
    vendor_sample: dict[str, Any],
) -> None:
    """The hub has one setting for both: a time means a daily reset."""
    aioclient_mock.get(INSTANCES_URL, json={**vendor_sample, "reset_time": None})
    aioclient_mock.post(
        SET_URL,
        json={"current": 40, "threshold": 50, "reset_time": {"hour": 5, "minute": 0}},
    )
    mock_config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()

    await _set_time(hass, time(5, 0))

    assert state_of(hass, RESET_TIME) == "05:00:00"
    assert state_of(hass, DAILY_RESET) == "on"


@pytest.mark.usefixtures("init_integration")
@pytest.mark.parametrize(
    ("failure", "translation_key"),
    [
        ({"exc": aiohttp.ClientConnectionError()}, "write_cannot_connect"),
        ({"status": 400, "json": {"error": "bad"}}, "write_invalid_response"),
        # An answer without reset_time cannot say whether the reset is on.
        ({"json": {"current": 40, "threshold": 50}}, "write_invalid_response"),
    ],
)
async def test_hub_failure_keeps_the_real_state(
    hass: HomeAssistant,
    aioclient_mock: AiohttpClientMocker,
    failure: dict[str, Any],
    translation_key: str,
) -> None:
    """A failed write raises a translated error; the old time stays shown."""
    aioclient_mock.post(SET_URL, **failure)

    with pytest.raises(HomeAssistantError) as err:
        await _set_time(hass, time(6, 30))

    assert err.value.translation_domain == "vidigates"
    assert err.value.translation_key == translation_key
    assert state_of(hass, RESET_TIME) == "23:00:00"
    assert state_of(hass, DAILY_RESET) == "on"
