"""What one poll of a VidiAccess hub costs Home Assistant, against the alternatives.

Run it with ``scripts/bench`` (which sets up ``.venv`` first). It is a
measurement, never a test: it prints tables and says which targets of the
benchmark issue were met; it fails only when it cannot run.

Three contenders show the same generated hub in Home Assistant (the test
harness's ``async_test_home_assistant``, asyncio debug mode off):

- ``vidigates``: this integration, set up from a config entry; a poll is
  ``await coordinator.async_refresh()``, as its timer runs it; a set is the
  ``vidigates.set`` action.
- ``rest``: what users build today, one ``rest:`` resource on
  ``/api/v1/instances`` with one template sensor per value, its YAML generated
  from the hub's answer; a poll is a refresh of the resource's coordinator; a
  set is a ``rest_command`` and a refresh.
- ``minimum``: the physical minimum, one HTTP GET on Home Assistant's shared
  session, one JSON parse, and one ``hass.states.async_set`` for exactly the
  values that changed; a set is one POST and the writes its answer implies.

Every contender has its own hub, a small aiohttp server in a separate process,
so that serving and generating answers is not Home Assistant's CPU time. The
hubs generate the same answers from one seed: 1, 10 or 50 instances of 4 gates
each. On an idle poll nothing changes; on a busy poll 10 % of the hub's primary
values (each gate's in and out counters and each instance's status) change,
and the hub's totals follow.

This integration and the minimum run side by side in one Home Assistant, their
polls interleaved (in turn, the order rotating), so that a machine busy with
something else weighs on both alike; rest, whose polls are tens of times
heavier, runs in a Home Assistant of its own, so that its garbage and cache
misses do not land on the others' polls. Set-up time and memory are measured
apart, each contender in a fresh Home Assistant of its own.

Per poll: CPU time of the Home Assistant process (``time.process_time``,
median), state writes (``state_changed`` plus ``state_reported`` events, mean),
and the longest event-loop step (the CPU time of the longest
``asyncio.Handle`` run, i.e. callback or task step, of a poll: median over
polls, and the worst), measured in extra polls so that timing every step does
not weigh on the CPU figures. Per contender: set-up time (wall clock, up to the
first poll shown) and the memory kept after set-up and ten busy polls
(``tracemalloc``).
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import (
    AsyncIterator,
    Awaitable,
    Callable,
    Iterator,
    Mapping,
    Sequence,
)
import contextlib
from dataclasses import dataclass, field
import functools
import gc
import inspect
import json
import os
from pathlib import Path
import platform
import random
import statistics
import subprocess
import sys
import time
import tracemalloc
from typing import Any, Final, Protocol

ROOT: Final = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    # The integration is imported as custom_components.vidigates, from the
    # repository root, like the tests do.
    sys.path.insert(0, str(ROOT))

SIZES: Final = (1, 10, 50)
GATES_PER_INSTANCE: Final = 4
BUSY_SHARE: Final = 0.10
SEED: Final = 20260

INSTANCES_PATH: Final = "/api/v1/instances"
SET_PATH: Final = "/api/v1/set"
CONTROL_PATH: Final = "/_bench/control"

# Who shares a Home Assistant, polls interleaved. rest's polls are tens of
# times heavier: its garbage and its cache misses would land on whoever polls
# next, and weigh on the minimum most, so it runs in one of its own.
ARENAS: Final[tuple[tuple[str, ...], ...]] = (("vidigates", "minimum"), ("rest",))

TARGET_VS_REST: Final = 30.0
TARGET_VS_MINIMUM: Final = 1.5
WORKLOADS: Final = ("idle", "busy", "set")


# --- the hub, in its own process ------------------------------------------------


class GeneratedHub:
    """A hub whose answers are generated from a seed; 10 % change per busy poll."""

    def __init__(self, instances: int, seed: int) -> None:
        """Create ``instances`` instances of 4 gates, all ``ok``, gate type both."""
        # Not for security: the same seed must give the same hub every run.
        self._rng = random.Random(seed)  # noqa: S311
        self.busy = False
        self.instances: list[dict[str, Any]] = []
        for index in range(instances):
            gates = []
            for gate_id in range(1, GATES_PER_INSTANCE + 1):
                crossings_in = self._rng.randint(200, 400)
                crossings_out = crossings_in - self._rng.randint(0, 20)
                gates.append({"id": gate_id, "in": crossings_in, "out": crossings_out})
            self.instances.append(
                {
                    "gates": gates,
                    "boxid": 50000 + index,
                    "name": f"Entrance {index + 1}",
                    "host": f"10.0.{index // 250}.{index % 250 + 1}",
                    "number": 0,
                    "gate_type": "both",
                    "status": "ok",
                }
            )
        self.correction = 0
        self.threshold = max(self._net() * 2, 10)

    def _net(self) -> int:
        return sum(
            gate["in"] - gate["out"]
            for instance in self.instances
            for gate in instance["gates"]
        )

    @property
    def primary_values(self) -> int:
        """How many values the hub reports per se (counters and statuses)."""
        return len(self.instances) * (1 + 2 * GATES_PER_INSTANCE)

    @property
    def changed_per_busy_poll(self) -> int:
        """How many primary values a busy poll changes."""
        return max(1, round(self.primary_values * BUSY_SHARE))

    def change_some(self) -> None:
        """Change 10 % of the primary values: a crossing, or a camera problem."""
        per_instance = 1 + 2 * GATES_PER_INSTANCE
        for value in self._rng.sample(
            range(self.primary_values), self.changed_per_busy_poll
        ):
            instance = self.instances[value // per_instance]
            slot = value % per_instance
            if slot == 0:
                instance["status"] = (
                    "not-capturing" if instance["status"] == "ok" else "ok"
                )
            else:
                gate = instance["gates"][(slot - 1) // 2]
                gate["in" if slot % 2 else "out"] += 1

    @property
    def current(self) -> int:
        """People inside: net crossings plus the last manual correction."""
        return max(self._net() + self.correction, 0)

    def answer(self) -> bytes:
        """Return the body of ``GET /api/v1/instances``."""
        if self.busy:
            self.change_some()
        current = self.current
        return json.dumps(
            {
                "instances": self.instances,
                "current": current,
                "threshold": self.threshold,
                "reset_time": {"hour": 23, "minute": 0},
                "status": "ko" if current >= self.threshold else "ok",
            }
        ).encode()

    def set(self, body: dict[str, Any]) -> dict[str, Any]:
        """Apply ``POST /api/v1/set`` and return the values in force."""
        if "occupancy" in body:
            self.correction = body["occupancy"] - self._net()
        if "threshold" in body:
            self.threshold = body["threshold"]
        return {
            "current": self.current,
            "threshold": self.threshold,
            "reset_time": {"hour": 23, "minute": 0},
        }


def serve() -> None:
    """Serve a generated hub on 127.0.0.1; print the port on stdout."""
    from aiohttp import web  # noqa: PLC0415 - only the hub process needs it

    hub = GeneratedHub(1, SEED)

    async def instances(request: web.Request) -> web.Response:
        return web.Response(body=hub.answer(), content_type="application/json")

    async def set_values(request: web.Request) -> web.Response:
        return web.json_response(hub.set(await request.json()))

    async def control(request: web.Request) -> web.Response:
        nonlocal hub
        body = await request.json()
        if "instances" in body:
            hub = GeneratedHub(body["instances"], body.get("seed", SEED))
        if "busy" in body:
            hub.busy = body["busy"]
        return web.json_response(
            {
                "primary_values": hub.primary_values,
                "changed_per_busy_poll": hub.changed_per_busy_poll,
            }
        )

    async def main() -> None:
        app = web.Application()
        app.add_routes(
            [
                web.get(INSTANCES_PATH, instances),
                web.post(SET_PATH, set_values),
                web.post(CONTROL_PATH, control),
            ]
        )
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = runner.addresses[0][1]
        print(f"PORT {port}", flush=True)
        await asyncio.Event().wait()

    asyncio.run(main())


class HubProcess:
    """One generated hub's process, and how to reshape it between measurements."""

    def __init__(self) -> None:
        """Start the hub process and read its port."""
        self._process = subprocess.Popen(  # noqa: S603 - this very script
            [sys.executable, __file__, "--serve"], stdout=subprocess.PIPE, text=True
        )
        line = self._process.stdout.readline() if self._process.stdout else ""
        if not line.startswith("PORT "):
            self.close()
            msg = f"the hub process did not start: {line!r}"
            raise RuntimeError(msg)
        self.pid = self._process.pid
        self.port = int(line.split()[1])
        self.base_url = f"http://127.0.0.1:{self.port}"

    def control(self, **body: Any) -> dict[str, Any]:
        """Reshape the hub; blocking on purpose, never inside a timed section."""
        from urllib.request import Request, urlopen  # noqa: PLC0415

        request = Request(  # noqa: S310 - loopback, our own process
            self.base_url + CONTROL_PATH,
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urlopen(request, timeout=10) as response:  # noqa: S310
            result: dict[str, Any] = json.load(response)
        return result

    def answer(self) -> dict[str, Any]:
        """Read the hub's answer now (outside any timed section)."""
        from urllib.request import urlopen  # noqa: PLC0415

        url = self.base_url + INSTANCES_PATH
        with urlopen(url, timeout=10) as response:  # noqa: S310 - loopback
            result: dict[str, Any] = json.load(response)
        return result

    def close(self) -> None:
        """Stop the hub process."""
        self._process.terminate()
        self._process.wait(timeout=10)


# The hub's process stops here: it must not pay for Home Assistant's imports.
if __name__ == "__main__" and sys.argv[1:] == ["--serve"]:
    serve()
    sys.exit(0)

# --- Home Assistant, from its test harness ------------------------------------

import custom_components.vidigates  # noqa: E402, F401  # isort: skip
from unittest.mock import patch  # noqa: E402

from aiohttp.resolver import AsyncResolver  # noqa: E402
from homeassistant import loader  # noqa: E402
from homeassistant.const import (  # noqa: E402
    CONF_HOST,
    CONF_PORT,
    EVENT_STATE_CHANGED,
    EVENT_STATE_REPORTED,
    __version__ as ha_version,
)
from homeassistant.core import HomeAssistant, callback  # noqa: E402
from homeassistant.helpers import frame, translation  # noqa: E402
from homeassistant.helpers.aiohttp_client import async_get_clientsession  # noqa: E402
from homeassistant.helpers.entity import Entity  # noqa: E402
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator  # noqa: E402
from homeassistant.runner import create_event_loop  # noqa: E402
from homeassistant.setup import async_setup_component  # noqa: E402
import orjson  # noqa: E402
from pytest_homeassistant_custom_component.common import (  # noqa: E402
    MockConfigEntry,
    async_test_home_assistant,
)

from custom_components.vidigates import api, coordinator as vidigates_coordinator  # noqa: E402
from custom_components.vidigates.const import DOMAIN  # noqa: E402


class PendingError(Exception):
    """The contender cannot do this workload yet."""


class Contender(Protocol):
    """One way of showing the hub's values in Home Assistant."""

    name: str

    async def async_setup(self) -> None:
        """Set up everything, including the first read of the hub."""

    async def async_poll(self) -> None:
        """Read the hub once and show what changed."""

    async def async_set_occupancy(self, value: int) -> None:
        """Set the hub's occupancy and show the result."""


class VidiGates:
    """This integration, from a config entry."""

    name = "vidigates"

    def __init__(self, hass: HomeAssistant, hub: HubProcess) -> None:
        """Prepare a config entry for the hub."""
        self._hass = hass
        self._entry = MockConfigEntry(
            domain=DOMAIN,
            title=f"VidiAccess hub 127.0.0.1:{hub.port}",
            data={CONF_HOST: "127.0.0.1", CONF_PORT: hub.port},
        )
        self._refresh: Callable[[], Awaitable[None]] | None = None

    async def async_setup(self) -> None:
        """Add and set up the config entry."""
        self._entry.add_to_hass(self._hass)
        if not await self._hass.config_entries.async_setup(self._entry.entry_id):
            msg = f"vidigates did not set up: {self._entry.state}"
            raise RuntimeError(msg)
        self._refresh = self._entry.runtime_data.async_refresh

    async def async_poll(self) -> None:
        """One poll, as the coordinator's timer runs it."""
        if self._refresh is None:
            raise PendingError
        await self._refresh()

    async def async_set_occupancy(self, value: int) -> None:
        """Call the integration's ``vidigates.set`` action."""
        if not self._hass.services.has_service(DOMAIN, "set"):
            raise PendingError
        await self._hass.services.async_call(
            DOMAIN,
            "set",
            {"config_entry_id": self._entry.entry_id, "occupancy": value},
            blocking=True,
        )


def _slug(text: str) -> str:
    return "".join(c if c.isalnum() else "_" for c in text.lower()).strip("_")


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
        return _slug(self.name)


PEOPLE: Final = "people"


def hub_values(answer: dict[str, Any]) -> list[Value]:
    """List every value the integration shows, as a ``rest`` user would write it.

    The same values in the same order as :func:`minimum_values` computes them.
    """
    people = {"unit": PEOPLE, "state_class": "measurement"}
    total = {"unit": PEOPLE, "state_class": "total_increasing"}
    current, threshold = "value_json.current", "value_json.threshold"
    values = [
        Value("sensor", "Hub occupancy", f"{{{{ {current} }}}}", **people),
        Value("sensor", "Hub limit", f"{{{{ {threshold} }}}}", **people),
        Value(
            "sensor",
            "Hub remaining capacity",
            f"{{{{ [{threshold} - {current}, 0] | max }}}}",
            **people,
        ),
        Value(
            "sensor",
            "Hub occupancy ratio",
            f"{{% set t = {threshold} %}}"
            f"{{{{ ({current} * 100 / t) | round(1) if t > 0 else none }}}}",
            "%",
            "measurement",
        ),
        Value(
            "sensor",
            "Hub entries",
            "{{ value_json.instances | rejectattr('gate_type', 'eq', 'out')"
            " | map(attribute='gates') | map('sum', attribute='in') | sum }}",
            **total,
        ),
        Value(
            "sensor",
            "Hub exits",
            "{{ value_json.instances | rejectattr('gate_type', 'eq', 'in')"
            " | map(attribute='gates') | map('sum', attribute='out') | sum }}",
            **total,
        ),
        Value("binary_sensor", "Hub limit reached", "{{ value_json.status == 'ko' }}"),
        # What the integration's controls show (its occupancy and limit
        # numbers, daily reset time and switch), read-only here.
        Value("sensor", "Hub occupancy setting", f"{{{{ {current} }}}}", PEOPLE),
        Value("sensor", "Hub limit setting", f"{{{{ {threshold} }}}}", PEOPLE),
        Value(
            "sensor",
            "Hub reset time",
            "{% set r = value_json.reset_time %}"
            "{{ '%02d:%02d:00' % (r.hour, r.minute) if r else none }}",
        ),
        Value(
            "binary_sensor",
            "Hub daily reset",
            "{{ value_json.reset_time is not none }}",
        ),
    ]
    for index, instance in enumerate(answer["instances"]):
        name = instance["name"]
        path = f"value_json.instances[{index}]"
        values.extend(
            (
                Value(
                    "sensor",
                    f"{name} status",
                    f"{{{{ {path}.status | replace('-', '_') }}}}",
                ),
                Value(
                    "binary_sensor",
                    f"{name} problem",
                    f"{{{{ {path}.status != 'ok' }}}}",
                ),
                Value("sensor", f"{name} gate type", f"{{{{ {path}.gate_type }}}}"),
            )
        )
        values.extend(
            Value(
                "sensor",
                f"{name} gate {gate['id']} {direction}",
                f"{{{{ {path}.gates[{gate_index}]['{direction}'] }}}}",
                **total,
            )
            for gate_index, gate in enumerate(instance["gates"])
            for direction in ("in", "out")
        )
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

    name = "rest"

    def __init__(self, hass: HomeAssistant, hub: HubProcess) -> None:
        """Nothing is set up yet."""
        self._hass = hass
        self._hub = hub
        self._coordinator: DataUpdateCoordinator[None] | None = None

    async def async_setup(self) -> None:
        """Set up ``rest`` and ``rest_command`` from generated YAML."""
        hub = self._hub
        platforms: dict[str, list[dict[str, Any]]] = {"sensor": [], "binary_sensor": []}
        for value in hub_values(hub.answer()):
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
            "resource": hub.base_url + INSTANCES_PATH,
            # Polls are driven by the benchmark, never by the timer.
            "scan_interval": 3600,
            "timeout": 10,
            **platforms,
        }
        if not await async_setup_component(self._hass, "rest", {"rest": [resource]}):
            msg = "rest did not set up"
            raise RuntimeError(msg)
        command = {
            "url": hub.base_url + SET_PATH,
            "method": "post",
            "content_type": "application/json",
            "payload": '{"occupancy": {{ occupancy }}}',
        }
        if not await async_setup_component(
            self._hass, "rest_command", {"rest_command": {"vidigates_set": command}}
        ):
            msg = "rest_command did not set up"
            raise RuntimeError(msg)
        await self._hass.async_block_till_done()
        self._coordinator = self._hass.data["rest"]["coordinator"][0]

    async def async_poll(self) -> None:
        """One refresh of the resource, as its timer runs it."""
        if self._coordinator is None:
            raise PendingError
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
    """One GET, one parse, one ``async_set`` per changed value: nothing else."""

    name = "minimum"

    def __init__(self, hass: HomeAssistant, hub: HubProcess) -> None:
        """Nothing is set up yet."""
        self._hass = hass
        self._url = hub.base_url + INSTANCES_PATH
        self._set_url = hub.base_url + SET_PATH
        self._prefix = f"minimum_{hub.port}"
        self._entity_ids: list[str] = []
        self._attributes: list[dict[str, Any]] = []
        self._last: list[Any] = []

    async def async_setup(self) -> None:
        """Describe every value once, read the hub once, show everything."""
        async with async_get_clientsession(self._hass).get(self._url) as response:
            data = orjson.loads(await response.read())
        for value in hub_values(data):
            self._entity_ids.append(
                f"{value.platform}.{self._prefix}_{value.object_id}"
            )
            attributes: dict[str, Any] = {"friendly_name": value.name}
            if value.unit is not None:
                attributes["unit_of_measurement"] = value.unit
            if value.state_class is not None:
                attributes["state_class"] = value.state_class
            self._attributes.append(attributes)
        self._last = [object()] * len(self._entity_ids)
        self._show(minimum_values(data))

    def _show(self, values: Sequence[Any]) -> None:
        async_set = self._hass.states.async_set
        last = self._last
        for index, value in enumerate(values):
            if value != last[index]:
                last[index] = value
                async_set(
                    self._entity_ids[index],
                    "unknown" if value is None else str(value),
                    self._attributes[index],
                )

    async def async_poll(self) -> None:
        """GET, parse, write what changed."""
        async with async_get_clientsession(self._hass).get(self._url) as response:
            data = orjson.loads(await response.read())
        self._show(minimum_values(data))

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


CONTENDERS: Final[dict[str, Callable[[HomeAssistant, HubProcess], Contender]]] = {
    "vidigates": VidiGates,
    "rest": RestTemplates,
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
class Results:
    """Everything measured, by size, contender and workload."""

    setups: dict[tuple[int, str], Setup] = field(default_factory=dict)
    figures: dict[tuple[int, str, str], Figures] = field(default_factory=dict)
    changed: dict[int, tuple[int, int]] = field(default_factory=dict)
    breakdown: dict[str, dict[str, float]] = field(default_factory=dict)


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
    hubs: dict[str, HubProcess], size: int, plan: Plan, results: Results
) -> None:
    """Set every contender up in one Home Assistant, then run the workloads."""
    for hub in hubs.values():
        hub.control(instances=size, seed=SEED, busy=False)
    async with home_assistant() as hass:
        counter = WriteCounter(hass)
        contenders = {name: CONTENDERS[name](hass, hub) for name, hub in hubs.items()}
        for contender in contenders.values():
            await contender.async_setup()
            await hass.async_block_till_done()

        polls = {name: c.async_poll for name, c in contenders.items()}
        for name, figures in (
            await measure_side_by_side(hass, counter, polls, plan.polls, plan)
        ).items():
            results.figures[(size, name, "idle")] = figures

        for hub in hubs.values():
            shape = hub.control(busy=True)
        results.changed[size] = (
            shape["changed_per_busy_poll"],
            shape["primary_values"],
        )
        for name, figures in (
            await measure_side_by_side(hass, counter, polls, plan.polls, plan)
        ).items():
            results.figures[(size, name, "busy")] = figures

        for hub in hubs.values():
            hub.control(busy=False)
        sets: dict[str, Action] = {}
        for name, contender in contenders.items():
            try:
                await contender.async_set_occupancy(1)
            except PendingError:
                results.figures[(size, name, "set")] = Figures()
                continue
            sets[name] = functools.partial(_set_next, contender, _occupancies())
        for name, figures in (
            await measure_side_by_side(
                hass,
                counter,
                sets,
                plan.sets,
                Plan(warmup=5, step_polls=plan.step_polls),
            )
        ).items():
            results.figures[(size, name, "set")] = figures


async def measure_setup(
    hub: HubProcess, size: int, name: str, results: Results
) -> None:
    """Set-up time, then apart (tracing slows it) the memory kept, both fresh."""
    hub.control(instances=size, seed=SEED, busy=False)
    async with home_assistant() as hass:
        contender = CONTENDERS[name](hass, hub)
        await hass.async_block_till_done()
        gc.collect()
        start = time.perf_counter()
        await contender.async_setup()
        await hass.async_block_till_done()
        setup = Setup(
            entities=len(hass.states.async_entity_ids()),
            setup_ms=(time.perf_counter() - start) * 1000,
        )

    async with home_assistant() as hass:
        contender = CONTENDERS[name](hass, hub)
        await hass.async_block_till_done()
        gc.collect()
        tracemalloc.start()
        try:
            before = tracemalloc.get_traced_memory()[0]
            await contender.async_setup()
            await hass.async_block_till_done()
            hub.control(busy=True)
            for _ in range(10):
                await contender.async_poll()
                await hass.async_block_till_done()
            hub.control(busy=False)
            gc.collect()
            setup.memory_kib = (tracemalloc.get_traced_memory()[0] - before) / 1024
        finally:
            tracemalloc.stop()
    results.setups[(size, name)] = setup


@contextlib.contextmanager
def timed(
    owner: Any, attribute: str, totals: dict[str, float], label: str
) -> Iterator[None]:
    """Add the CPU time spent in ``owner.attribute`` to ``totals[label]``."""
    original = getattr(owner, attribute)
    clock = time.process_time
    totals.setdefault(label, 0.0)

    async def wrap_coroutine(*args: Any, **kwargs: Any) -> Any:
        start = clock()
        try:
            return await original(*args, **kwargs)
        finally:
            totals[label] += clock() - start

    def wrap_function(*args: Any, **kwargs: Any) -> Any:
        start = clock()
        try:
            return original(*args, **kwargs)
        finally:
            totals[label] += clock() - start

    setattr(
        owner,
        attribute,
        wrap_coroutine if inspect.iscoroutinefunction(original) else wrap_function,
    )
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
    ("rest", "coordinator, event loop: the rest"),
    ("poll", "the whole poll, timing included"),
)


class TimedMinimum(Minimum):
    """The minimum, with each part of its poll timed."""

    def __init__(self, hass: HomeAssistant, hub: HubProcess) -> None:
        """Time into ``totals``."""
        super().__init__(hass, hub)
        self.totals: dict[str, float] = {}

    async def async_poll(self) -> None:
        """The minimum's poll, one clock reading between parts."""
        clock, totals = time.process_time, self.totals
        start = clock()
        async with async_get_clientsession(self._hass).get(self._url) as response:
            raw = await response.read()
        fetched = clock()
        data = orjson.loads(raw)
        decoded = clock()
        values = minimum_values(data)
        read = clock()
        self._show(values)
        shown = clock()
        for label, seconds in (
            ("request", fetched - start),
            ("decode", decoded - fetched),
            ("read", read - decoded),
            ("show", shown - read),
        ):
            totals[label] = totals.get(label, 0.0) + seconds

    def _show(self, values: Sequence[Any]) -> None:
        """The minimum's writes, each ``async_set`` timed."""
        clock, async_set, last = (
            time.process_time,
            self._hass.states.async_set,
            self._last,
        )
        spent = 0.0
        for index, value in enumerate(values):
            if value != last[index]:
                last[index] = value
                start = clock()
                async_set(
                    self._entity_ids[index],
                    "unknown" if value is None else str(value),
                    self._attributes[index],
                )
                spent += clock() - start
        self.totals["writes"] = self.totals.get("writes", 0.0) + spent


async def measure_breakdown(
    hubs: Mapping[str, HubProcess], size: int, plan: Plan
) -> dict[str, dict[str, float]]:
    """Where busy polls of vidigates and of the minimum spend CPU time, ms/poll.

    Each part is timed around the code that does it (the integration's client,
    parser and coordinator; Home Assistant's entity writes), and the parts
    that nest are taken out of the ones around them. Both run in one Home
    Assistant, their polls in turn, like the main measurement.
    """
    for name in ("vidigates", "minimum"):
        hubs[name].control(instances=size, seed=SEED, busy=False)
    ours: dict[str, float] = {}
    async with home_assistant() as hass:
        vidigates = VidiGates(hass, hubs["vidigates"])
        minimum = TimedMinimum(hass, hubs["minimum"])
        contenders: dict[str, Contender] = {"vidigates": vidigates, "minimum": minimum}
        totals = {"vidigates": ours, "minimum": minimum.totals}
        for contender in contenders.values():
            await contender.async_setup()
            await hass.async_block_till_done()
        for name in contenders:
            hubs[name].control(busy=True)
        for _ in range(plan.warmup):
            for contender in contenders.values():
                await contender.async_poll()
                await hass.async_block_till_done()
        minimum.totals.clear()
        # The minimum never reaches the integration's code or Entity: these
        # patches time the integration's polls only.
        with (
            timed(api.VidiGatesClient, "_fetch", ours, "request"),
            timed(api, "_decode", ours, "decode"),
            timed(api, "parse_hub_state", ours, "read"),
            timed(
                vidigates_coordinator.VidiGatesCoordinator,
                "async_update_listeners",
                ours,
                "dispatch",
            ),
            timed(Entity, "async_write_ha_state", ours, "writes"),
        ):
            clock = time.process_time
            for _ in range(plan.polls):
                for name, contender in contenders.items():
                    start = clock()
                    await contender.async_poll()
                    await hass.async_block_till_done()
                    totals[name]["poll"] = (
                        totals[name].get("poll", 0.0) + clock() - start
                    )
        for name in contenders:
            hubs[name].control(busy=False)

    breakdown: dict[str, dict[str, float]] = {}
    for name, seconds in totals.items():
        ms = {label: value * 1000 / plan.polls for label, value in seconds.items()}
        inner = ms["dispatch"] if name == "vidigates" else ms["show"]
        ms["diff"] = inner - ms["writes"]
        ms["rest"] = ms["poll"] - sum(
            ms[label] for label in ("request", "decode", "read", "diff", "writes")
        )
        breakdown[name] = {label: ms[label] for label, _ in BREAKDOWN}
    return breakdown


async def profile(hub: HubProcess, size: int, name: str, plan: Plan) -> None:
    """Print where one contender's busy polls spend their time (cProfile)."""
    import cProfile  # noqa: PLC0415
    import pstats  # noqa: PLC0415

    hub.control(instances=size, seed=SEED, busy=False)
    async with home_assistant() as hass:
        contender = CONTENDERS[name](hass, hub)
        await contender.async_setup()
        await hass.async_block_till_done()
        hub.control(busy=True)
        for _ in range(plan.warmup):
            await contender.async_poll()
            await hass.async_block_till_done()
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(plan.polls):
            await contender.async_poll()
            await hass.async_block_till_done()
        profiler.disable()
        hub.control(busy=False)
    stats = pstats.Stats(profiler)
    stats.sort_stats("tottime").print_stats(30)
    stats.sort_stats("cumulative").print_stats(40)


# --- reporting ----------------------------------------------------------------


def _fmt(value: float | None, digits: int = 2) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def _ratio(numerator: float | None, denominator: float | None) -> float | None:
    if numerator is None or denominator is None or denominator <= 0:
        return None
    return numerator / denominator


def print_polls(results: Results, sizes: Sequence[int], names: Sequence[str]) -> None:
    """The per-poll table, with ratios against rest and against the minimum."""
    header = (
        f"{'size':>4}  {'workload':<8} {'contender':<10} {'CPU ms':>8} "
        f"{'writes':>7} {'step ms':>8} {'worst':>6}   {'rest/this':>9} "
        f"{'this/min':>8}"
    )
    print(header)
    print("-" * len(header))
    for size in sizes:
        for workload in WORKLOADS:
            rest = results.figures.get((size, "rest", workload), Figures())
            minimum = results.figures.get((size, "minimum", workload), Figures())
            for name in names:
                figures = results.figures.get((size, name, workload), Figures())
                if figures.cpu_ms is None:
                    print(f"{size:>4}  {workload:<8} {name:<10} pending")
                    continue
                vs_rest = (
                    _ratio(rest.cpu_ms, figures.cpu_ms) if name != "rest" else None
                )
                vs_min = (
                    _ratio(figures.cpu_ms, minimum.cpu_ms)
                    if name != "minimum"
                    else None
                )
                print(
                    f"{size:>4}  {workload:<8} {name:<10} {_fmt(figures.cpu_ms, 3):>8} "
                    f"{_fmt(figures.writes, 1):>7} {_fmt(figures.step_ms):>8} "
                    f"{_fmt(figures.step_max_ms):>6}   "
                    f"{'' if vs_rest is None else f'{vs_rest:.1f}x':>9} "
                    f"{'' if vs_min is None else f'{vs_min:.2f}x':>8}"
                )
        print()


def print_setups(results: Results, sizes: Sequence[int], names: Sequence[str]) -> None:
    """The set-up table."""
    header = (
        f"{'size':>4}  {'contender':<10} {'entities':>8} {'set-up ms':>10} "
        f"{'memory KiB':>10}"
    )
    print(header)
    print("-" * len(header))
    for size in sizes:
        for name in names:
            if (setup := results.setups.get((size, name))) is not None:
                print(
                    f"{size:>4}  {name:<10} {setup.entities:>8} "
                    f"{setup.setup_ms:>10.0f} {_fmt(setup.memory_kib, 0):>10}"
                )
    print()


def print_breakdown(breakdown: dict[str, dict[str, float]], size: int) -> None:
    """Where a busy poll's CPU time goes, this integration against the minimum."""
    print(f"Where a busy poll goes at size {size} (CPU ms per poll, parts timed):")
    header = f"  {'part':<40} {'vidigates':>9} {'minimum':>9} {'more':>7}"
    print(header)
    print("  " + "-" * (len(header) - 2))
    ours, minimum = breakdown["vidigates"], breakdown["minimum"]
    for label, text in BREAKDOWN:
        print(
            f"  {text:<40} {ours[label]:9.3f} {minimum[label]:9.3f} "
            f"{ours[label] - minimum[label]:+7.3f}"
        )
    print()


def verdicts(results: Results, sizes: Sequence[int], names: Sequence[str]) -> list[str]:
    """Say which targets were met."""
    lines: list[str] = []

    def cpu(size: int, name: str) -> float | None:
        return results.figures.get((size, name, "busy"), Figures()).cpu_ms

    def verdict(met: bool) -> str:
        return "MET   " if met else "MISSED"

    if {"vidigates", "rest"} <= set(names) and 50 in sizes:
        ratio = _ratio(cpu(50, "rest"), cpu(50, "vidigates"))
        lines.append(
            f"{verdict(ratio is not None and ratio >= TARGET_VS_REST)} at least "
            f"{TARGET_VS_REST:g}x cheaper than rest, busy/50: {_fmt(ratio, 1)}x"
        )
    if {"vidigates", "minimum"} <= set(names):
        for size in sizes:
            ratio = _ratio(cpu(size, "vidigates"), cpu(size, "minimum"))
            lines.append(
                f"{verdict(ratio is not None and ratio <= TARGET_VS_MINIMUM)} within "
                f"{TARGET_VS_MINIMUM:g}x the minimum, busy/{size}: {_fmt(ratio, 2)}x"
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
    hubs = {name: HubProcess() for name in names}
    started = time.perf_counter()
    try:
        print(
            f"Home Assistant {ha_version}, {platform.python_implementation()} "
            f"{platform.python_version()} ({sys.executable}), asyncio debug "
            f"{'ON' if loop.get_debug() else 'off'}, {os.cpu_count()} CPUs, "
            f"load average {os.getloadavg()[0]:.1f}"
        )
        print(
            "hubs: "
            + ", ".join(f"{n} on :{h.port} (pid {h.pid})" for n, h in hubs.items())
        )
        if args.profile:
            await profile(hubs[names[0]], max(sizes), args.profile, plan)
            return 0

        # Import and run every code path once, so that the first measured
        # set-up does not pay for Python's imports.
        await run_side_by_side(
            hubs, 1, Plan(polls=2, warmup=1, step_polls=1, sets=2), Results()
        )

        results = Results()
        for size in sizes:
            for group in ARENAS:
                if arena := {name: hubs[name] for name in group if name in hubs}:
                    await run_side_by_side(arena, size, plan, results)
            for name in names:
                await measure_setup(hubs[name], size, name, results)
        if {"vidigates", "minimum"} <= set(names):
            results.breakdown = await measure_breakdown(hubs, max(sizes), plan)

        print(
            f"\nPer poll: {plan.polls} polls per workload and {plan.sets} set round "
            f"trips, after {plan.warmup} untimed; vidigates and minimum in turn in "
            "one Home Assistant, rest in another.\nCPU ms: median of "
            "time.process_time per poll (Home Assistant's process only). writes: "
            "state_changed + state_reported events, mean.\nstep ms: CPU time of the "
            f"longest event-loop step of a poll, median over {plan.step_polls} more "
            "polls; worst: their maximum.\nrest/this: how many times cheaper than "
            "rest; this/min: how many times the minimum."
        )
        busy = ", ".join(
            f"{changed} of {total} at size {size}"
            for size, (changed, total) in results.changed.items()
        )
        print(f"Busy polls change {busy} primary values (counters and statuses).\n")
        print_polls(results, sizes, names)
        print_setups(results, sizes, names)
        if results.breakdown:
            print_breakdown(results.breakdown, max(sizes))
        for line in verdicts(results, sizes, names):
            print(line)
        print(f"\nmeasured in {time.perf_counter() - started:.0f} s")
    finally:
        for hub in hubs.values():
            hub.close()
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the command line and run the benchmark on Home Assistant's loop."""
    parser = argparse.ArgumentParser(
        description="What one poll of a VidiAccess hub costs Home Assistant."
    )
    default = Plan()
    parser.add_argument("--polls", type=int, default=default.polls, help="timed polls")
    parser.add_argument(
        "--warmup", type=int, default=default.warmup, help="untimed polls first"
    )
    parser.add_argument(
        "--step-polls",
        type=int,
        default=default.step_polls,
        help="polls that time every event-loop step",
    )
    parser.add_argument(
        "--sets", type=int, default=default.sets, help="timed set round trips"
    )
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
