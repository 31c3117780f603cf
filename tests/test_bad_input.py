"""What Home Assistant shows when a running hub turns hostile.

How each bad answer is read or refused lives with its layer: the parser's
table in tests/test_models.py, the HTTP layer's (status, framing, size,
encoding, timeouts) in tests/test_api.py. Here a few representative answers,
served by the simulator over a real socket, go through a loaded config entry:
every entity goes unavailable and one log line says why. Elsewhere: hundreds
of polls of every fault, one line per outage and per recovery, in
tests/test_faults.py; recoveries in tests/test_e2e_simulator.py; a hub that
fails at start-up in tests/test_init.py.

The clock, the event loop's too, is frozen: no answer here can time out.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
import logging
import re
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import CONF_HOST, CONF_PORT, STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.vidigates.const import DOMAIN
from simulator import VENDOR_SAMPLE, Fault, SimulatorServer

from .conftest import async_poll, entry_states, setup_integration

LOGGER_NAME = "custom_components.vidigates"
INVALID = "The VidiAccess hub sent an invalid answer: "
UNREACHABLE = "Cannot reach the VidiAccess hub: "
OCCUPANCY = "sensor.vidiaccess_hub_127_0_0_1_occupancy"

pytestmark = [
    pytest.mark.usefixtures("socket_enabled", "freezer", "quiet_access_log"),
    pytest.mark.timeout(120),
]

# What the hub does, and what the log line must say: one of each kind of refusal.
HOSTILE: list[Any] = [
    pytest.param(
        VENDOR_SAMPLE | {"current": "40"}, f"{INVALID}current is text", id="parser"
    ),
    pytest.param(Fault.GARBAGE, f"{INVALID}.* that is not JSON", id="not-json"),
    pytest.param(Fault.HTTP_500, f"{INVALID}.* answered HTTP 500$", id="http-error"),
    pytest.param(Fault.HUGE, f"{INVALID}.* more than a hub sends$", id="too-big"),
    pytest.param(Fault.DROP, f"{UNREACHABLE}.* closed the connection", id="dropped"),
]


@pytest.fixture
async def server() -> AsyncIterator[SimulatorServer]:
    """A hub that answers the vendor's sample, on a free loopback port."""
    async with SimulatorServer(host="127.0.0.1", port=0) as server:
        server.hub.set_fixed_payload(VENDOR_SAMPLE)
        yield server


@pytest.fixture
def entry(hass: HomeAssistant, server: SimulatorServer) -> MockConfigEntry:
    return MockConfigEntry(
        domain=DOMAIN,
        title="VidiAccess hub 127.0.0.1",
        data={CONF_HOST: server.host, CONF_PORT: server.port},
    )


def _problems(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    """Errors from anywhere, warnings from the integration."""
    return [
        record
        for record in caplog.records
        if record.levelno >= logging.ERROR
        or (record.levelno >= logging.WARNING and record.name.startswith(LOGGER_NAME))
    ]


@pytest.mark.parametrize(("how", "says"), HOSTILE)
async def test_hub_turns_hostile(
    hass: HomeAssistant,
    *,
    server: SimulatorServer,
    entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
    how: dict[str, Any] | Fault,
    says: str,
) -> None:
    """A running hub that turns hostile: every entity unavailable, one log line."""
    await setup_integration(hass, entry)
    assert entry_states(hass, entry)[OCCUPANCY] == "40"
    caplog.clear()

    if isinstance(how, Fault):
        server.hub.fail_always(how, size=2 * 1024 * 1024)
    else:
        server.hub.set_fixed_payload(how)
    await async_poll(hass, freezer)

    assert set(entry_states(hass, entry).values()) == {STATE_UNAVAILABLE}
    [record] = _problems(caplog)
    assert (record.name, record.levelno, record.exc_info) == (
        LOGGER_NAME,
        logging.ERROR,
        None,
    )
    message = record.getMessage()
    assert re.search(says, message)
    assert "Unexpected" not in message
    assert len(message) < 400

    assert entry.state is ConfigEntryState.LOADED
