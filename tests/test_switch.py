"""The daily reset switch and the reset time it remembers.

Its write and failures: test_controls.py.
"""

from __future__ import annotations

from datetime import time
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.switch.const import DOMAIN as SWITCH_DOMAIN
from homeassistant.components.time.const import DOMAIN as TIME_DOMAIN, SERVICE_SET_VALUE
from homeassistant.const import (
    ATTR_ENTITY_ID,
    ATTR_TIME,
    SERVICE_TURN_OFF,
    SERVICE_TURN_ON,
    Platform,
)
from homeassistant.core import HomeAssistant, State
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_mock_restore_state_shutdown_restart,
    mock_restore_cache_with_extra_data,
)
from pytest_homeassistant_custom_component.test_util.aiohttp import AiohttpClientMocker
from syrupy.assertion import SnapshotAssertion

from .conftest import (
    INSTANCES_URL,
    SET_URL,
    assert_platform_snapshot,
    async_poll,
    hub_requests,
    setup_integration,
    state_of,
)

DAILY_RESET = "switch.vidiaccess_hub_192_0_2_10_daily_reset"
RESET_TIME = "time.vidiaccess_hub_192_0_2_10_daily_reset_time"


def _answer(reset_time: dict[str, int] | None) -> dict[str, Any]:
    return {"current": 40, "threshold": 50, "reset_time": reset_time}


async def _switch(hass: HomeAssistant, service: str) -> None:
    await hass.services.async_call(
        SWITCH_DOMAIN, service, {ATTR_ENTITY_ID: DAILY_RESET}, blocking=True
    )


async def _setup(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    aioclient_mock: AiohttpClientMocker,
    payload: dict[str, Any],
) -> None:
    aioclient_mock.get(INSTANCES_URL, json=payload)
    await setup_integration(hass, entry)


def _hub_answers(
    aioclient_mock: AiohttpClientMocker,
    payload: dict[str, Any],
    set_answer: dict[str, Any] | None = None,
) -> None:
    """Replace what the mocked hub answers from now on."""
    aioclient_mock.clear_requests()
    aioclient_mock.get(INSTANCES_URL, json=payload)
    if set_answer is not None:
        aioclient_mock.post(SET_URL, json=set_answer)


async def test_entities(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    mock_hub: AiohttpClientMocker,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
) -> None:
    await assert_platform_snapshot(
        hass, mock_config_entry, Platform.SWITCH, entity_registry, snapshot
    )


async def test_off_then_on_brings_back_the_hubs_time(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    aioclient_mock: AiohttpClientMocker,
    vendor_sample: dict[str, Any],
) -> None:
    """Off, then on sends back the time the hub had (23:00), across a reload.

    Switched off and reloaded, the hub has no time: the switch still knows it,
    and it is what Home Assistant stores at shutdown.
    """
    await _setup(hass, mock_config_entry, aioclient_mock, vendor_sample)
    _hub_answers(aioclient_mock, {**vendor_sample, "reset_time": None}, _answer(None))
    await _switch(hass, SERVICE_TURN_OFF)
    assert await hass.config_entries.async_reload(mock_config_entry.entry_id)
    await hass.async_block_till_done()

    data = await async_mock_restore_state_shutdown_restart(hass)
    stored = data.last_states[DAILY_RESET]
    assert stored.state.state == "off"
    assert stored.extra_data is not None
    assert stored.extra_data.as_dict() == {"last_reset_time": {"hour": 23, "minute": 0}}

    back = {"hour": 23, "minute": 0}
    _hub_answers(aioclient_mock, vendor_sample, _answer(back))
    await _switch(hass, SERVICE_TURN_ON)

    assert hub_requests(aioclient_mock) == [("POST", SET_URL, {"reset_time": back})]
    assert state_of(hass, DAILY_RESET) == "on"
    assert state_of(hass, RESET_TIME) == "23:00:00"


@pytest.mark.usefixtures("init_integration")
async def test_remembers_the_last_time_it_saw(
    hass: HomeAssistant,
    aioclient_mock: AiohttpClientMocker,
    vendor_sample: dict[str, Any],
    freezer: FrozenDateTimeFactory,
) -> None:
    """A time set while on, or changed on the hub itself, is the one brought back."""
    six_thirty = {"hour": 6, "minute": 30}
    _hub_answers(aioclient_mock, vendor_sample, _answer(six_thirty))
    await hass.services.async_call(
        TIME_DOMAIN,
        SERVICE_SET_VALUE,
        {ATTR_ENTITY_ID: RESET_TIME, ATTR_TIME: time(6, 30)},
        blocking=True,
    )
    assert state_of(hass, DAILY_RESET) == "on"
    _hub_answers(aioclient_mock, vendor_sample, _answer(None))
    await _switch(hass, SERVICE_TURN_OFF)
    _hub_answers(aioclient_mock, vendor_sample, _answer(six_thirty))
    await _switch(hass, SERVICE_TURN_ON)
    assert hub_requests(aioclient_mock) == [
        ("POST", SET_URL, {"reset_time": six_thirty})
    ]

    five_fifteen = {"hour": 5, "minute": 15}
    _hub_answers(aioclient_mock, {**vendor_sample, "reset_time": five_fifteen})
    await async_poll(hass, freezer)
    assert state_of(hass, RESET_TIME) == "05:15:00"
    # Switched off on the hub, not through Home Assistant.
    _hub_answers(
        aioclient_mock, {**vendor_sample, "reset_time": None}, _answer(five_fifteen)
    )
    await async_poll(hass, freezer)
    assert state_of(hass, DAILY_RESET) == "off"
    aioclient_mock.mock_calls.clear()

    await _switch(hass, SERVICE_TURN_ON)

    assert hub_requests(aioclient_mock) == [
        ("POST", SET_URL, {"reset_time": five_fifteen})
    ]


FOUR_45 = {"last_reset_time": {"hour": 4, "minute": 45}}
MIDNIGHT = {"hour": 0, "minute": 0}


@pytest.mark.parametrize(
    ("extra_data", "hub_has_time", "body"),
    [
        (FOUR_45, False, {"hour": 4, "minute": 45}),
        # Nothing to bring back: midnight.
        (None, False, MIDNIGHT),
        ({"last_reset_time": None}, False, MIDNIGHT),
        # Not what the switch writes: ignored, not trusted.
        ({"last_reset_time": {"hour": 24, "minute": 0}}, False, MIDNIGHT),
        ({"last_reset_time": "04:45"}, False, MIDNIGHT),
        # What the hub has now (23:00) is newer than what was stored at the
        # last stop: switched off and on, that is what comes back.
        (FOUR_45, True, {"hour": 23, "minute": 0}),
    ],
)
async def test_memory_restored_after_a_restart(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    aioclient_mock: AiohttpClientMocker,
    vendor_sample: dict[str, Any],
    *,
    extra_data: dict[str, Any] | None,
    hub_has_time: bool,
    body: dict[str, int],
) -> None:
    if extra_data is not None:
        stored = State(DAILY_RESET, "on" if hub_has_time else "off")
        mock_restore_cache_with_extra_data(hass, ((stored, extra_data),))
    at_start = vendor_sample if hub_has_time else {**vendor_sample, "reset_time": None}
    await _setup(hass, mock_config_entry, aioclient_mock, at_start)
    if hub_has_time:
        _hub_answers(aioclient_mock, vendor_sample, _answer(None))
        await _switch(hass, SERVICE_TURN_OFF)
    _hub_answers(aioclient_mock, vendor_sample, _answer(body))

    await _switch(hass, SERVICE_TURN_ON)

    assert hub_requests(aioclient_mock) == [("POST", SET_URL, {"reset_time": body})]
