"""Tests of polling: timing, writing only what changed, outages, hub changes.

Everything goes through Home Assistant (states, registries, the event bus)
with the hub faked over HTTP.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
import copy
from datetime import timedelta
from functools import partial
import logging
from typing import Any
from unittest.mock import patch

import aiohttp
from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import EVENT_STATE_CHANGED, STATE_UNAVAILABLE, Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)
from pytest_homeassistant_custom_component.test_util.aiohttp import AiohttpClientMocker

from custom_components.vidigates.const import DOMAIN
from custom_components.vidigates.coordinator import Wake

from .conftest import (
    SET_URL,
    async_poll,
    entry_states,
    record_state_writes,
    serve_instances,
    setup_integration,
    state_of,
    written_entity_ids,
)

HUB = "sensor.vidiaccess_hub_192_0_2_10"
LIMIT = "binary_sensor.vidiaccess_hub_192_0_2_10_limit_reached"
BOX = "sensor.box_52190"
OTHER_BOX = "sensor.box_74117"
LOGGER_NAME = "custom_components.vidigates"


@pytest.fixture
def read_only_platforms() -> Generator[None]:
    with patch(
        "custom_components.vidigates.PLATFORMS",
        [Platform.BINARY_SENSOR, Platform.SENSOR],
    ):
        yield


def problems(caplog: pytest.LogCaptureFixture, level: int = logging.ERROR) -> list[str]:
    """Messages at ``level`` or above from Home Assistant and the integration."""
    return [
        record.getMessage()
        for record in caplog.records
        if record.name.startswith(("homeassistant", LOGGER_NAME))
        and record.levelno >= level
    ]


def instance_device(
    device_registry: dr.DeviceRegistry, entry: MockConfigEntry, key: str
) -> dr.DeviceEntry | None:
    """The device of instance ``key`` ("boxid-number"), if registered."""
    return device_registry.async_get_device_by_identifier(
        (DOMAIN, f"{entry.entry_id}-{key}"), entry.entry_id
    )


# --- timing -------------------------------------------------------------------


async def test_polls_every_two_seconds(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    mock_config_entry: MockConfigEntry,
    mock_hub: AiohttpClientMocker,
) -> None:
    """A door sign needs the hub read every two seconds, not more often.

    Home Assistant starts polls on the whole second plus a random 0.05-0.5 s
    spread; set up on a whole second, the first poll is due 2.05-2.5 s later.
    """
    freezer.move_to("2026-01-05 12:00:00+00:00")
    await setup_integration(hass, mock_config_entry)
    calls = [mock_hub.call_count]
    # async_fire_time_changed looks 0.5 s ahead: 1 s + 0.5 s is still early.
    for _ in range(8):
        freezer.tick(timedelta(seconds=1))
        async_fire_time_changed(hass)
        await hass.async_block_till_done(wait_background_tasks=True)
        calls.append(mock_hub.call_count)
    assert calls == [1, 1, 2, 2, 3, 3, 4, 4, 5]


# --- write only what changed ----------------------------------------------------


OCCUPANCY = {f"{HUB}_occupancy", f"{HUB}_remaining_capacity", f"{HUB}_occupancy_ratio"}
BOX_GATES = {f"{BOX}_gate_{gate}_{way}" for gate in (1, 2) for way in ("in", "out")}
BOX_STATUS = {f"{BOX}_status", "binary_sensor.box_52190_problem"}


@pytest.mark.usefixtures("read_only_platforms", "init_integration")
@pytest.mark.parametrize(
    ("change", "written"),
    [
        # An "in" instance: its "out" crossings count nowhere else.
        ({("instances", 1, "gates", 1, "out"): 21}, {f"{BOX}_gate_2_out"}),
        (
            {("instances", 1, "gates", 1, "in"): 31, ("current",): 41},
            {f"{BOX}_gate_2_in", f"{HUB}_entries", *OCCUPANCY},
        ),
        (
            {("instances", 0, "gates", 0, "out"): 2, ("current",): 38},
            {f"{OTHER_BOX}_gate_1_out", f"{HUB}_exits", *OCCUPANCY},
        ),
        (
            {("threshold",): 40, ("status",): "ko"},
            {f"{HUB}_occupancy_limit", LIMIT, *OCCUPANCY} - {f"{HUB}_occupancy"},
        ),
        ({("instances", 1, "status"): "not-capturing"}, BOX_STATUS),
        # The hub's name for an instance names its device: the device's
        # entities show it in their names, once.
        ({("instances", 1, "name"): "Front door"}, BOX_STATUS | BOX_GATES),
    ],
    ids=["gate-out", "entry", "exit", "limit", "status", "renamed"],
)
async def test_a_poll_writes_only_what_changed(
    hass: HomeAssistant,
    *,
    aioclient_mock: AiohttpClientMocker,
    vendor_sample: dict[str, Any],
    freezer: FrozenDateTimeFactory,
    change: dict[tuple[str | int, ...], Any],
    written: set[str],
) -> None:
    for (*path, last), value in change.items():
        target: Any = vendor_sample
        for step in path:
            target = target[step]
        target[last] = value
    serve_instances(aioclient_mock, json=vendor_sample)
    writes = record_state_writes(hass)

    await async_poll(hass, freezer)
    await async_poll(hass, freezer)

    assert written_entity_ids(writes) == written
    assert len(writes) == len(written)
    assert all(event.event_type == EVENT_STATE_CHANGED for event in writes)


@pytest.mark.usefixtures("init_integration")
async def test_no_platform_writes_an_unchanged_state(
    hass: HomeAssistant,
    aioclient_mock: AiohttpClientMocker,
    vendor_sample: dict[str, Any],
    freezer: FrozenDateTimeFactory,
) -> None:
    """With every platform loaded, idle polls write nothing, busy ones only real
    changes."""
    writes = record_state_writes(hass)
    calls = aioclient_mock.call_count
    for _ in range(5):
        await async_poll(hass, freezer)
    assert aioclient_mock.call_count == calls + 5
    assert writes == []

    for step in range(1, 6):
        vendor_sample["current"] = 40 + step
        vendor_sample["instances"][1]["gates"][step % 2]["in"] += 1
        serve_instances(aioclient_mock, json=copy.deepcopy(vendor_sample))
        await async_poll(hass, freezer)

    assert writes
    for event in writes:
        assert event.event_type == EVENT_STATE_CHANGED, event
        old, new = event.data["old_state"], event.data["new_state"]
        assert (old.state, old.attributes) != (new.state, new.attributes), event
    assert f"{BOX}_gate_1_out" not in written_entity_ids(writes)
    assert f"{HUB}_exits" not in written_entity_ids(writes)


# --- freshness ------------------------------------------------------------------
# Outages of each kind, through a loaded entry: tests/test_bad_input.py.


async def test_a_write_while_reads_fail_shows_only_what_it_answered(
    hass: HomeAssistant,
    *,
    init_integration: MockConfigEntry,
    aioclient_mock: AiohttpClientMocker,
    vendor_sample: dict[str, Any],
    freezer: FrozenDateTimeFactory,
) -> None:
    """Reads fail, /set works: its answer shows; counters and instances do not.

    No entity shows, as available, a value older than the last failed read:
    the /set answer is newer for occupancy, limit and reset time (and what
    follows from them only), the last good read is not.
    """
    serve_instances(aioclient_mock, status=500, text="oops")
    await async_poll(hass, freezer)
    assert set(entry_states(hass, init_integration).values()) == {STATE_UNAVAILABLE}
    # The rest of an outage changes nothing to show: nothing is written.
    writes = record_state_writes(hass)
    await async_poll(hass, freezer)
    assert writes == []
    aioclient_mock.post(
        SET_URL,
        json={"current": 12, "threshold": 80, "reset_time": {"hour": 6, "minute": 30}},
    )

    await hass.services.async_call(
        DOMAIN,
        "set",
        {"config_entry_id": init_integration.entry_id, "threshold": 80},
        blocking=True,
    )

    fresh = {
        f"{HUB}_occupancy": "12",
        f"{HUB}_occupancy_limit": "80",
        f"{HUB}_remaining_capacity": "68",
        f"{HUB}_occupancy_ratio": "15.0",
        LIMIT: "off",
        "number.vidiaccess_hub_192_0_2_10_occupancy": "12",
        "number.vidiaccess_hub_192_0_2_10_occupancy_limit": "80",
        "time.vidiaccess_hub_192_0_2_10_daily_reset_time": "06:30:00",
        "switch.vidiaccess_hub_192_0_2_10_daily_reset": "on",
        # No value to be stale: pressing it sends a /set, which just worked.
        "button.vidiaccess_hub_192_0_2_10_reset_occupancy": "unknown",
    }
    states = entry_states(hass, init_integration)
    assert f"{HUB}_entries" in states
    assert states == {
        entity_id: fresh.get(entity_id, STATE_UNAVAILABLE) for entity_id in states
    }

    # A failed read after the answer makes the answer old too; the next, nothing.
    await async_poll(hass, freezer)
    assert set(entry_states(hass, init_integration).values()) == {STATE_UNAVAILABLE}
    writes.clear()
    await async_poll(hass, freezer)
    assert writes == []

    serve_instances(aioclient_mock, json=vendor_sample)
    await async_poll(hass, freezer)
    states = entry_states(hass, init_integration)
    assert (states[f"{HUB}_entries"], states[f"{BOX}_gate_1_in"]) == ("40", "10")
    assert states[f"{HUB}_occupancy_limit"] == "50"


# --- the hub's structure changes --------------------------------------------------


async def test_instances_come_and_go(
    hass: HomeAssistant,
    *,
    init_integration: MockConfigEntry,
    aioclient_mock: AiohttpClientMocker,
    vendor_sample: dict[str, Any],
    device_registry: dr.DeviceRegistry,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """An instance added at the hub appears without a reload; one the hub stops
    listing goes with its device and entities."""
    hub = device_registry.async_get_device_by_identifier(
        (DOMAIN, init_integration.entry_id), init_integration.entry_id
    )
    assert hub is not None
    writes = record_state_writes(hass)
    payload = copy.deepcopy(vendor_sample)
    payload["instances"][0] = {  # instead of box 74117
        "boxid": 11111,
        "number": 0,
        "name": "Side door",
        "host": "192.0.2.50",
        "gate_type": "both",
        "status": "ok",
        "gates": [{"id": 1, "in": 3, "out": 1}],
    }
    serve_instances(aioclient_mock, json=payload)

    await async_poll(hass, freezer)

    device = instance_device(device_registry, init_integration, "11111-0")
    assert device is not None
    assert (device.name, device.serial_number, device.via_device_id) == (
        "Side door",
        "11111",
        hub.id,
    )
    states = entry_states(hass, init_integration)
    assert {k: v for k, v in states.items() if "side_door" in k} == {
        "sensor.side_door_status": "ok",
        "binary_sensor.side_door_problem": "off",
        "sensor.side_door_gate_1_in": "3",
        "sensor.side_door_gate_1_out": "1",
        "select.side_door_gate_type": "both",
    }
    # The hub's totals moved; the other instance's entities were left alone.
    assert not any("box_52190" in entity_id for entity_id in written_entity_ids(writes))
    assert states[f"{BOX}_gate_1_in"] == "10"
    assert instance_device(device_registry, init_integration, "74117-1") is None
    assert not any("74117" in entity_id for entity_id in states)
    assert not [s.entity_id for s in hass.states.async_all() if "74117" in s.entity_id]
    # Removed the way this version of Home Assistant supports, not a deprecated one.
    assert not problems(caplog, logging.WARNING)
    assert init_integration.state is ConfigEntryState.LOADED

    # The hub comes back from an outage changed: the new instance gone, the
    # old one back, whole.
    serve_instances(aioclient_mock, exc=aiohttp.ClientConnectionError())
    await async_poll(hass, freezer)
    assert state_of(hass, "sensor.side_door_gate_1_in") == STATE_UNAVAILABLE
    serve_instances(aioclient_mock, json=vendor_sample | {"current": 12})
    await async_poll(hass, freezer)

    assert instance_device(device_registry, init_integration, "11111-0") is None
    assert hass.states.get("sensor.side_door_gate_1_in") is None
    states = entry_states(hass, init_integration)
    assert not any("side_door" in entity_id for entity_id in states)
    assert {k: v for k, v in states.items() if "box_74117" in k} == {
        f"{OTHER_BOX}_status": "restricted",
        f"{OTHER_BOX}_gate_1_in": "0",
        f"{OTHER_BOX}_gate_1_out": "0",
        "binary_sensor.box_74117_problem": "on",
        "select.box_74117_gate_type": "both",
    }
    assert (states[f"{HUB}_occupancy"], states[f"{BOX}_gate_1_in"]) == ("12", "10")
    assert len(problems(caplog)) == 1  # the outage, and nothing else


async def test_gates_drawn_and_deleted(
    hass: HomeAssistant,
    *,
    init_integration: MockConfigEntry,
    aioclient_mock: AiohttpClientMocker,
    vendor_sample: dict[str, Any],
    entity_registry: er.EntityRegistry,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """New gates (two in one poll) get in and out sensors; a deleted gate shows
    as unavailable, and redrawn, counts again with the sensors it had."""
    before = entry_states(hass, init_integration)
    payload = copy.deepcopy(vendor_sample)
    removed = payload["instances"][1]["gates"].pop()
    payload["instances"][0]["gates"].append({"id": 2, "in": 1, "out": 0})
    payload["instances"][1]["gates"].append({"id": 3, "in": 4, "out": 2})
    serve_instances(aioclient_mock, json=payload)
    await async_poll(hass, freezer)

    new = {
        f"{OTHER_BOX}_gate_2_in": "1",
        f"{OTHER_BOX}_gate_2_out": "0",
        f"{BOX}_gate_3_in": "4",
        f"{BOX}_gate_3_out": "2",
    }
    gone = dict.fromkeys([f"{BOX}_gate_2_in", f"{BOX}_gate_2_out"], STATE_UNAVAILABLE)
    states = entry_states(hass, init_integration)
    assert {k: v for k, v in states.items() if "_gate_" in k} == {
        k: v for k, v in before.items() if "_gate_" in k
    } | new | gone
    gate_3 = entity_registry.async_get(f"{BOX}_gate_3_in")
    box = entity_registry.async_get(f"{BOX}_gate_1_in")
    assert gate_3 is not None
    assert box is not None
    assert gate_3.unique_id == f"{init_integration.entry_id}-52190-0-gate-3-in"
    assert gate_3.device_id == box.device_id

    payload["instances"][1]["gates"].append({**removed, "in": 0, "out": 0})
    serve_instances(aioclient_mock, json=payload)
    await async_poll(hass, freezer)

    states = entry_states(hass, init_integration)
    assert (states[f"{BOX}_gate_2_in"], states[f"{BOX}_gate_2_out"]) == ("0", "0")
    assert states.keys() == before.keys() | new.keys()
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


# --- waking listeners -----------------------------------------------------------


async def test_listeners_wake_once(
    hass: HomeAssistant,
    *,
    aioclient_mock: AiohttpClientMocker,
    vendor_sample: dict[str, Any],
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """As in Home Assistant, a call wakes every listener, changed data or not;
    after a poll, a listener of two changed contexts runs once."""
    coordinator = init_integration.runtime_data
    woken: list[str] = []
    for name, context in (
        ("hub", Wake.HUB),
        ("instance", (52190, 0)),
        ("structure", Wake.STRUCTURE),
    ):
        init_integration.async_on_unload(
            coordinator.async_add_listener(partial(woken.append, name), context)
        )
    both = partial(woken.append, "both")
    for context in (Wake.HUB, (52190, 0)):
        init_integration.async_on_unload(coordinator.async_add_listener(both, context))
    writes = record_state_writes(hass)

    coordinator.async_update_listeners()
    await hass.async_block_till_done()

    assert sorted(woken) == ["both", "both", "hub", "instance", "structure"]
    # Each entity writes only what changed: nothing did.
    assert not writes

    woken.clear()
    vendor_sample["current"] += 1
    vendor_sample["threshold"] += 1
    for instance in vendor_sample["instances"]:
        instance["status"] = "unstable"
    serve_instances(aioclient_mock, json=vendor_sample)

    await async_poll(hass, freezer)

    assert sorted(woken) == ["both", "hub", "instance"]


async def test_the_tally_is_woken_by_counters_and_gate_types_only(
    hass: HomeAssistant,
    *,
    aioclient_mock: AiohttpClientMocker,
    vendor_sample: dict[str, Any],
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Occupancy, names and statuses do not wake the entries and exits tally."""
    coordinator = init_integration.runtime_data
    woken: list[None] = []
    init_integration.async_on_unload(
        coordinator.async_add_listener(partial(woken.append, None), Wake.COUNTERS)
    )
    payload = copy.deepcopy(vendor_sample)
    box = payload["instances"][1]
    changes: list[tuple[Callable[[], object], bool]] = [
        (lambda: payload.update(current=41), False),
        (lambda: box.update(status="unstable", name="Door"), False),
        (lambda: box.update(gate_type="both"), True),
        (lambda: box["gates"][0].update({"out": 31}), True),
        (box["gates"].pop, True),
    ]
    for change, wakes in changes:
        change()
        serve_instances(aioclient_mock, json=copy.deepcopy(payload))
        woken.clear()

        await async_poll(hass, freezer)

        assert bool(woken) is wakes, change
