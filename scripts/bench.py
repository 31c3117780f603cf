"""What one poll of a VidiAccess hub costs Home Assistant, against the alternatives.

A measurement, never a test: it prints tables and which targets were met, and
fails only when it cannot run. ``scripts/bench`` sets up ``.venv`` and runs it;
the README's *Benchmark* section and docs/benchmark.md describe the method.

Four contenders show the same hub in the test harness's Home Assistant:
``vidigates`` (this integration, from a config entry), ``rest`` (a ``rest:``
resource with one template sensor per value, what users build today),
``floor`` (the entity floor: the minimum's GET and parse, and one plain entity
per value, written only when its value changed; the targets' yardstick) and
``minimum`` (one GET, one parse, one ``hass.states.async_set`` per changed
value). Each has its own hub, the simulator (``python -m simulator``) in a
process of its own, so that serving is not Home Assistant's CPU time.
"""

from __future__ import annotations

import argparse
import asyncio
from collections import Counter
from collections.abc import (
    AsyncIterator,
    Awaitable,
    Callable,
    Iterable,
    Iterator,
    Mapping,
    Sequence,
)
import contextlib
from dataclasses import dataclass, field
from datetime import datetime
import functools
import gc
import inspect
import json
import logging
import os
from pathlib import Path
import platform
import re
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from typing import Any, Final, Protocol
from unittest.mock import AsyncMock, patch
from urllib.request import Request, urlopen

ROOT: Final = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    # The integration is imported as custom_components.vidigates, from the
    # repository root, like the tests do.
    sys.path.insert(0, str(ROOT))

# Imports below need the repository root on sys.path; the integration first,
# as in tests/conftest.py.
# ruff: noqa: E402
import custom_components.vidigates  # noqa: F401  # isort: skip

from aiohttp.resolver import AsyncResolver
from homeassistant import loader
from homeassistant.components.binary_sensor import BinarySensorEntity
from homeassistant.components.http.server import HomeAssistantHTTP
from homeassistant.components.logbook.helpers import async_determine_event_types
from homeassistant.components.logbook.processor import EventProcessor
from homeassistant.components.sensor import SensorEntity, SensorStateClass
from homeassistant.const import (
    CONF_HOST,
    CONF_PORT,
    EVENT_STATE_CHANGED,
    EVENT_STATE_REPORTED,
    __version__ as ha_version,
)
from homeassistant.core import HomeAssistant, StateMachine, callback
from homeassistant.helpers import frame, recorder as recorder_helper, translation
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.entity import Entity
from homeassistant.helpers.entity_platform import EntityPlatform
from homeassistant.helpers.recorder import get_instance as get_recorder
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator
from homeassistant.runner import create_event_loop
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util, slugify
import orjson
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_test_home_assistant,
)

from custom_components.vidigates import api, coordinator as vidigates_coordinator
from custom_components.vidigates.const import DOMAIN, SCAN_INTERVAL
from simulator import PATH_INSTANCES, PATH_SET

SIZES: Final = (1, 10, 50)
GATES_PER_INSTANCE: Final = 4
BUSY_SHARE: Final = 0.10
SEED: Final = 20260
# Where a benchmark hub starts: people inside per instance, and a limit twice
# that, so that busy polls move the occupancy ratio but never reach the limit.
OCCUPANCY_PER_INSTANCE: Final = 100

# Who shares a Home Assistant, polls interleaved. rest's polls are tens of
# times heavier: its garbage and its cache misses would land on whoever polls
# next, and weigh on the lightest most, so it runs in one of its own.
ARENAS: Final[tuple[tuple[str, ...], ...]] = (
    ("vidigates", "floor", "minimum"),
    ("rest",),
)

TARGET_VS_REST: Final = 30.0
TARGET_BUSY_VS_FLOOR: Final = 1.25
TARGET_IDLE_VS_FLOOR: Final = 1.1
WORKLOADS: Final = ("idle", "busy", "set")

# The recorder and logbook figure: a one-instance hub whose visitors come and
# go (the simulator's flow: 0.2 arrivals a second, four minutes' stay), polled
# at the integration's interval; a limit the flow never reaches.
RECORD_INSTANCES: Final = 1
RECORD_THRESHOLD: Final = 100
CROSSINGS: Final = 1000


# --- the hub, in its own process ------------------------------------------------


class HubProcess:
    """The simulator in its own process (``python -m simulator``), time frozen."""

    def __init__(
        self, instances: int, *, threshold: int, reset_time: str = "23:00"
    ) -> None:
        """Start the process; :meth:`wait_ready` reads its address."""
        self._process = subprocess.Popen(  # noqa: S603 - our own simulator
            [
                sys.executable,
                "-m",
                "simulator",
                *("--port", "0", "--seed", str(SEED), "--instances", str(instances)),
                *("--gates", str(GATES_PER_INSTANCE), "--threshold", str(threshold)),
                *("--reset-time", reset_time, "--unstable-seconds", "0"),
                *("--no-real-time", "--quiet"),
            ],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            text=True,
        )
        self.port = 0
        self.base_url = ""

    def wait_ready(self) -> None:
        """Read the address the simulator prints first."""
        line = self._process.stdout.readline() if self._process.stdout else ""
        prefix = "VidiAccess simulator listening on "
        if not line.startswith(prefix):
            self.close()
            msg = f"the simulator did not start: {line!r}"
            raise RuntimeError(msg)
        self.base_url = line.removeprefix(prefix).strip()
        self.port = int(self.base_url.rsplit(":", 1)[1])

    def call(self, path: str, body: Any = None) -> Any:
        """GET ``path``, or POST ``body`` to it; blocking, never in a timed section."""
        request = Request(  # noqa: S310 - loopback, our own process
            self.base_url + path,
            data=None if body is None else json.dumps(body).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urlopen(request, timeout=10) as response:  # noqa: S310
            return json.load(response)

    def churn(self, share: float) -> tuple[int, int]:
        """Change ``share`` of the values before every GET; (changed, of how many)."""
        shape = self.call("/_sim/churn", {"share": share})
        return shape["changed_per_get"], shape["primary_values"]

    def close(self) -> None:
        """Stop the process."""
        self._process.terminate()
        self._process.wait(timeout=10)


@contextlib.contextmanager
def hubs(names: Sequence[str], size: int) -> Iterator[dict[str, HubProcess]]:
    """A fresh hub of ``size`` instances per contender, all from the same seed."""
    threshold = 2 * OCCUPANCY_PER_INSTANCE * size
    started = {name: HubProcess(size, threshold=threshold) for name in names}
    try:
        for hub in started.values():
            hub.wait_ready()
            hub.call(PATH_SET, {"occupancy": OCCUPANCY_PER_INSTANCE * size})
        yield started
    finally:
        for hub in started.values():
            hub.close()


# --- the contenders ---------------------------------------------------------


async def set_up_component(hass: HomeAssistant, domain: str, config: Any) -> None:
    """Set up one of Home Assistant's integrations, or fail."""
    if not await async_setup_component(hass, domain, {domain: config}):
        msg = f"{domain} did not set up"
        raise RuntimeError(msg)


class Contender(Protocol):
    """One way of showing the hub's values in Home Assistant."""

    async def async_setup(self) -> None:
        """Set up everything, including the first read of the hub."""

    async def async_poll(self) -> None:
        """Read the hub once and show what changed."""

    async def async_set_occupancy(self, value: int) -> None:
        """Set the hub's occupancy and show the result."""


class VidiGates:
    """This integration, from a config entry."""

    def __init__(self, hass: HomeAssistant, hub: HubProcess) -> None:
        """Prepare a config entry for the hub."""
        self._hass = hass
        self._entry = MockConfigEntry(
            domain=DOMAIN,
            title=f"VidiAccess hub 127.0.0.1:{hub.port}",
            data={CONF_HOST: "127.0.0.1", CONF_PORT: hub.port},
        )

    async def async_setup(self) -> None:
        """Add and set up the config entry."""
        self._entry.add_to_hass(self._hass)
        if not await self._hass.config_entries.async_setup(self._entry.entry_id):
            msg = f"vidigates did not set up: {self._entry.state}"
            raise RuntimeError(msg)

    async def async_poll(self) -> None:
        """One poll, as the coordinator's timer runs it."""
        await self._entry.runtime_data.async_refresh()

    async def async_set_occupancy(self, value: int) -> None:
        """Call the integration's ``vidigates.set`` action."""
        await self._hass.services.async_call(
            DOMAIN,
            "set",
            {"config_entry_id": self._entry.entry_id, "occupancy": value},
            blocking=True,
        )


@dataclass(frozen=True, slots=True)
class Value:
    """One value shown as one entity, described once for every contender."""

    platform: str
    name: str
    template: str
    """How a ``rest`` user reads it from ``value_json``."""
    unit: str | None = None
    state_class: str | None = None

    @property
    def object_id(self) -> str:
        """The object id of its entity (``rest`` and ``minimum`` name it so)."""
        return slugify(self.name)


PEOPLE: Final = "people"


def _jinja(expression: str) -> str:
    return "{{ " + expression + " }}"


def hub_values(answer: dict[str, Any]) -> list[Value]:
    """List every value the integration shows, as a ``rest`` user would write it.

    The same values in the same order as :func:`minimum_values` computes them.
    """
    count, total = (PEOPLE, "measurement"), (PEOPLE, "total_increasing")
    c, t = "value_json.current", "value_json.threshold"
    summed = (
        "value_json.instances | rejectattr('gate_type', 'eq', '{}')"
        " | map(attribute='gates') | map('sum', attribute='{}') | sum"
    )
    ratio = f"({c} * 100 / t) | round(1) if t > 0 else none"
    reset = "'%02d:%02d:00' % (r.hour, r.minute) if r else none"
    values = [
        Value("sensor", "Hub occupancy", _jinja(c), *count),
        Value("sensor", "Hub limit", _jinja(t), *count),
        Value(
            "sensor", "Hub remaining capacity", _jinja(f"[{t} - {c}, 0] | max"), *count
        ),
        Value(
            "sensor",
            "Hub occupancy ratio",
            f"{{% set t = {t} %}}" + _jinja(ratio),
            "%",
            "measurement",
        ),
        Value("sensor", "Hub entries", _jinja(summed.format("out", "in")), *total),
        Value("sensor", "Hub exits", _jinja(summed.format("in", "out")), *total),
        Value(
            "binary_sensor", "Hub limit reached", _jinja("value_json.status == 'ko'")
        ),
        # What the integration's controls show (its occupancy and limit
        # numbers, daily reset time and switch), read-only here.
        Value("sensor", "Hub occupancy setting", _jinja(c), PEOPLE),
        Value("sensor", "Hub limit setting", _jinja(t), PEOPLE),
        Value(
            "sensor",
            "Hub reset time",
            "{% set r = value_json.reset_time %}" + _jinja(reset),
        ),
        Value(
            "binary_sensor",
            "Hub daily reset",
            _jinja("value_json.reset_time is not none"),
        ),
    ]
    for index, instance in enumerate(answer["instances"]):
        name, path = instance["name"], f"value_json.instances[{index}]"
        values += [
            Value(
                "sensor", f"{name} status", _jinja(f"{path}.status | replace('-', '_')")
            ),
            Value("binary_sensor", f"{name} problem", _jinja(f"{path}.status != 'ok'")),
            Value("sensor", f"{name} gate type", _jinja(f"{path}.gate_type")),
        ]
        values += [
            Value(
                "sensor",
                f"{name} gate {gate['id']} {side}",
                _jinja(f"{path}.gates[{number}]['{side}']"),
                *total,
            )
            for number, gate in enumerate(instance["gates"])
            for side in ("in", "out")
        ]
    return values


def minimum_values(data: dict[str, Any]) -> list[Any]:
    """Compute every value, in :func:`hub_values`' order, with no checks at all."""
    current = data["current"]
    threshold = data["threshold"]
    entries = exits = 0
    per_instance: list[Any] = []
    append = per_instance.append
    for instance in data["instances"]:
        status = instance["status"].replace("-", "_")
        gate_type = instance["gate_type"]
        append(status)
        append("off" if status == "ok" else "on")
        append(gate_type)
        for gate in instance["gates"]:
            crossings_in = gate["in"]
            crossings_out = gate["out"]
            append(crossings_in)
            append(crossings_out)
            if gate_type != "out":
                entries += crossings_in
            if gate_type != "in":
                exits += crossings_out
    reset_time = data["reset_time"]
    return [
        current,
        threshold,
        max(threshold - current, 0),
        round(current * 100 / threshold, 1) if threshold > 0 else None,
        entries,
        exits,
        "on" if data["status"] == "ko" else "off",
        current,
        threshold,
        None
        if reset_time is None
        else f"{reset_time['hour']:02d}:{reset_time['minute']:02d}:00",
        "off" if reset_time is None else "on",
        *per_instance,
    ]


class RestTemplates:
    """Home Assistant's ``rest`` integration with one template sensor per value."""

    def __init__(self, hass: HomeAssistant, hub: HubProcess) -> None:
        """Nothing is set up yet."""
        self._hass = hass
        self._hub = hub
        self._coordinator: DataUpdateCoordinator[None] | None = None

    async def async_setup(self) -> None:
        """Set up ``rest`` and ``rest_command`` from generated YAML."""
        hub = self._hub
        platforms: dict[str, list[dict[str, Any]]] = {"sensor": [], "binary_sensor": []}
        for value in hub_values(hub.call(PATH_INSTANCES)):
            conf: dict[str, Any] = {
                "name": value.name,
                "unique_id": f"bench-{hub.port}-{value.object_id}",
                "value_template": value.template,
            }
            if value.unit is not None:
                conf["unit_of_measurement"] = value.unit
            if value.state_class is not None:
                conf["state_class"] = value.state_class
            platforms[value.platform].append(conf)
        resource = {
            "resource": hub.base_url + PATH_INSTANCES,
            # Polls are driven by the benchmark, never by the timer.
            "scan_interval": 3600,
            "timeout": 10,
            **platforms,
        }
        await set_up_component(self._hass, "rest", [resource])
        command = {
            "url": hub.base_url + PATH_SET,
            "method": "post",
            "content_type": "application/json",
            "payload": '{"occupancy": {{ occupancy }}}',
        }
        await set_up_component(self._hass, "rest_command", {"vidigates_set": command})
        await self._hass.async_block_till_done()
        self._coordinator = self._hass.data["rest"]["coordinator"][0]

    async def async_poll(self) -> None:
        """One refresh of the resource, as its timer runs it."""
        assert self._coordinator is not None  # noqa: S101 - set up first
        await self._coordinator.async_refresh()

    async def async_set_occupancy(self, value: int) -> None:
        """``rest_command``, then a refresh of the resource.

        ``homeassistant.update_entity`` would do the same refresh through the
        coordinator's debouncer, which holds back a second call for 10 s.
        """
        await self._hass.services.async_call(
            "rest_command", "vidigates_set", {"occupancy": value}, blocking=True
        )
        await self.async_poll()


class Minimum:
    """One GET, one parse, one ``async_set`` per changed value: nothing else.

    Each step is a method of its own, so that the breakdown can time it.
    """

    def __init__(self, hass: HomeAssistant, hub: HubProcess) -> None:
        """Nothing is set up yet."""
        self._hass = hass
        self._url = hub.base_url + PATH_INSTANCES
        self._set_url = hub.base_url + PATH_SET
        self._last: list[Any] = []
        self._entity_ids: list[str] = []
        self._attributes: list[dict[str, Any]] = []

    async def async_setup(self) -> None:
        """Read the hub once, describe every value once, show everything."""
        data = self._decode(await self._get())
        self._last = self._read(data)
        await self._async_add(hub_values(data), self._last)

    async def _async_add(self, values: Sequence[Value], shown: Sequence[Any]) -> None:
        for value in values:
            self._entity_ids.append(f"{value.platform}.minimum_{value.object_id}")
            attributes: dict[str, Any] = {"friendly_name": value.name}
            if value.unit is not None:
                attributes["unit_of_measurement"] = value.unit
            if value.state_class is not None:
                attributes["state_class"] = value.state_class
            self._attributes.append(attributes)
        for index, value in enumerate(shown):
            self._write(index, value)

    async def _get(self) -> bytes:
        async with async_get_clientsession(self._hass).get(self._url) as response:
            return await response.read()

    def _decode(self, raw: bytes) -> Any:
        return orjson.loads(raw)

    def _read(self, data: Any) -> list[Any]:
        return minimum_values(data)

    def _show(self, values: Sequence[Any]) -> None:
        last, write = self._last, self._write
        for index, value in enumerate(values):
            if value != last[index]:
                last[index] = value
                write(index, value)

    def _write(self, index: int, value: Any) -> None:
        self._hass.states.async_set(
            self._entity_ids[index],
            "unknown" if value is None else str(value),
            self._attributes[index],
        )

    async def async_poll(self) -> None:
        """GET, parse, write what changed."""
        self._show(self._read(self._decode(await self._get())))

    async def async_set_occupancy(self, value: int) -> None:
        """POST, parse, write the hub values that changed."""
        session = async_get_clientsession(self._hass)
        async with session.post(self._set_url, json={"occupancy": value}) as response:
            answer = orjson.loads(await response.read())
        current, threshold = answer["current"], answer["threshold"]
        values = list(self._last)
        values[0:4] = [
            current,
            threshold,
            max(threshold - current, 0),
            round(current * 100 / threshold, 1) if threshold > 0 else None,
        ]
        values[6] = "on" if current >= threshold else "off"
        values[7:9] = [current, threshold]
        self._show(values)


class FloorSensor(SensorEntity):
    """A value as a plain sensor entity: a name, a unit, a state class."""

    _attr_should_poll = False

    def __init__(self, value: Value, unique_id: str, shown: Any) -> None:
        """Describe the entity once; nothing is computed per write."""
        self.entity_id = f"sensor.floor_{value.object_id}"
        self._attr_name = value.name
        self._attr_unique_id = unique_id
        self._attr_native_unit_of_measurement = value.unit
        if value.state_class is not None:
            self._attr_state_class = SensorStateClass(value.state_class)
        self._attr_native_value = shown

    def show(self, value: Any) -> None:
        """Write the new value."""
        self._attr_native_value = value
        self.async_write_ha_state()


class FloorBinarySensor(BinarySensorEntity):
    """A value as a plain binary sensor entity."""

    _attr_should_poll = False

    def __init__(self, value: Value, unique_id: str, shown: Any) -> None:
        """Describe the entity once; nothing is computed per write."""
        self.entity_id = f"binary_sensor.floor_{value.object_id}"
        self._attr_name = value.name
        self._attr_unique_id = unique_id
        self._attr_is_on = shown == "on"

    def show(self, value: Any) -> None:
        """Write the new value."""
        self._attr_is_on = value == "on"
        self.async_write_ha_state()


class EntityFloor(Minimum):
    """The minimum's GET and parse; an entity's write per changed value.

    The entities are added through Home Assistant's entity platforms (one per
    entity domain, as an integration's platforms are), with unique ids, so
    registry entries and all.
    """

    def __init__(self, hass: HomeAssistant, hub: HubProcess) -> None:
        """Nothing is set up yet."""
        super().__init__(hass, hub)
        self._unique_prefix = f"floor-{hub.port}"
        self._entities: list[FloorSensor | FloorBinarySensor] = []

    async def _async_add(self, values: Sequence[Value], shown: Sequence[Any]) -> None:
        by_domain: dict[str, list[Entity]] = {"sensor": [], "binary_sensor": []}
        for index, (value, state) in enumerate(zip(values, shown, strict=True)):
            kind = FloorSensor if value.platform == "sensor" else FloorBinarySensor
            entity = kind(value, f"{self._unique_prefix}-{index}", state)
            self._entities.append(entity)
            by_domain[value.platform].append(entity)
        for domain, entities in by_domain.items():
            await set_up_component(self._hass, domain, {})
            platform = EntityPlatform(
                hass=self._hass,
                logger=logging.getLogger(__name__),
                domain=domain,
                platform_name="entity_floor",
                platform=None,
                scan_interval=SCAN_INTERVAL,
                entity_namespace=None,
            )
            await platform.async_add_entities(entities)

    def _write(self, index: int, value: Any) -> None:
        self._entities[index].show(value)


CONTENDERS: Final[dict[str, Callable[[HomeAssistant, HubProcess], Contender]]] = {
    "vidigates": VidiGates,
    "rest": RestTemplates,
    "floor": EntityFloor,
    "minimum": Minimum,
}


# --- measuring ----------------------------------------------------------------


class WriteCounter:
    """Counts state writes: ``state_changed`` and ``state_reported`` events."""

    def __init__(self, hass: HomeAssistant) -> None:
        """Count in event filters: they see every event and cost the least."""
        self.count = 0

        @callback
        def _count(event_data: Any) -> bool:
            self.count += 1
            return False

        @callback
        def _never(event: Any) -> None:
            """Never called: the filter says no."""

        hass.bus.async_listen(EVENT_STATE_CHANGED, _never, event_filter=_count)
        hass.bus.async_listen(EVENT_STATE_REPORTED, _never, event_filter=_count)


@contextlib.contextmanager
def step_meter() -> Iterator[list[float]]:
    """Time every event-loop step (every ``asyncio.Handle`` run) while inside.

    Yields a one-element list holding the longest step's CPU seconds so far;
    the caller resets it. CPU time, not wall time: on a machine shared with
    other work, a step's wall time also counts the time others had the CPU.
    """
    longest = [0.0]
    original = asyncio.events.Handle._run  # noqa: SLF001
    clock = time.thread_time

    def _run(handle: asyncio.Handle) -> None:
        start = clock()
        original(handle)
        elapsed = clock() - start
        longest[0] = max(longest[0], elapsed)

    asyncio.events.Handle._run = _run  # type: ignore[method-assign,assignment]  # noqa: SLF001
    try:
        yield longest
    finally:
        asyncio.events.Handle._run = original  # type: ignore[method-assign]  # noqa: SLF001


@dataclass(slots=True)
class Figures:
    """What one workload cost one contender, per poll."""

    cpu_ms: float | None = None
    writes: float | None = None
    step_ms: float | None = None
    step_max_ms: float | None = None


@dataclass(slots=True)
class Setup:
    """What setting up one contender cost."""

    entities: int = 0
    setup_ms: float = 0.0
    memory_kib: float | None = None


@dataclass(slots=True)
class Records:
    """What 1 000 crossings leave in the recorder and the logbook."""

    crossings: int
    polls: int
    rows: Counter[str]
    """State rows by entity id."""
    entries: Counter[str]
    """Logbook entries by entity id."""


@dataclass(slots=True)
class Results:
    """Everything measured, by size, contender and workload."""

    setups: dict[tuple[int, str], Setup] = field(default_factory=dict)
    figures: dict[tuple[int, str, str], Figures] = field(default_factory=dict)
    changed: dict[int, tuple[int, int]] = field(default_factory=dict)
    breakdown: dict[str, dict[str, float]] = field(default_factory=dict)
    records: dict[str, Records] = field(default_factory=dict)

    def cpu_ms(self, size: int, name: str, workload: str) -> float | None:
        """The CPU ms of one poll of ``name``, or None if not measured."""
        return self.figures.get((size, name, workload), Figures()).cpu_ms


@dataclass(frozen=True, slots=True)
class Plan:
    """How many times to do what."""

    polls: int = 200
    warmup: int = 20
    step_polls: int = 40
    sets: int = 60


def _resolver() -> AsyncResolver:
    resolver = AsyncResolver()
    # Home Assistant closes the resolver it made through this name.
    resolver.real_close = resolver.close  # type: ignore[attr-defined]
    return resolver


@contextlib.asynccontextmanager
async def home_assistant() -> AsyncIterator[HomeAssistant]:
    """A fresh Home Assistant from the test harness, with custom integrations."""
    # Like the harness's pytest plugin: no zeroconf resolver (it needs the
    # network integration); loopback addresses are never resolved anyway.
    with patch(
        "homeassistant.helpers.aiohttp_client._async_make_resolver",
        side_effect=lambda hass: _resolver(),
    ):
        async with async_test_home_assistant(asyncio.get_running_loop()) as hass:
            hass.data.pop(loader.DATA_CUSTOM_COMPONENTS)
            frame.async_setup(hass)
            await translation.async_load_integrations(hass, {"homeassistant"})
            try:
                yield hass
            finally:
                await hass.async_stop(force=True)


async def set_up(
    hass: HomeAssistant, hubs: Mapping[str, HubProcess]
) -> dict[str, Contender]:
    """Set up one contender per hub, each on its own hub."""
    contenders = {name: CONTENDERS[name](hass, hub) for name, hub in hubs.items()}
    for contender in contenders.values():
        await contender.async_setup()
        await hass.async_block_till_done()
    return contenders


type Action = Callable[[], Awaitable[None]]


async def measure_side_by_side(
    hass: HomeAssistant,
    counter: WriteCounter,
    actions: Mapping[str, Action],
    rounds: int,
    plan: Plan,
) -> dict[str, Figures]:
    """Run every contender's action in turn, ``rounds`` times, after a warm-up."""
    names = list(actions)

    def each_in_turn(count: int) -> Iterator[str]:
        for round_index in range(count):
            # Rotate, so that nobody always runs right after the same one.
            shift = round_index % len(names)
            yield from names[shift:] + names[:shift]

    for name in each_in_turn(plan.warmup):
        await actions[name]()
        await hass.async_block_till_done()
    gc.collect()

    cpu: dict[str, list[float]] = {name: [] for name in names}
    writes: dict[str, list[int]] = {name: [] for name in names}
    clock = time.process_time
    for name in each_in_turn(rounds):
        counter.count = 0
        start = clock()
        await actions[name]()
        await hass.async_block_till_done()
        cpu[name].append(clock() - start)
        writes[name].append(counter.count)

    steps: dict[str, list[float]] = {name: [] for name in names}
    with step_meter() as longest:
        for name in each_in_turn(plan.step_polls):
            longest[0] = 0.0
            await actions[name]()
            await hass.async_block_till_done()
            steps[name].append(longest[0])

    return {
        name: Figures(
            cpu_ms=statistics.median(cpu[name]) * 1000,
            writes=statistics.mean(writes[name]),
            step_ms=statistics.median(steps[name]) * 1000,
            step_max_ms=max(steps[name]) * 1000,
        )
        for name in names
    }


async def _set_next(contender: Contender, values: Iterator[int]) -> None:
    await contender.async_set_occupancy(next(values))


def _occupancies() -> Iterator[int]:
    value = 0
    while True:
        value = value % 7 + 1
        yield value + 2


async def run_side_by_side(
    names: Sequence[str], size: int, plan: Plan, results: Results
) -> None:
    """Set every contender up in one Home Assistant, then run the workloads."""
    with hubs(names, size) as processes:
        async with home_assistant() as hass:
            counter = WriteCounter(hass)
            contenders = await set_up(hass, processes)
            polls = {name: c.async_poll for name, c in contenders.items()}
            for workload in ("idle", "busy"):
                if workload == "busy":
                    for hub in processes.values():
                        results.changed[size] = hub.churn(BUSY_SHARE)
                figures = await measure_side_by_side(
                    hass, counter, polls, plan.polls, plan
                )
                for name, figure in figures.items():
                    results.figures[(size, name, workload)] = figure

            for hub in processes.values():
                hub.churn(0)
            sets: dict[str, Action] = {
                name: functools.partial(_set_next, contender, _occupancies())
                for name, contender in contenders.items()
            }
            set_plan = Plan(warmup=5, step_polls=plan.step_polls)
            figures = await measure_side_by_side(
                hass, counter, sets, plan.sets, set_plan
            )
            for name, figure in figures.items():
                results.figures[(size, name, "set")] = figure


async def measure_setup(name: str, size: int, results: Results) -> None:
    """Set-up time, then apart (tracing slows it) the memory kept, both fresh."""
    with hubs([name], size) as processes:
        async with home_assistant() as hass:
            await hass.async_block_till_done()
            gc.collect()
            start = time.perf_counter()
            await set_up(hass, processes)
            setup = Setup(
                entities=len(hass.states.async_entity_ids()),
                setup_ms=(time.perf_counter() - start) * 1000,
            )

        async with home_assistant() as hass:
            await hass.async_block_till_done()
            gc.collect()
            tracemalloc.start()
            try:
                before = tracemalloc.get_traced_memory()[0]
                contender = (await set_up(hass, processes))[name]
                processes[name].churn(BUSY_SHARE)
                for _ in range(10):
                    await contender.async_poll()
                    await hass.async_block_till_done()
                processes[name].churn(0)
                gc.collect()
                setup.memory_kib = (tracemalloc.get_traced_memory()[0] - before) / 1024
            finally:
                tracemalloc.stop()
    results.setups[(size, name)] = setup


class Stopwatch:
    """Adds the CPU time of patched calls to ``totals``, which the caller switches."""

    def __init__(self) -> None:
        """Nothing timed yet."""
        self.totals: dict[str, float] = {}

    @contextlib.contextmanager
    def timing(self, owner: Any, attribute: str, label: str) -> Iterator[None]:
        """Add the CPU time spent in ``owner.attribute`` to ``totals[label]``."""
        original = getattr(owner, attribute)
        clock = time.process_time

        def add(start: float) -> None:
            self.totals[label] = self.totals.get(label, 0.0) + clock() - start

        async def wrap_coroutine(*args: Any, **kwargs: Any) -> Any:
            start = clock()
            try:
                return await original(*args, **kwargs)
            finally:
                add(start)

        def wrap_function(*args: Any, **kwargs: Any) -> Any:
            start = clock()
            try:
                return original(*args, **kwargs)
            finally:
                add(start)

        wrapper = (
            wrap_coroutine if inspect.iscoroutinefunction(original) else wrap_function
        )
        setattr(owner, attribute, wrapper)
        try:
            yield
        finally:
            setattr(owner, attribute, original)


BREAKDOWN: Final = (
    ("request", "HTTP request (aiohttp and the kernel)"),
    ("decode", "JSON decoding (orjson)"),
    ("read", "reading values (our parser / a loop)"),
    ("diff", "finding changes, waking entities"),
    ("writes", "state writes (entity / async_set)"),
    ("other", "coordinator, event loop: the rest"),
    ("poll", "the whole poll, timing included"),
)
BREAKDOWN_NAMES: Final = ("vidigates", "floor", "minimum")


async def measure_breakdown(size: int, plan: Plan) -> dict[str, dict[str, float]]:
    """Where busy polls of this integration, the floor and the minimum go, ms/poll.

    Each part is timed around the code that does it (the integration's client,
    parser and coordinator, the others' steps; an entity's or a bare state
    write), and the parts that nest are taken out of the ones around them. All
    three run in one Home Assistant, their polls in turn, like the main
    measurement.
    """
    totals: dict[str, dict[str, float]] = {name: {} for name in BREAKDOWN_NAMES}
    stopwatch = Stopwatch()
    with hubs(BREAKDOWN_NAMES, size) as processes:
        async with home_assistant() as hass:
            contenders = await set_up(hass, processes)
            for hub in processes.values():
                hub.churn(BUSY_SHARE)
            for _ in range(plan.warmup):
                for contender in contenders.values():
                    await contender.async_poll()
                    await hass.async_block_till_done()
            client, coordinator = api.VidiGatesClient, vidigates_coordinator
            with contextlib.ExitStack() as patches:
                for owner, attribute, label in (
                    (client, "_fetch", "request"),
                    (api, "_decode", "decode"),
                    (api, "parse_hub_state", "read"),
                    (
                        coordinator.VidiGatesCoordinator,
                        "async_update_listeners",
                        "show",
                    ),
                    (Entity, "async_write_ha_state", "writes"),
                    (Minimum, "_get", "request"),
                    (Minimum, "_decode", "decode"),
                    (Minimum, "_read", "read"),
                    (Minimum, "_show", "show"),
                    (StateMachine, "async_set", "writes"),
                ):
                    patches.enter_context(stopwatch.timing(owner, attribute, label))
                clock = time.process_time
                for _ in range(plan.polls):
                    for name, contender in contenders.items():
                        stopwatch.totals = totals[name]
                        start = clock()
                        await contender.async_poll()
                        await hass.async_block_till_done()
                        totals[name]["poll"] = (
                            totals[name].get("poll", 0.0) + clock() - start
                        )

    breakdown: dict[str, dict[str, float]] = {}
    for name, seconds in totals.items():
        ms = {label: value * 1000 / plan.polls for label, value in seconds.items()}
        ms["diff"] = ms["show"] - ms["writes"]
        ms["other"] = ms["poll"] - sum(
            ms[label] for label in ("request", "decode", "read", "show")
        )
        breakdown[name] = {label: ms[label] for label, _ in BREAKDOWN}
    return breakdown


def _count_rows(database: Path) -> Counter[str]:
    """State rows in the recorder's database, by entity id."""
    with contextlib.closing(sqlite3.connect(database)) as connection:
        return Counter(
            dict(
                connection.execute(
                    "SELECT states_meta.entity_id, COUNT(*) FROM states"
                    " JOIN states_meta USING (metadata_id)"
                    " GROUP BY states_meta.entity_id"
                )
            )
        )


def _crossings(state: dict[str, Any]) -> int:
    """Every crossing the hub counted (no daily reset in the run: see below)."""
    return sum(
        gate["in"] + gate["out"]
        for instance in state["model"]["instances"]
        for gate in instance["gates"]
    )


async def measure_records(name: str, crossings: int) -> Records:
    """What ``crossings`` crossings leave in the recorder and the logbook.

    A SQLite recorder in a temporary directory and the logbook, then the
    contender; the simulator's visitors come and go, one poll interval of them
    per poll, until ``crossings`` crossings. The rows and entries made by the
    set-up are not counted.
    """
    # The daily reset would add writes that no crossing made: put it half a
    # day away from the simulator's clock, which starts at the local time.
    reset_hour = (datetime.now().astimezone().hour + 12) % 24
    hub = HubProcess(
        RECORD_INSTANCES, threshold=RECORD_THRESHOLD, reset_time=f"{reset_hour}:00"
    )
    try:
        hub.wait_ready()
        with tempfile.TemporaryDirectory() as directory:
            database = Path(directory) / "home-assistant_v2.db"
            async with home_assistant() as hass:
                recorder_helper.async_initialize_recorder(hass)
                config = {"db_url": f"sqlite:///{database}", "commit_interval": 0}
                await set_up_component(hass, "recorder", config)
                # The logbook needs the frontend, which starts the HTTP server:
                # nothing here needs it listening.
                with patch.object(HomeAssistantHTTP, "start", AsyncMock()):
                    await set_up_component(hass, "logbook", {})
                contender = (await set_up(hass, {name: hub}))[name]
                instance = get_recorder(hass)
                await instance.async_block_till_done()
                rows_before = await hass.async_add_executor_job(_count_rows, database)
                start = dt_util.utcnow()
                first = counted = _crossings(hub.call("/_sim/state"))
                polls = 0
                while counted - first < crossings:
                    state = hub.call(
                        "/_sim/advance", {"seconds": SCAN_INTERVAL.total_seconds()}
                    )
                    counted = _crossings(state)
                    await contender.async_poll()
                    await hass.async_block_till_done()
                    polls += 1
                await instance.async_block_till_done()
                rows = await hass.async_add_executor_job(_count_rows, database)
                processor = EventProcessor(
                    hass, async_determine_event_types(hass, None, None)
                )
                events = await instance.async_add_executor_job(
                    processor.get_events, start, dt_util.utcnow()
                )
    finally:
        hub.close()
    return Records(
        crossings=counted - first,
        polls=polls,
        rows=rows - rows_before,
        entries=Counter(event.get("entity_id", "-") for event in events),
    )


async def profile(size: int, name: str, plan: Plan) -> None:
    """Print where one contender's busy polls spend their time (cProfile)."""
    import cProfile  # noqa: PLC0415
    import pstats  # noqa: PLC0415

    with hubs([name], size) as processes:
        async with home_assistant() as hass:
            contender = (await set_up(hass, processes))[name]
            processes[name].churn(BUSY_SHARE)
            for _ in range(plan.warmup):
                await contender.async_poll()
                await hass.async_block_till_done()
            profiler = cProfile.Profile()
            profiler.enable()
            for _ in range(plan.polls):
                await contender.async_poll()
                await hass.async_block_till_done()
            profiler.disable()
    stats = pstats.Stats(profiler)
    stats.sort_stats("tottime").print_stats(30)
    stats.sort_stats("cumulative").print_stats(40)


# --- reporting ----------------------------------------------------------------


def _fmt(value: float | None, digits: int = 2, suffix: str = "") -> str:
    return "" if value is None else f"{value:.{digits}f}{suffix}"


def _ratio(numerator: float | None, denominator: float | None) -> float | None:
    if numerator is None or denominator is None or denominator <= 0:
        return None
    return numerator / denominator


def print_table(
    header: Sequence[tuple[str, int]], rows: Iterable[Sequence[str]], indent: str = ""
) -> None:
    """Print ``rows`` under ``header``'s (title, width); a width below 0 aligns left.

    An empty row prints an empty line.
    """

    def line(cells: Sequence[str]) -> str:
        return (
            indent
            + " ".join(
                f"{cell:<{-width}}" if width < 0 else f"{cell:>{width}}"
                for cell, (_, width) in zip(cells, header, strict=True)
            )
        ).rstrip()

    titles = line([title for title, _ in header])
    print(titles)
    print(indent + "-" * (len(titles) - len(indent)))
    for row in rows:
        print(line(row) if row else "")


POLL_COLUMNS: Final = (
    *(("size", 4), ("workload", -8), ("contender", -9), ("CPU ms", 8)),
    *(("writes", 7), ("step ms", 7), ("worst", 6), ("rest/this", 10)),
    *(("this/floor", 10), ("this/min", 8)),
)


def print_polls(results: Results, sizes: Sequence[int], names: Sequence[str]) -> None:
    """The per-poll table, with ratios against rest, the floor and the minimum."""
    rows: list[Sequence[str]] = []
    for size in sizes:
        for workload in WORKLOADS:
            rest, floor, minimum = (
                results.cpu_ms(size, name, workload)
                for name in ("rest", "floor", "minimum")
            )
            for name in names:
                figures = results.figures.get((size, name, workload), Figures())
                ours = figures.cpu_ms
                rows.append(
                    (
                        str(size),
                        workload,
                        name,
                        _fmt(ours, 3),
                        _fmt(figures.writes, 1),
                        _fmt(figures.step_ms),
                        _fmt(figures.step_max_ms),
                        "" if name == "rest" else _fmt(_ratio(rest, ours), 1, "x"),
                        "" if name == "floor" else _fmt(_ratio(ours, floor), 2, "x"),
                        ""
                        if name == "minimum"
                        else _fmt(_ratio(ours, minimum), 2, "x"),
                    )
                )
        rows.append(())
    print_table(POLL_COLUMNS, rows)


SETUP_COLUMNS: Final = (
    *(("size", 4), ("contender", -9), ("entities", 8), ("set-up ms", 9)),
    ("memory KiB", 10),
)


def print_setups(results: Results, sizes: Sequence[int], names: Sequence[str]) -> None:
    """The set-up table."""
    print_table(
        SETUP_COLUMNS,
        [
            (
                str(size),
                name,
                str(s.entities),
                _fmt(s.setup_ms, 0),
                _fmt(s.memory_kib, 0),
            )
            for size in sizes
            for name in names
            if (s := results.setups.get((size, name))) is not None
        ],
    )
    print()


def print_breakdown(breakdown: dict[str, dict[str, float]], size: int) -> None:
    """Where a busy poll's CPU time goes, this integration against the floor."""
    print(f"Where a busy poll goes at size {size} (CPU ms per poll, parts timed):")
    ours, floor, minimum = (breakdown[name] for name in BREAKDOWN_NAMES)
    print_table(
        (("part", -38), *((name, 9) for name in BREAKDOWN_NAMES), ("more", 7)),
        [
            (
                text,
                *(_fmt(part[label], 3) for part in (ours, floor, minimum)),
                f"{ours[label] - floor[label]:+.3f}",
            )
            for label, text in BREAKDOWN
        ],
        indent="  ",
    )
    print("  (more: vidigates less the floor)\n")


def print_records(records: dict[str, Records]) -> None:
    """Recorder rows and logbook entries per 1 000 crossings, and whose."""
    print(
        "Recorder and logbook per 1 000 crossings: the simulator's visitors at a hub"
        f" of {RECORD_INSTANCES} instance of {GATES_PER_INSTANCE} gates,"
        f" {SCAN_INTERVAL.total_seconds():g} s of them per poll"
    )
    rows = []
    for name, record in records.items():
        per_1000 = 1000 / record.crossings
        rows.append(
            (
                name,
                str(record.crossings),
                str(record.polls),
                _fmt(record.rows.total() * per_1000, 0),
                _fmt(record.entries.total() * per_1000, 0),
            )
        )
    header = (("contender", -9), ("crossings", 9), ("polls", 6), ("state rows", 10))
    print_table((*header, ("logbook entries", 15)), rows, indent="  ")
    for name, record in records.items():
        per_1000 = 1000 / record.crossings
        for what, counts in (("rows", record.rows), ("logbook", record.entries)):
            top = ", ".join(
                # The integration's ids name the hub by its address: not here.
                f"{re.sub(r'_127_0_0_1_[0-9]+', '', entity_id)} {n * per_1000:.0f}"
                for entity_id, n in counts.most_common(8)
            )
            print(f"  {name} {what}: {top or 'none'}")
    print()


def verdicts(results: Results, sizes: Sequence[int], names: Sequence[str]) -> list[str]:
    """Say which targets were met."""
    lines: list[str] = []
    cpu = results.cpu_ms

    def verdict(met: bool) -> str:
        return "MET   " if met else "MISSED"

    if {"vidigates", "floor"} <= set(names):
        for workload, target in (
            ("busy", TARGET_BUSY_VS_FLOOR),
            ("idle", TARGET_IDLE_VS_FLOOR),
        ):
            for size in sizes:
                ratio = _ratio(
                    cpu(size, "vidigates", workload), cpu(size, "floor", workload)
                )
                lines.append(
                    f"{verdict(ratio is not None and ratio <= target)} {workload} "
                    f"within {target:g}x the entity floor, size {size}: "
                    f"{_fmt(ratio, 2, 'x')}"
                )
    if {"vidigates", "rest"} <= set(names) and 50 in sizes:
        ratio = _ratio(cpu(50, "rest", "busy"), cpu(50, "vidigates", "busy"))
        lines.append(
            f"{verdict(ratio is not None and ratio >= TARGET_VS_REST)} at least "
            f"{TARGET_VS_REST:g}x cheaper than rest, busy/50: {_fmt(ratio, 1, 'x')}"
        )
    if "vidigates" in names:
        writes = [
            results.figures.get((size, "vidigates", "idle"), Figures()).writes
            for size in sizes
        ]
        lines.append(
            f"{verdict(all(w == 0 for w in writes))} zero state writes on idle "
            f"polls: {', '.join(_fmt(w, 1) for w in writes)} per poll"
        )
    return lines


async def run(args: argparse.Namespace) -> int:
    """Measure everything asked for and print the tables."""
    loop = asyncio.get_running_loop()
    # The harness's pytest plugin turns debug mode on for tests; never here.
    loop.set_debug(False)
    plan = Plan(
        polls=args.polls, warmup=args.warmup, step_polls=args.step_polls, sets=args.sets
    )
    names: list[str] = args.contenders
    sizes: list[int] = args.sizes
    started = time.perf_counter()
    print(
        f"Home Assistant {ha_version}, {platform.python_implementation()} "
        f"{platform.python_version()} ({sys.executable}), asyncio debug "
        f"{'ON' if loop.get_debug() else 'off'}, {os.cpu_count()} CPUs, "
        f"load average {os.getloadavg()[0]:.1f}"
    )
    if args.profile:
        await profile(max(sizes), args.profile, plan)
        return 0

    # Import and run every code path once, so that the first measured set-up
    # does not pay for Python's imports.
    await run_side_by_side(
        names, 1, Plan(polls=2, warmup=1, step_polls=1, sets=2), Results()
    )

    results = Results()
    for size in sizes:
        for group in ARENAS:
            if arena := [name for name in group if name in names]:
                await run_side_by_side(arena, size, plan, results)
        for name in names:
            await measure_setup(name, size, results)
    if set(BREAKDOWN_NAMES) <= set(names):
        results.breakdown = await measure_breakdown(max(sizes), plan)
    if args.crossings:
        for name in ("vidigates", "rest"):
            if name in names:
                results.records[name] = await measure_records(name, args.crossings)

    print(
        f"\nPer poll: {plan.polls} polls per workload and {plan.sets} set round "
        f"trips, after {plan.warmup} untimed; vidigates, floor and minimum in turn "
        "in one Home Assistant, rest in another.\nCPU ms: median of "
        "time.process_time per poll (Home Assistant's process only). writes: "
        "state_changed + state_reported events, mean.\nstep ms: CPU time of the "
        f"longest event-loop step of a poll, median over {plan.step_polls} more "
        "polls; worst: their maximum.\nrest/this: how many times cheaper than "
        "rest; this/floor, this/min: how many times the entity floor, the minimum."
    )
    busy = ", ".join(
        f"{changed} of {total} (size {size})"
        for size, (changed, total) in results.changed.items()
    )
    print(f"Busy polls change {busy} primary values: counters and statuses.\n")
    print_polls(results, sizes, names)
    print_setups(results, sizes, names)
    if results.breakdown:
        print_breakdown(results.breakdown, max(sizes))
    if results.records:
        print_records(results.records)
    for line in verdicts(results, sizes, names):
        print(line)
    print(
        f"\nmeasured in {time.perf_counter() - started:.0f} s; load average "
        f"{os.getloadavg()[0]:.1f}"
    )
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the command line and run the benchmark on Home Assistant's loop."""
    parser = argparse.ArgumentParser(
        description="What one poll of a VidiAccess hub costs Home Assistant."
    )
    plan = Plan()
    for option, default, text in (
        ("polls", plan.polls, "timed polls per workload"),
        ("warmup", plan.warmup, "untimed polls first"),
        ("step-polls", plan.step_polls, "polls that time every event-loop step"),
        ("sets", plan.sets, "timed set round trips"),
        ("crossings", CROSSINGS, "for the recorder and logbook figure (0: skip it)"),
    ):
        parser.add_argument(f"--{option}", type=int, default=default, help=text)
    parser.add_argument(
        "--sizes",
        type=lambda text: [int(part) for part in text.split(",")],
        default=list(SIZES),
        help="instances per hub, comma-separated (default: 1,10,50)",
    )
    parser.add_argument(
        "--contenders",
        type=lambda text: text.split(","),
        default=list(CONTENDERS),
        help=f"comma-separated, of {', '.join(CONTENDERS)} (default: all)",
    )
    parser.add_argument(
        "--profile",
        choices=list(CONTENDERS),
        help="instead: cProfile this contender's busy polls at the largest size",
    )
    args = parser.parse_args(argv)
    if unknown := set(args.contenders) - set(CONTENDERS):
        parser.error(f"unknown contenders: {', '.join(sorted(unknown))}")
    loop = create_event_loop(debug=False)
    try:
        asyncio.set_event_loop(loop)
        return loop.run_until_complete(run(args))
    finally:
        loop.run_until_complete(loop.shutdown_default_executor())
        asyncio.set_event_loop(None)
        loop.close()


if __name__ == "__main__":
    sys.exit(main())
