"""End to end: every control against the hub simulator, over real HTTP.

No poll is awaited anywhere here: each change must show up in Home Assistant
as soon as the call returns.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, time
from typing import Any

from homeassistant.const import ATTR_ENTITY_ID, CONF_HOST, CONF_PORT, STATE_UNKNOWN
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.vidigates.const import DOMAIN
from simulator import PATH_SET, Fault, Hub, SimulatorServer

from .conftest import setup_integration, state_of

# A Monday noon, far from the hub's 23:00 reset.
START = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)

# The clock (the event loop's too) is frozen: no poll starts in the middle of
# a test and no request times out, however slow the machine.
pytestmark = pytest.mark.usefixtures("freezer")

OCCUPANCY = "number.simulated_hub_occupancy"
THRESHOLD = "number.simulated_hub_occupancy_limit"
OCCUPANCY_SENSOR = "sensor.simulated_hub_occupancy"
THRESHOLD_SENSOR = "sensor.simulated_hub_occupancy_limit"
EXITS_SENSOR = "sensor.simulated_hub_exits"
LIMIT_REACHED = "binary_sensor.simulated_hub_limit_reached"
RESET_TIME = "time.simulated_hub_daily_reset_time"
DAILY_RESET = "switch.simulated_hub_daily_reset"
RESET_OCCUPANCY = "button.simulated_hub_reset_occupancy"


@pytest.fixture(autouse=True)
def occupancy_number_enabled(entity_registry_enabled_by_default: None) -> None:
    """The occupancy number is off by default; these tests use it.

    Autouse, so that it applies before the integration is set up.
    """


@dataclass
class Simulated:
    """The simulated hub and the config entry that talks to it."""

    hub: Hub
    entry: MockConfigEntry


@pytest.fixture
async def simulated(
    hass: HomeAssistant, socket_enabled: None
) -> AsyncIterator[Simulated]:
    """A busy simulated hub on 127.0.0.1, set up in Home Assistant."""
    hub = Hub(seed=3, start=START, unstable_seconds=0.0, arrival_rate=0.5)
    # Twenty minutes of people, so that counters and occupancy are not zero.
    hub.advance(1200)
    async with SimulatorServer(hub) as server:
        entry = MockConfigEntry(
            domain=DOMAIN,
            title="Simulated hub",
            data={CONF_HOST: "127.0.0.1", CONF_PORT: server.port},
        )
        await setup_integration(hass, entry)
        yield Simulated(hub, entry)
        assert await hass.config_entries.async_unload(entry.entry_id)


def _reset_time(hub: Hub) -> tuple[int, int] | None:
    # A call, so that type checkers do not carry a narrowed type across writes.
    return hub.reset_time


async def _entity_call(
    hass: HomeAssistant, domain: str, service: str, entity_id: str, **data: Any
) -> None:
    await hass.services.async_call(
        domain, service, {ATTR_ENTITY_ID: entity_id, **data}, blocking=True
    )


async def _action(
    hass: HomeAssistant, simulated: Simulated, service: str, **data: Any
) -> Any:
    return await hass.services.async_call(
        DOMAIN,
        service,
        {"config_entry_id": simulated.entry.entry_id, **data},
        blocking=True,
        return_response=service != "set_type",
    )


async def test_every_control(hass: HomeAssistant, simulated: Simulated) -> None:
    """Each entity changes the hub, and shows what it has now at once."""
    hub = simulated.hub
    assert hub.current > 0
    assert state_of(hass, OCCUPANCY) == str(hub.current)

    await _entity_call(hass, "number", "set_value", OCCUPANCY, value=25)
    assert hub.last_set_body == {"occupancy": 25}
    assert (state_of(hass, OCCUPANCY), state_of(hass, OCCUPANCY_SENSOR)) == ("25", "25")

    await _entity_call(hass, "number", "set_value", THRESHOLD, value=20)
    assert hub.threshold == 20
    assert state_of(hass, THRESHOLD_SENSOR) == "20"
    assert state_of(hass, LIMIT_REACHED) == "on"

    await _entity_call(hass, "time", "set_value", RESET_TIME, time=time(4, 15))
    assert hub.reset_time == (4, 15)
    assert state_of(hass, RESET_TIME) == "04:15:00"

    # Off clears the hub's reset; on brings back the time it had.
    await _entity_call(hass, "switch", "turn_off", DAILY_RESET)
    assert hub.last_set_body == {"reset_time": None}
    assert _reset_time(hub) is None
    assert (state_of(hass, DAILY_RESET), state_of(hass, RESET_TIME)) == (
        "off",
        STATE_UNKNOWN,
    )
    await _entity_call(hass, "switch", "turn_on", DAILY_RESET)
    assert _reset_time(hub) == (4, 15)
    assert (state_of(hass, DAILY_RESET), state_of(hass, RESET_TIME)) == (
        "on",
        "04:15:00",
    )

    await _entity_call(hass, "button", "press", RESET_OCCUPANCY)
    assert hub.last_set_body == {"occupancy": 0}
    assert hub.current == 0
    assert state_of(hass, OCCUPANCY_SENSOR) == "0"


async def test_gate_type(hass: HomeAssistant, simulated: Simulated) -> None:
    """The select and the action change an instance's type; occupancy follows."""
    hub = simulated.hub
    first = next(iter(hub.instances))
    select = f"select.box_{first[0]}_gate_type"
    assert state_of(hass, select) == "both"
    exits_before = int(state_of(hass, EXITS_SENSOR))
    assert exits_before > 0

    await _entity_call(hass, "select", "select_option", select, option="in")

    assert hub.last_set_type_body == {
        "boxid": first[0],
        "number": first[1],
        "gate_type": "in",
    }
    assert hub.instance(*first).gate_type == "in"
    assert state_of(hass, select) == "in"
    # The hub no longer counts the instance's exits, so more people are
    # inside; but those people did leave: the exits do not go down.
    assert int(state_of(hass, EXITS_SENSOR)) == exits_before
    assert state_of(hass, OCCUPANCY_SENSOR) == str(hub.current)

    await _action(
        hass, simulated, "set_type", boxid=first[0], number=first[1], gate_type="both"
    )

    assert hub.instance(*first).gate_type == "both"
    assert state_of(hass, select) == "both"
    assert int(state_of(hass, EXITS_SENSOR)) == exits_before
    assert state_of(hass, OCCUPANCY_SENSOR) == str(hub.current)


async def test_actions(hass: HomeAssistant, simulated: Simulated) -> None:
    """set answers what the hub has; adjust_occupancy starts from the hub's count."""
    hub = simulated.hub
    hub.current = 30

    response = await _action(hass, simulated, "set", threshold=80, reset_time="05:45")

    assert response == {"current": 30, "threshold": 80, "reset_time": "05:45:00"}
    assert (hub.threshold, hub.reset_time) == (80, (5, 45))
    assert state_of(hass, THRESHOLD) == "80"
    assert state_of(hass, RESET_TIME) == "05:45:00"
    assert state_of(hass, LIMIT_REACHED) == "off"

    # People moved since the last poll: the adjustment starts from the hub's
    # count, not from the one Home Assistant shows.
    hub.current = 10
    response = await _action(hass, simulated, "adjust_occupancy", delta=3)

    assert hub.last_set_body == {"occupancy": 13}
    assert response["current"] == 13
    assert state_of(hass, OCCUPANCY_SENSOR) == "13"

    await _action(hass, simulated, "adjust_occupancy", delta=-100)

    assert hub.last_set_body == {"occupancy": 0}
    assert state_of(hass, OCCUPANCY_SENSOR) == "0"
    assert state_of(hass, OCCUPANCY) == "0"


@pytest.mark.parametrize(
    ("fault", "translation_key"),
    # Which fault is which is the client's (test_api.py): one of each kind.
    [
        (Fault.TRUNCATED, "write_invalid_response"),
        (Fault.DROP, "write_cannot_connect"),
    ],
)
async def test_failed_write_leaves_the_truth(
    hass: HomeAssistant,
    simulated: Simulated,
    fault: Fault,
    translation_key: str,
) -> None:
    """A write the hub fails: a translated error, and the hub's value shown."""
    hub = simulated.hub
    before = hub.current
    hub.inject(fault, path=PATH_SET)

    with pytest.raises(HomeAssistantError) as err:
        await _entity_call(hass, "number", "set_value", OCCUPANCY, value=before + 7)

    assert err.value.translation_key == translation_key
    assert hub.current == before
    assert state_of(hass, OCCUPANCY) == str(before)


async def test_refused_action_reaches_nothing(
    hass: HomeAssistant, simulated: Simulated
) -> None:
    """A user mistake never reaches the hub."""
    hub = simulated.hub
    sent_before = len(hub.received)

    with pytest.raises(HomeAssistantError):
        await _action(hass, simulated, "set", occupancy=-5)
    with pytest.raises(HomeAssistantError):
        await _action(hass, simulated, "set_type", boxid=1, number=0, gate_type="in")

    assert len(hub.received) == sent_before
