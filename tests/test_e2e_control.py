"""End to end: every control and action against the hub simulator, over real HTTP.

No poll is awaited anywhere here: each change must show up in Home Assistant
as soon as the call returns.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
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

# The clock (the event loop's too) is frozen: no poll starts in the middle of
# a test and no request times out, however slow the machine.
pytestmark = pytest.mark.usefixtures("freezer")

OCCUPANCY = "number.simulated_hub_occupancy"
OCCUPANCY_SENSOR = "sensor.simulated_hub_occupancy"
LIMIT = "number.simulated_hub_occupancy_limit"
LIMIT_SENSOR = "sensor.simulated_hub_occupancy_limit"
EXITS_SENSOR = "sensor.simulated_hub_exits"
LIMIT_REACHED = "binary_sensor.simulated_hub_limit_reached"
RESET_TIME = "time.simulated_hub_daily_reset_time"
DAILY_RESET = "switch.simulated_hub_daily_reset"


@pytest.fixture
async def hub(
    hass: HomeAssistant,
    socket_enabled: None,
    entity_registry_enabled_by_default: None,
) -> AsyncIterator[Hub]:
    """A busy simulated hub on 127.0.0.1, set up in Home Assistant.

    Every entity enabled: the occupancy number is off by default.
    """
    # A Monday noon, far from the hub's 23:00 reset.
    start = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)
    hub = Hub(seed=3, start=start, unstable_seconds=0.0, arrival_rate=0.5)
    # Twenty minutes of people, so that counters and occupancy are not zero.
    hub.advance(1200)
    async with SimulatorServer(hub) as server:
        entry = MockConfigEntry(
            domain=DOMAIN,
            title="Simulated hub",
            data={CONF_HOST: "127.0.0.1", CONF_PORT: server.port},
            entry_id="SIMULATED",
        )
        await setup_integration(hass, entry)
        yield hub
        assert await hass.config_entries.async_unload(entry.entry_id)


def _shown(hass: HomeAssistant, *entity_ids: str) -> tuple[str, ...]:
    return tuple(state_of(hass, entity_id) for entity_id in entity_ids)


async def _control(
    hass: HomeAssistant, domain: str, service: str, entity_id: str, **data: Any
) -> None:
    await hass.services.async_call(
        domain, service, {ATTR_ENTITY_ID: entity_id, **data}, blocking=True
    )


async def _action(hass: HomeAssistant, service: str, **data: Any) -> Any:
    return await hass.services.async_call(
        DOMAIN,
        service,
        {"config_entry_id": "SIMULATED", **data},
        blocking=True,
        return_response=service != "set_type",
    )


async def test_every_control(hass: HomeAssistant, hub: Hub) -> None:
    """Each entity changes the hub, and shows what it has now at once."""
    assert hub.current > 0
    assert state_of(hass, OCCUPANCY) == str(hub.current)

    await _control(hass, "number", "set_value", OCCUPANCY, value=25)
    assert hub.last_set_body == {"occupancy": 25}
    assert _shown(hass, OCCUPANCY, OCCUPANCY_SENSOR) == ("25", "25")

    await _control(hass, "number", "set_value", LIMIT, value=20)
    assert hub.threshold == 20
    assert _shown(hass, LIMIT_SENSOR, LIMIT_REACHED) == ("20", "on")

    await _control(hass, "time", "set_value", RESET_TIME, time=time(4, 15))
    assert hub.reset_time == (4, 15)
    assert state_of(hass, RESET_TIME) == "04:15:00"

    # Off clears the hub's reset; on brings back the time it had.
    await _control(hass, "switch", "turn_off", DAILY_RESET)
    assert (hub.last_set_body, hub.reset_time) == ({"reset_time": None}, None)
    assert _shown(hass, DAILY_RESET, RESET_TIME) == ("off", STATE_UNKNOWN)
    await _control(hass, "switch", "turn_on", DAILY_RESET)
    assert hub.last_set_body == {"reset_time": {"hour": 4, "minute": 15}}
    assert _shown(hass, DAILY_RESET, RESET_TIME) == ("on", "04:15:00")

    await _control(hass, "button", "press", "button.simulated_hub_reset_occupancy")
    assert (hub.last_set_body, hub.current) == ({"occupancy": 0}, 0)
    assert state_of(hass, OCCUPANCY_SENSOR) == "0"


async def test_gate_type(hass: HomeAssistant, hub: Hub) -> None:
    """The select and the action change an instance's type; occupancy follows."""
    boxid, number = next(iter(hub.instances))
    select = f"select.box_{boxid}_gate_type"
    assert state_of(hass, select) == "both"
    exits_before = int(state_of(hass, EXITS_SENSOR))
    assert exits_before > 0

    await _control(hass, "select", "select_option", select, option="in")

    assert hub.last_set_type_body == {
        "boxid": boxid,
        "number": number,
        "gate_type": "in",
    }
    assert hub.instance(boxid, number).gate_type == "in"
    # The hub no longer counts the instance's exits, so more people are
    # inside; but those people did leave: the exits do not go down.
    assert _shown(hass, select, EXITS_SENSOR) == ("in", str(exits_before))
    assert state_of(hass, OCCUPANCY_SENSOR) == str(hub.current)

    await _action(hass, "set_type", boxid=boxid, number=number, gate_type="both")

    assert hub.instance(boxid, number).gate_type == "both"
    assert _shown(hass, select, EXITS_SENSOR) == ("both", str(exits_before))
    assert state_of(hass, OCCUPANCY_SENSOR) == str(hub.current)


async def test_actions(hass: HomeAssistant, hub: Hub) -> None:
    """set answers what the hub has; adjust_occupancy starts from the hub's count."""
    hub.current = 30

    response = await _action(hass, "set", threshold=80, reset_time="05:45")

    assert response == {"current": 30, "threshold": 80, "reset_time": "05:45:00"}
    assert (hub.threshold, hub.reset_time) == (80, (5, 45))
    assert _shown(hass, LIMIT, RESET_TIME, LIMIT_REACHED) == ("80", "05:45:00", "off")

    # People moved since the last poll: the adjustment starts from the hub's
    # count, not from the one Home Assistant shows.
    hub.current = 10
    response = await _action(hass, "adjust_occupancy", delta=3)

    assert hub.last_set_body == {"occupancy": 13}
    assert response["current"] == 13
    assert _shown(hass, OCCUPANCY_SENSOR, OCCUPANCY) == ("13", "13")


@pytest.mark.parametrize(
    ("fault", "translation_key"),
    # Which fault is which is the client's (test_api.py): one of each kind.
    [
        (Fault.TRUNCATED, "write_invalid_response"),
        (Fault.DROP, "write_cannot_connect"),
    ],
)
async def test_failed_write_leaves_the_truth(
    hass: HomeAssistant, hub: Hub, fault: Fault, translation_key: str
) -> None:
    """A write the hub fails: a translated error, and the hub's value shown."""
    before = hub.current
    hub.inject(fault, path=PATH_SET)

    with pytest.raises(HomeAssistantError) as err:
        await _control(hass, "number", "set_value", OCCUPANCY, value=before + 7)

    assert err.value.translation_key == translation_key
    assert hub.current == before
    assert state_of(hass, OCCUPANCY) == str(before)
