"""End to end: Home Assistant and the integration against the hub simulator.

The simulator is a real HTTP server on 127.0.0.1; nothing of the integration
is mocked. Entities are found through the entity registry by unique id, so
the tests follow whatever BoxIDs the seeded hub draws.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, nullcontext
from datetime import UTC, datetime
import socket
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import SOURCE_USER, ConfigEntry, ConfigEntryState
from homeassistant.const import CONF_HOST, CONF_PORT, STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import device_registry as dr, entity_registry as er
import pytest

from custom_components.vidigates.const import DOMAIN
from simulator import Fault, Hub, SimulatorServer

from .conftest import async_poll, entity_id, record_state_writes, state_of

# A Monday noon: far from the hub's 23:00 daily reset.
START = datetime(2026, 1, 5, 12, 0, 0, tzinfo=UTC)

pytestmark = pytest.mark.usefixtures("socket_enabled", "quiet_access_log")


@pytest.fixture
def hub() -> Hub:
    """A hub of two instances of two gates, counting from the start."""
    return Hub(
        instances=2, gates_per_instance=2, seed=3, start=START, unstable_seconds=0
    )


@pytest.fixture
async def server(hub: Hub) -> AsyncIterator[SimulatorServer]:
    async with SimulatorServer(hub, host="127.0.0.1", port=0) as server:
        yield server


@pytest.fixture
async def entry(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, server: SimulatorServer
) -> ConfigEntry:
    """The hub added the way a user does: through the config flow."""
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_HOST: server.url, CONF_PORT: 8080}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    config_entry: ConfigEntry = result["result"]
    return config_entry


def expected_states(hub: Hub, entry: ConfigEntry) -> dict[tuple[str, str], str]:
    """What Home Assistant must show for the hub, from the hub's own answer."""
    snapshot: dict[str, Any] = hub.snapshot()
    current, threshold = snapshot["current"], snapshot["threshold"]
    entries = exits = 0
    expected: dict[tuple[str, str], str] = {}
    for instance in snapshot["instances"]:
        prefix = f"{entry.entry_id}-{instance['boxid']}-{instance['number']}"
        expected["sensor", f"{prefix}-status"] = instance["status"].replace("-", "_")
        expected["binary_sensor", f"{prefix}-problem"] = (
            "off" if instance["status"] == "ok" else "on"
        )
        expected["select", f"{prefix}-gate_type"] = instance["gate_type"]
        for gate in instance["gates"]:
            expected["sensor", f"{prefix}-gate-{gate['id']}-in"] = str(gate["in"])
            expected["sensor", f"{prefix}-gate-{gate['id']}-out"] = str(gate["out"])
            if instance["gate_type"] in ("in", "both"):
                entries += gate["in"]
            if instance["gate_type"] in ("out", "both"):
                exits += gate["out"]
    hub_id = entry.entry_id
    expected["sensor", f"{hub_id}-occupancy"] = str(current)
    expected["sensor", f"{hub_id}-threshold"] = str(threshold)
    expected["sensor", f"{hub_id}-remaining_capacity"] = str(
        max(threshold - current, 0)
    )
    expected["sensor", f"{hub_id}-entries"] = str(entries)
    expected["sensor", f"{hub_id}-exits"] = str(exits)
    expected["binary_sensor", f"{hub_id}-limit_reached"] = (
        "on" if snapshot["status"] == "ko" else "off"
    )
    return expected


def shown_states(
    hass: HomeAssistant, expected: dict[tuple[str, str], str]
) -> dict[tuple[str, str], str]:
    """What Home Assistant shows for the entities of ``expected``."""
    return {
        (domain, unique_id): state_of(hass, entity_id(hass, domain, unique_id))
        for domain, unique_id in expected
    }


def free_loopback_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


async def test_setup_through_the_config_flow(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    hub: Hub,
    server: SimulatorServer,
    device_registry: dr.DeviceRegistry,
) -> None:
    """A wrong port first, then the hub's pasted URL: the hub and its instances."""
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {CONF_HOST: f"http://127.0.0.1:{free_loopback_port()}", CONF_PORT: 8080},
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "cannot_connect"}

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_HOST: server.url, CONF_PORT: 8080}
    )
    await hass.async_block_till_done()

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"] == {CONF_HOST: "127.0.0.1", CONF_PORT: server.port}
    entry: ConfigEntry = result["result"]
    assert entry.state is ConfigEntryState.LOADED
    expected = expected_states(hub, entry)
    assert shown_states(hass, expected) == expected
    devices = dr.async_entries_for_config_entry(device_registry, entry.entry_id)
    assert sorted(device.serial_number or "hub" for device in devices) == sorted(
        ["hub", *(str(boxid) for boxid, _number in hub.instances)]
    )
    hub_device = next(device for device in devices if device.serial_number is None)
    assert hub_device.configuration_url is None


async def test_people_flow_shows_after_a_poll(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, hub: Hub, entry: ConfigEntry
) -> None:
    """People come and go at the hub; each poll shows the hub as it is.

    A camera that stops capturing is a problem on its instance only; polls of
    a hub where nothing happens then write no state at all.
    """
    occupancy = ("sensor", f"{entry.entry_id}-occupancy")
    seen: set[str] = set()
    (boxid, number), (other_boxid, other_number) = list(hub.instances)[:2]
    for step in range(5):
        hub.advance(300)
        if step == 3:
            hub.set_status(boxid, number, "not-capturing")
        await async_poll(hass, freezer)
        expected = expected_states(hub, entry)
        assert shown_states(hass, expected) == expected
        seen.add(expected[occupancy])
    # The seeded flow really moved people, so the comparison above meant something.
    assert len(seen) > 1
    assert int(expected["sensor", f"{entry.entry_id}-entries"]) > 0
    prefix = f"{entry.entry_id}-{boxid}-{number}"
    assert expected["sensor", f"{prefix}-status"] == "not_capturing"
    assert expected["binary_sensor", f"{prefix}-problem"] == "on"
    other = f"{entry.entry_id}-{other_boxid}-{other_number}-problem"
    assert expected["binary_sensor", other] == "off"

    writes = record_state_writes(hass)
    requests = sum(hub.requests.values())
    for _ in range(3):
        await async_poll(hass, freezer)
    assert sum(hub.requests.values()) == requests + 3
    assert writes == []


@pytest.mark.parametrize(
    "fault",
    # Which fault is which is the client's (test_api.py): one of each kind, and
    # a hub switched off (connection refused) that comes back on the same port.
    [Fault.HTTP_500, Fault.DROP, None],
)
async def test_hub_fault_then_recovery(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    hub: Hub,
    *,
    server: SimulatorServer,
    entry: ConfigEntry,
    fault: Fault | None,
) -> None:
    """A misbehaving hub makes every entity unavailable; then they come back."""
    entities = [
        entity.entity_id
        for entity in er.async_entries_for_config_entry(
            er.async_get(hass), entry.entry_id
        )
        if not entity.disabled
    ]
    back: AbstractAsyncContextManager[Any] = nullcontext()
    if fault is None:
        back = SimulatorServer(hub, host="127.0.0.1", port=server.port)
        await server.close()
    else:
        hub.fail_always(fault)
    await async_poll(hass, freezer)
    await async_poll(hass, freezer)

    for entity in entities:
        state = hass.states.get(entity)
        assert state is not None
        assert state.state == STATE_UNAVAILABLE, entity

    hub.fail_always(None)
    hub.advance(120)
    async with back:
        await async_poll(hass, freezer)

        expected = expected_states(hub, entry)
        assert shown_states(hass, expected) == expected
    assert entry.state is ConfigEntryState.LOADED


async def test_instance_added_then_removed(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    hub: Hub,
    entry: ConfigEntry,
    device_registry: dr.DeviceRegistry,
) -> None:
    """An instance installed at run time appears; uninstalled, it goes away."""
    boxid, number = hub.add_instance(name="Side door", gates=3, status="ok")
    hub.advance(300)
    await async_poll(hass, freezer)

    device = device_registry.async_get_device_by_identifier(
        (DOMAIN, f"{entry.entry_id}-{boxid}-{number}"), entry.entry_id
    )
    assert device is not None
    assert device.name == "Side door"
    assert device.serial_number == str(boxid)
    expected = expected_states(hub, entry)
    assert ("sensor", f"{entry.entry_id}-{boxid}-{number}-gate-3-out") in expected
    assert shown_states(hass, expected) == expected

    totals = {
        key: expected[key]
        for key in (
            ("sensor", f"{entry.entry_id}-entries"),
            ("sensor", f"{entry.entry_id}-exits"),
        )
    }
    hub.remove_instance(boxid, number)
    await async_poll(hass, freezer)

    assert (
        device_registry.async_get_device_by_identifier(
            (DOMAIN, f"{entry.entry_id}-{boxid}-{number}"), entry.entry_id
        )
        is None
    )
    registry = er.async_get(hass)
    assert (
        registry.async_get_entity_id(
            "sensor", DOMAIN, f"{entry.entry_id}-{boxid}-{number}-status"
        )
        is None
    )
    expected = expected_states(hub, entry)
    # The people who came through the side door did cross: the totals keep
    # them, where the hub's own sums drop them with the instance.
    expected.update(totals)
    assert shown_states(hass, expected) == expected
