"""End to end: Home Assistant and the integration against the hub simulator.

The simulator is a real HTTP server on 127.0.0.1; nothing of the integration
is mocked. Entities are found through the entity registry by unique id, so
the tests follow whatever BoxIDs the seeded hub draws.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
import socket
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import SOURCE_USER, ConfigEntry, ConfigEntryState
from homeassistant.const import CONF_HOST, CONF_PORT, STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import device_registry as dr
import pytest

from custom_components.vidigates.const import DOMAIN
from simulator import Hub, SimulatorServer

from .conftest import async_poll, entity_id, entry_states, record_state_writes, state_of

# A Monday noon: far from the hub's 23:00 daily reset.
START = datetime(2026, 1, 5, 12, 0, 0, tzinfo=UTC)

pytestmark = pytest.mark.usefixtures("socket_enabled", "quiet_access_log", "freezer")


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
    hub_id = entry.entry_id
    totals = {"in": 0, "out": 0}
    expected: dict[tuple[str, str], str] = {}
    for instance in snapshot["instances"]:
        prefix = f"{hub_id}-{instance['boxid']}-{instance['number']}"
        status, gate_type = instance["status"], instance["gate_type"]
        expected["sensor", f"{prefix}-status"] = status.replace("-", "_")
        expected["binary_sensor", f"{prefix}-problem"] = (
            "off" if status == "ok" else "on"
        )
        expected["select", f"{prefix}-gate_type"] = gate_type
        for gate in instance["gates"]:
            for way in ("in", "out"):
                expected["sensor", f"{prefix}-gate-{gate['id']}-{way}"] = str(gate[way])
                if gate_type in (way, "both"):
                    totals[way] += gate[way]
    return expected | {
        ("sensor", f"{hub_id}-occupancy"): str(current),
        ("sensor", f"{hub_id}-threshold"): str(threshold),
        ("sensor", f"{hub_id}-remaining_capacity"): str(max(threshold - current, 0)),
        ("sensor", f"{hub_id}-entries"): str(totals["in"]),
        ("sensor", f"{hub_id}-exits"): str(totals["out"]),
        ("binary_sensor", f"{hub_id}-limit_reached"): (
            "on" if snapshot["status"] == "ko" else "off"
        ),
    }


def assert_shown(hass: HomeAssistant, expected: dict[tuple[str, str], str]) -> None:
    """Home Assistant shows what ``expected`` says for each of its entities."""
    shown = {key: state_of(hass, entity_id(hass, *key)) for key in expected}
    assert shown == expected


async def test_setup_through_the_config_flow(
    hass: HomeAssistant, hub: Hub, server: SimulatorServer
) -> None:
    """A wrong port first, then the hub's pasted URL: the hub and its instances."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        free_port = sock.getsockname()[1]
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {CONF_HOST: f"http://127.0.0.1:{free_port}", CONF_PORT: 8080},
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
    assert_shown(hass, expected_states(hub, entry))
    devices = dr.async_entries_for_config_entry(dr.async_get(hass), entry.entry_id)
    assert sorted((d.serial_number or "hub", d.configuration_url) for d in devices) == [
        *sorted((str(boxid), None) for boxid, _number in hub.instances),
        ("hub", None),
    ]


async def test_people_flow_shows_after_a_poll(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, hub: Hub, entry: ConfigEntry
) -> None:
    """People come and go at the hub; each poll shows the hub as it is.

    A camera that stops capturing is a problem on its instance only; polls of
    a hub where nothing happens then write no state at all.
    """
    seen: set[str] = set()
    (boxid, number), (other_boxid, other_number) = list(hub.instances)[:2]
    for step in range(5):
        hub.advance(300)
        if step == 3:
            hub.set_status(boxid, number, "not-capturing")
        await async_poll(hass, freezer)
        expected = expected_states(hub, entry)
        assert_shown(hass, expected)
        seen.add(expected["sensor", f"{entry.entry_id}-occupancy"])
    # The seeded flow really moved people, so the comparison above meant something.
    assert len(seen) > 1
    assert int(expected["sensor", f"{entry.entry_id}-entries"]) > 0
    prefix = f"{entry.entry_id}-{boxid}-{number}"
    other = f"{entry.entry_id}-{other_boxid}-{other_number}-problem"
    assert (
        expected["sensor", f"{prefix}-status"],
        expected["binary_sensor", f"{prefix}-problem"],
        expected["binary_sensor", other],
    ) == ("not_capturing", "on", "off")

    writes = record_state_writes(hass)
    requests = sum(hub.requests.values())
    for _ in range(3):
        await async_poll(hass, freezer)
    assert sum(hub.requests.values()) == requests + 3
    assert writes == []


async def test_hub_switched_off_then_back(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    hub: Hub,
    *,
    server: SimulatorServer,
    entry: ConfigEntry,
) -> None:
    """A hub switched off makes every entity unavailable; back on its port, all return.

    (A hub that answers HTTP 500 or drops the connection, then recovers:
    test_faults.py's test_long_run_with_faults.)
    """
    port = server.port
    await server.close()
    await async_poll(hass, freezer)
    await async_poll(hass, freezer)
    assert set(entry_states(hass, entry).values()) == {STATE_UNAVAILABLE}

    hub.advance(120)
    async with SimulatorServer(hub, host="127.0.0.1", port=port):
        await async_poll(hass, freezer)
        assert_shown(hass, expected_states(hub, entry))
    assert entry.state is ConfigEntryState.LOADED
