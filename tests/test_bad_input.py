"""What Home Assistant shows when a hub turns hostile, and when it is again fine.

How each bad answer is read or refused lives with its layer: the parser's
table in tests/test_models.py, the HTTP layer's (status, framing, size,
encoding, timeouts) in tests/test_api.py. Here a few representative answers,
served by the simulator over a real socket, go through a loaded config entry:
every entity goes unavailable, one log line says why, failing again says
nothing more, and the first good answer brings everything back with one line.
tests/test_faults.py does the same for hundreds of polls of every fault.

The clock, the event loop's too, is frozen: no answer here can time out.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
import copy
import logging
import re
from typing import Any
from unittest.mock import patch

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import CONF_HOST, CONF_PORT, STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)

from custom_components.vidigates.const import DOMAIN, SCAN_INTERVAL
from simulator import VENDOR_SAMPLE, Fault, Hub, SimulatorServer

LOGGER_NAME = "custom_components.vidigates"
TIMEOUT = 0.5

pytestmark = [
    pytest.mark.usefixtures("socket_enabled", "freezer", "quiet_access_log"),
    pytest.mark.timeout(120),
]


def _sample(**changes: Any) -> dict[str, Any]:
    doc = copy.deepcopy(VENDOR_SAMPLE)
    doc.update(changes)
    return doc


INVALID = "The VidiAccess hub sent an invalid answer: "
UNREACHABLE = "Cannot reach the VidiAccess hub: "

# What the hub does, and what the log line must say: one of each kind of refusal.
HOSTILE: list[Any] = [
    pytest.param(_sample(current="40"), f"{INVALID}current is text", id="parser"),
    pytest.param(Fault.GARBAGE, f"{INVALID}.* that is not JSON", id="not-json"),
    pytest.param(Fault.HTTP_500, f"{INVALID}.* answered HTTP 500$", id="http-error"),
    pytest.param(Fault.HUGE, f"{INVALID}.* more than a hub sends$", id="too-big"),
    pytest.param(Fault.DROP, f"{UNREACHABLE}.* closed the connection", id="dropped"),
]


def _turn_hostile(hub: Hub, how: dict[str, Any] | Fault) -> None:
    if isinstance(how, Fault):
        hub.fail_always(how, size=2 * 1024 * 1024)
    else:
        hub.set_fixed_payload(how)


@pytest.fixture
async def server() -> AsyncIterator[SimulatorServer]:
    """A hub that answers the vendor's sample, on a free loopback port."""
    hub = Hub()
    hub.set_fixed_payload(VENDOR_SAMPLE)
    async with SimulatorServer(hub, host="127.0.0.1", port=0) as server:
        yield server


def _entry(hass: HomeAssistant, server: SimulatorServer) -> MockConfigEntry:
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="VidiAccess hub 127.0.0.1",
        data={CONF_HOST: server.host, CONF_PORT: server.port},
    )
    entry.add_to_hass(hass)
    return entry


async def _set_up(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    with patch("custom_components.vidigates.REQUEST_TIMEOUT", TIMEOUT):
        await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done()


async def _poll(hass: HomeAssistant, freezer: FrozenDateTimeFactory) -> None:
    freezer.tick(SCAN_INTERVAL)
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)


def _states(hass: HomeAssistant, entry: MockConfigEntry) -> dict[str, str]:
    """Every enabled entity of the entry, and its state."""
    states = {}
    for reg in er.async_entries_for_config_entry(er.async_get(hass), entry.entry_id):
        if not reg.disabled:
            state = hass.states.get(reg.entity_id)
            assert state is not None
            states[reg.entity_id] = state.state
    return states


def _problems(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    """Errors from anywhere, warnings from the integration."""
    return [
        record
        for record in caplog.records
        if record.levelno >= logging.ERROR
        or (record.levelno >= logging.WARNING and record.name.startswith(LOGGER_NAME))
    ]


@pytest.mark.parametrize(("how", "says"), HOSTILE)
async def test_hub_turns_hostile_then_recovers(
    hass: HomeAssistant,
    server: SimulatorServer,
    *,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
    how: dict[str, Any] | Fault,
    says: str,
) -> None:
    """A running hub that turns hostile: one log line, no crash, no number."""
    entry = _entry(hass, server)
    await _set_up(hass, entry)
    assert entry.state is ConfigEntryState.LOADED
    assert _states(hass, entry)["sensor.vidiaccess_hub_127_0_0_1_occupancy"] == "40"
    caplog.clear()

    _turn_hostile(server.hub, how)
    await _poll(hass, freezer)

    # Every entity goes unavailable: none keeps showing a number.
    states = _states(hass, entry)
    assert set(states.values()) == {STATE_UNAVAILABLE}
    [record] = _problems(caplog)
    assert (record.name, record.levelno) == (LOGGER_NAME, logging.ERROR)
    assert record.exc_info is None
    message = record.getMessage()
    assert re.search(says, message)
    assert "Unexpected" not in message
    assert len(message) < 400

    # Failing again says nothing more; the first good answer brings all back.
    # One the parser reads as sent, odd as it is: people who leave after the
    # daily reset take the hub below 0, and fields it does not know are
    # ignored.
    caplog.clear()
    await _poll(hass, freezer)
    assert not _problems(caplog)
    server.hub.fail_always(None)
    server.hub.set_fixed_payload(_sample(current=-3, firmware={"version": "9.9"}))
    await _poll(hass, freezer)
    assert not _problems(caplog)
    states = _states(hass, entry)
    assert STATE_UNAVAILABLE not in states.values()
    assert states["sensor.vidiaccess_hub_127_0_0_1_occupancy"] == "-3"
    assert states["sensor.vidiaccess_hub_127_0_0_1_remaining_capacity"] == "53"
    assert len([r for r in caplog.records if "recovered" in r.getMessage()]) == 1


@pytest.mark.parametrize(("how", "says"), HOSTILE[:2])
async def test_set_up_against_hostile_hub(
    hass: HomeAssistant,
    server: SimulatorServer,
    how: dict[str, Any] | Fault,
    says: str,
) -> None:
    """A hub hostile from the start: the entry retries later, nothing is created."""
    _turn_hostile(server.hub, how)
    entry = _entry(hass, server)

    await _set_up(hass, entry)

    assert entry.state is ConfigEntryState.SETUP_RETRY
    assert re.search(says, entry.reason or "")
    assert not er.async_entries_for_config_entry(er.async_get(hass), entry.entry_id)
