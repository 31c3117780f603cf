"""The daily reset switch and the reset time it remembers.

Its write and failures: test_controls.py.
"""

from __future__ import annotations

from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import ATTR_ENTITY_ID, Platform
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
ELEVEN_PM = {"hour": 23, "minute": 0}


async def _call(hass: HomeAssistant, service: str) -> None:
    await hass.services.async_call(
        "switch", service, {ATTR_ENTITY_ID: DAILY_RESET}, blocking=True
    )


def _hub_answers(
    aioclient_mock: AiohttpClientMocker,
    payload: dict[str, Any],
    set_reset_time: dict[str, int] | None = None,
) -> None:
    """What the mocked hub answers from now on: a poll, and /set if given."""
    aioclient_mock.clear_requests()
    aioclient_mock.get(INSTANCES_URL, json=payload)
    answer = {"current": 40, "threshold": 50, "reset_time": set_reset_time}
    aioclient_mock.post(SET_URL, json=answer)


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


@pytest.mark.usefixtures("init_integration")
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
    _hub_answers(aioclient_mock, {**vendor_sample, "reset_time": None})
    await _call(hass, "turn_off")
    assert await hass.config_entries.async_reload(mock_config_entry.entry_id)
    await hass.async_block_till_done()

    data = await async_mock_restore_state_shutdown_restart(hass)
    stored = data.last_states[DAILY_RESET]
    assert stored.state.state == "off"
    assert stored.extra_data is not None
    assert stored.extra_data.as_dict() == {"last_reset_time": ELEVEN_PM}

    _hub_answers(aioclient_mock, vendor_sample, ELEVEN_PM)
    await _call(hass, "turn_on")

    assert hub_requests(aioclient_mock) == [
        ("POST", SET_URL, {"reset_time": ELEVEN_PM})
    ]
    assert (state_of(hass, DAILY_RESET), state_of(hass, RESET_TIME)) == (
        "on",
        "23:00:00",
    )


@pytest.mark.usefixtures("init_integration")
async def test_remembers_the_last_time_it_saw(
    hass: HomeAssistant,
    aioclient_mock: AiohttpClientMocker,
    vendor_sample: dict[str, Any],
    freezer: FrozenDateTimeFactory,
) -> None:
    """A time changed on the hub itself, then switched off there, comes back.

    A time set through Home Assistant: test_simulated_every_control.
    """
    five_15 = {"hour": 5, "minute": 15}
    _hub_answers(aioclient_mock, {**vendor_sample, "reset_time": five_15})
    await async_poll(hass, freezer)
    assert state_of(hass, RESET_TIME) == "05:15:00"
    # Switched off on the hub, not through Home Assistant.
    _hub_answers(aioclient_mock, {**vendor_sample, "reset_time": None}, five_15)
    await async_poll(hass, freezer)
    assert state_of(hass, DAILY_RESET) == "off"
    aioclient_mock.mock_calls.clear()

    await _call(hass, "turn_on")

    assert hub_requests(aioclient_mock) == [("POST", SET_URL, {"reset_time": five_15})]


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
        (FOUR_45, True, ELEVEN_PM),
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
    aioclient_mock.get(INSTANCES_URL, json=at_start)
    await setup_integration(hass, mock_config_entry)
    if hub_has_time:
        _hub_answers(aioclient_mock, vendor_sample)
        await _call(hass, "turn_off")
    _hub_answers(aioclient_mock, vendor_sample, body)

    await _call(hass, "turn_on")

    assert hub_requests(aioclient_mock) == [("POST", SET_URL, {"reset_time": body})]
