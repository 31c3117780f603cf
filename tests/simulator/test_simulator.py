"""Tests for the simulated VidiAccess hub: the model, the server, the CLI.

How a client reads what the simulator serves is the client's tests'
business (tests/test_api.py); here, what is served, and the control API.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
import contextlib
from datetime import UTC, datetime, timedelta
import itertools
import json
from pathlib import Path
import signal
import sys
from typing import Any

import aiohttp
from freezegun.api import FrozenDateTimeFactory
import pytest

from simulator import (
    PATH_INSTANCES,
    PATH_SET,
    PATH_SET_TYPE,
    VENDOR_SAMPLE,
    Fault,
    Hub,
    InvalidRequestError,
    SimulatorServer,
)
from simulator.__main__ import main
from tests.conftest import async_spin

REPO_ROOT = Path(__file__).resolve().parents[2]
NO_BODY: Any = object()
# A Monday noon, far from the default 23:00 reset. The hub's clock is simulated
# wall-clock time, so any tzinfo (or none) works; UTC keeps the tests simple.
START = datetime(2026, 1, 5, 12, 0, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations() -> None:
    """Override tests/conftest.py: the simulator needs no Home Assistant."""


@pytest.fixture
def hub() -> Hub:
    """Return a small hub, already past its unstable minute, at a fixed time."""
    return Hub(seed=7, start=START, unstable_seconds=0.0)


@pytest.fixture
async def server(hub: Hub, socket_enabled: None) -> AsyncIterator[SimulatorServer]:
    """Serve ``hub`` on 127.0.0.1, on a free port."""
    async with SimulatorServer(hub) as server:
        yield server


@pytest.fixture
async def session(socket_enabled: None) -> AsyncIterator[aiohttp.ClientSession]:
    """Return a plain aiohttp session, closed after the test."""
    async with aiohttp.ClientSession() as session:
        yield session


def documented_current(snapshot: dict[str, Any], correction: int = 0) -> int:
    """Apply the API document's relation between gates and ``current``."""
    total = correction
    for instance in snapshot["instances"]:
        for gate in instance["gates"]:
            if instance["gate_type"] in ("in", "both"):
                total += gate["in"]
            if instance["gate_type"] in ("out", "both"):
                total -= gate["out"]
    return total


def all_counts(hub: Hub) -> list[int]:
    """Every in and out counter of the hub."""
    return [n for i in hub.instances.values() for g in i.gates.values() for n in g]


def entries(hub: Hub) -> int:
    """Every in counter of the hub, summed."""
    return sum(g[0] for i in hub.instances.values() for g in i.gates.values())


def primary_values(snapshot: dict[str, Any]) -> list[Any]:
    """Each instance's status and each gate's in and out, in the hub's order."""
    return [
        value
        for instance in snapshot["instances"]
        for value in (
            instance["status"],
            *(n for gate in instance["gates"] for n in (gate["in"], gate["out"])),
        )
    ]


def changed_values(before: dict[str, Any], after: dict[str, Any]) -> list[Any]:
    """The primary values that differ, as ``(before, after)`` pairs."""
    pairs = zip(primary_values(before), primary_values(after), strict=True)
    return [(b, a) for b, a in pairs if b != a]


# --- the model --------------------------------------------------------------


def test_default_layout() -> None:
    hub = Hub(instances=3, gates_per_instance=2, start=START)
    snapshot = hub.snapshot()
    instances = snapshot["instances"]
    boxids = [instance["boxid"] for instance in instances]

    assert snapshot == {
        "instances": [
            {
                "gates": [{"id": 1, "in": 0, "out": 0}, {"id": 2, "in": 0, "out": 0}],
                "boxid": boxid,
                "name": f"Box #{boxid}",
                "host": instance["host"],
                "number": 0,
                "gate_type": "both",
                "status": "unstable",
            }
            for boxid, instance in zip(boxids, instances, strict=True)
        ],
        "current": 0,
        "threshold": 50,
        "reset_time": {"hour": 23, "minute": 0},
        "status": "ok",
    }
    keys = ["instances", "current", "threshold", "reset_time", "status"]
    assert list(snapshot) == keys
    assert len(set(boxids)) == 3
    assert all(10000 <= boxid <= 99999 for boxid in boxids)
    assert all(i["host"].startswith("192.168.1.") for i in instances)
    assert list(hub.instances) == [(boxid, 0) for boxid in boxids]
    # The snapshot is plain JSON.
    assert json.loads(json.dumps(snapshot)) == snapshot


def test_same_seed_same_hub() -> None:
    def run(seed: int) -> tuple[dict[str, Any], datetime]:
        hub = Hub(seed=seed, start=START, arrival_rate=0.5)
        for seconds in (30, 90, 600, 3600, 0.5):
            hub.advance(seconds)
        return hub.snapshot(), hub.now

    first, second, other = run(3), run(3), run(4)

    assert first == second
    assert sum(g["in"] for i in first[0]["instances"] for g in i["gates"]) > 0
    assert first[1] == START + timedelta(seconds=4320.5)
    assert other[0] != first[0]
    assert {i["boxid"] for i in other[0]["instances"]} != {
        i["boxid"] for i in first[0]["instances"]
    }


def test_current_follows_the_documented_relation() -> None:
    hub = Hub(instances=3, seed=11, start=START, unstable_seconds=0, arrival_rate=1)
    entry, exit_, both = hub.instances
    hub.apply_set_type({"boxid": entry[0], "number": 0, "gate_type": "in"})
    hub.apply_set_type({"boxid": exit_[0], "number": 0, "gate_type": "out"})

    for step in range(40):
        hub.advance(97)
        if step == 20:
            hub.apply_set({"occupancy": 12})
        snapshot = hub.snapshot()
        assert snapshot["current"] == documented_current(snapshot, hub.correction)
        assert snapshot["current"] >= 0
        assert snapshot["status"] == ("ok" if snapshot["current"] < 50 else "ko")

    # People came in through the in/both instances and left through out/both;
    # the "in" instance never counts exits, the "out" one never entries.
    def totals(key: tuple[int, int]) -> tuple[int, int]:
        gates = hub.instances[key].gates.values()
        return sum(g[0] for g in gates), sum(g[1] for g in gates)

    assert totals(entry)[0] > 0
    assert totals(entry)[1] == 0
    assert totals(exit_)[0] == 0
    assert totals(exit_)[1] > 0
    assert sum(totals(both)) > 0


def test_other_statuses_do_not_count_and_unstable_heals() -> None:
    hub = Hub(instances=1, start=START, unstable_seconds=30, arrival_rate=5)
    (key,) = hub.instances
    hub.set_status(*key, "not-capturing")
    hub.advance(600)
    assert hub.instances[key].status == "not-capturing"
    assert set(all_counts(hub)) == {0}

    hub.set_status(*key, "unstable")
    hub.advance(29)
    assert hub.instances[key].status == "unstable"
    hub.advance(1)
    assert hub.instances[key].status == "ok"

    with pytest.raises(ValueError, match="status"):
        hub.set_status(*key, "not_capturing")
    with pytest.raises(KeyError):
        hub.set_status(1, 2, "ok")


def test_daily_reset_zeroes_counters_and_correction() -> None:
    hub = Hub(start=START.replace(hour=22), unstable_seconds=0, arrival_rate=0.5)
    hub.advance(3000)
    hub.apply_set({"occupancy": 7})
    assert sum(all_counts(hub)) > 0
    # Freeze the crowd, so that what changes at 23:00 is the reset's doing.
    hub.arrival_rate = 0
    hub.mean_stay_seconds = float("inf")

    hub.advance(599.9)  # 22:59:59.9
    assert hub.current == 7
    hub.advance(0.1)

    assert hub.now == START.replace(hour=23)
    assert set(all_counts(hub)) == {0}
    assert (hub.current, hub.correction) == (0, 0)
    # Landing exactly on the reset minute resets once, not on every advance.
    hub.current = 3
    hub.advance(0)
    hub.advance(30)
    assert hub.current == 3


def test_daily_reset_over_several_days() -> None:
    hub = Hub(start=START, unstable_seconds=0)
    resets: list[datetime] = []
    original = hub.daily_reset

    def spy() -> None:
        resets.append(hub.now)
        original()

    hub.daily_reset = spy  # type: ignore[method-assign]
    hub.advance(3 * 86400 + 60)

    day = START.replace(hour=23)
    assert resets == [day, day + timedelta(days=1), day + timedelta(days=2)]
    # Counters only hold what happened since the last reset (Thursday 23:00):
    # about 13 hours of arrivals, not 3 days' worth.
    assert 0 < entries(hub) < 0.2 * 86400


def test_no_reset_when_reset_time_is_none() -> None:
    hub = Hub(start=START, unstable_seconds=0, reset_time=None)
    hub.advance(86400)
    hub.current = 9
    hub.advance(86400)
    assert hub.correction != 0
    # Two days of arrivals at 0.2/s, where a daily reset would leave one at most.
    assert entries(hub) > 0.2 * 86400 * 1.5


def test_apply_set_changes_only_what_is_given() -> None:
    hub = Hub(start=START, unstable_seconds=0)
    hub.advance(1800)
    gates_before = all_counts(hub)

    assert hub.apply_set({"occupancy": 42}) == {
        "current": 42,
        "threshold": 50,
        "reset_time": {"hour": 23, "minute": 0},
    }
    assert hub.current == 42
    assert all_counts(hub) == gates_before  # the counters keep their history
    assert hub.apply_set({"threshold": 43})["threshold"] == 43
    assert hub.snapshot()["status"] == "ok"  # ko from current == threshold on
    new = {"threshold": 42, "reset_time": {"hour": 4, "minute": 30}}
    assert hub.apply_set(new) == {"current": 42, **new}
    assert hub.snapshot()["status"] == "ko"
    assert hub.apply_set({"reset_time": None})["reset_time"] is None
    assert hub.snapshot()["reset_time"] is None
    assert hub.apply_set({}) == {"current": 42, "threshold": 42, "reset_time": None}


def test_apply_set_type() -> None:
    hub = Hub(start=START, unstable_seconds=0)
    key = next(iter(hub.instances))
    hub.instances[key].gates[1][:] = [10, 4]
    assert hub.current == 6

    assert hub.apply_set_type({"boxid": key[0], "number": 0, "gate_type": "in"}) == {}
    assert hub.instances[key].gate_type == "in"
    assert hub.current == 10  # exits of an "in" instance no longer count
    hub.apply_set_type({"boxid": key[0], "number": 0, "gate_type": "out"})
    assert hub.current == -4  # as documented, even below zero

    with pytest.raises(KeyError):
        hub.apply_set_type({"boxid": key[0], "number": 1, "gate_type": "in"})
    for body in (
        {"boxid": key[0], "number": 0, "gate_type": "sideways"},
        {"boxid": key[0], "number": 0, "gate_type": ["in"]},
        {"boxid": str(key[0]), "number": 0, "gate_type": "in"},
        {"boxid": key[0], "gate_type": "in"},
        [key[0], 0, "in"],
    ):
        with pytest.raises(InvalidRequestError):
            hub.apply_set_type(body)
    assert hub.instances[key].gate_type == "out"


def test_add_and_remove_instances() -> None:
    hub = Hub(instances=0, start=START, unstable_seconds=10)
    assert hub.snapshot()["instances"] == []

    first = hub.add_instance()
    second = hub.add_instance(boxid=first[0], number=1, gate_type="out", gates=3)
    bare = hub.add_instance(boxid=12345, name="Door", host="", gates=0)

    assert list(hub.instances) == [first, second, bare]
    instance = hub.instances[second]
    assert (instance.gate_type, list(instance.gates)) == ("out", [1, 2, 3])
    assert instance.status == "unstable"
    assert hub.snapshot()["instances"][2] == {
        "gates": [],
        "boxid": 12345,
        "name": "Door",
        "host": "",
        "number": 0,
        "gate_type": "both",
        "status": "no-gates",
    }
    with pytest.raises(ValueError, match="already exists"):
        hub.add_instance(boxid=12345)
    with pytest.raises(ValueError, match="gate_type"):
        hub.add_instance(gate_type="up")

    hub.instances[first].gates[1][:] = [8, 1]
    assert hub.current == 7
    hub.remove_instance(*first)
    assert list(hub.instances) == [second, bare]
    assert hub.current == 0  # its counts left with it
    with pytest.raises(KeyError):
        hub.remove_instance(*first)


def test_change_values_changes_a_share_now_and_the_same_every_run() -> None:
    def run() -> list[tuple[dict[str, Any], int]]:
        hub = Hub(instances=10, gates_per_instance=4, seed=5, start=START)
        hub.advance(60)  # every instance ok
        steps = [(hub.snapshot(), hub.primary_values)]
        for _ in range(3):
            changed = hub.change_values(0.1)
            steps.append((hub.snapshot(), changed))
            assert hub.now == START + timedelta(seconds=60)
            assert hub.current == documented_current(hub.snapshot(), hub.correction)
        return steps

    steps = run()
    assert steps == run()
    assert steps[0][1] == 90
    for (before, _), (after, changed) in itertools.pairwise(steps):
        differences = changed_values(before, after)
        assert changed == len(differences) == 9
        for old, new in differences:
            if isinstance(old, int):
                assert new == old + 1
            else:
                assert {old, new} == {"ok", "not-capturing"}


def test_change_values_changes_at_least_one_and_checks_the_share() -> None:
    hub = Hub(instances=1, gates_per_instance=1, seed=2, start=START)

    assert hub.primary_values == 3
    assert hub.change_values(0.01) == 1
    assert hub.change_values(1) == 3
    with pytest.raises(InvalidRequestError):
        hub.change_values(1.5)
    with pytest.raises(InvalidRequestError):
        hub.churn = -0.1
    assert hub.churn == 0


def test_fixed_payload_is_answered_verbatim_and_copied() -> None:
    hub = Hub(start=START)
    hub.set_fixed_payload(VENDOR_SAMPLE)
    payload = hub.payload()
    assert payload == VENDOR_SAMPLE
    payload["current"] = -1
    assert hub.payload() == VENDOR_SAMPLE  # callers cannot mutate the stored one
    assert VENDOR_SAMPLE["current"] == 40
    # The vendor's sample satisfies the documented relation.
    assert documented_current(VENDOR_SAMPLE) == 40

    hub.set_fixed_payload([1, 2])
    assert hub.payload() == [1, 2]
    hub.set_fixed_payload(None)
    assert hub.payload() == hub.snapshot()


def test_fault_queue_order_paths_and_fail_always() -> None:
    hub = Hub(start=START)
    hub.inject(Fault.HTTP_500, path=PATH_SET)
    hub.inject(Fault.GARBAGE, 2)

    def take(path: str) -> Fault | None:
        fault = hub.take_fault(path)
        return None if fault is None else fault.kind

    assert take(PATH_INSTANCES) is Fault.GARBAGE
    assert take(PATH_SET) is Fault.HTTP_500
    assert take(PATH_SET) is Fault.GARBAGE
    assert take(PATH_SET) is None

    hub.fail_always(Fault.DROP, path=PATH_INSTANCES)
    hub.inject(Fault.HTML)
    assert take(PATH_INSTANCES) is Fault.HTML  # one-shots go first
    assert take(PATH_INSTANCES) is Fault.DROP
    assert take(PATH_INSTANCES) is Fault.DROP
    assert take(PATH_SET) is None
    hub.clear_faults()
    assert take(PATH_INSTANCES) is None

    with pytest.raises(ValueError, match="count"):
        hub.inject(Fault.DELAY, 0)


# --- the server: hub API ----------------------------------------------------


async def test_hub_api_over_http(
    server: SimulatorServer, session: aiohttp.ClientSession, hub: Hub
) -> None:
    assert server.url == f"http://127.0.0.1:{server.port}"
    body = {"occupancy": 12, "threshold": 30, "reset_time": None}
    async with session.post(server.url + PATH_SET, json=body) as response:
        assert (response.status, await response.json()) == (
            200,
            {"current": 12, "threshold": 30, "reset_time": None},
        )
    assert hub.last_set_body == body

    boxid, number = next(iter(hub.instances))
    set_type = {"boxid": boxid, "number": number, "gate_type": "out"}
    async with session.post(server.url + PATH_SET_TYPE, json=set_type) as response:
        assert (response.status, await response.json()) == (200, {})
    for bad in (
        {"boxid": boxid, "number": number + 5, "gate_type": "in"},
        {"boxid": boxid, "number": number, "gate_type": "IN"},
    ):
        async with session.post(server.url + PATH_SET_TYPE, json=bad) as response:
            assert response.status == 400
            assert "error" in await response.json()
    assert hub.last_set_type_body == bad

    async with session.get(server.url + PATH_INSTANCES) as response:
        assert response.status == 200
        assert response.content_type == "application/json"
        snapshot = await response.json()
    assert snapshot == hub.snapshot()
    assert (snapshot["current"], snapshot["threshold"]) == (12, 30)
    assert snapshot["reset_time"] is None
    assert snapshot["instances"][0]["gate_type"] == "out"
    assert dict(hub.requests) == {
        ("POST", PATH_SET): 1,
        ("POST", PATH_SET_TYPE): 3,
        ("GET", PATH_INSTANCES): 1,
    }


# Bytes are sent as they are, anything else as JSON.
BAD_SET_BODIES: list[Any] = [
    b"",
    b"not json",
    b'{"occupancy": ',
    [],
    {"occupancy": -1},
    {"occupancy": True},
    {"occupancy": "3"},
    {"threshold": None},
    {"reset_time": {"hour": 24, "minute": 0}},
    {"reset_time": {"hour": 23, "minute": 60}},
    {"reset_time": {"hour": 23}},
    {"reset_time": "23:00"},
    {"occupation": 3},
    # Valid occupancy, invalid threshold: nothing at all may change.
    {"occupancy": 5, "threshold": -1},
]


@pytest.mark.parametrize("body", BAD_SET_BODIES)
async def test_bad_set_over_http_is_400_and_changes_nothing(
    server: SimulatorServer,
    session: aiohttp.ClientSession,
    hub: Hub,
    body: Any,
) -> None:
    before = hub.snapshot()
    async with session.post(
        server.url + PATH_SET,
        data=body if isinstance(body, bytes) else json.dumps(body),
        headers={"Content-Type": "application/json"},
    ) as response:
        assert response.status == 400
        answer = await response.json()
    assert isinstance(answer["error"], str)
    assert answer["error"]
    assert hub.snapshot() == before
    assert hub.requests[("POST", PATH_SET)] == 1  # still recorded as received


# --- the server: faults -----------------------------------------------------


@pytest.mark.parametrize(
    ("fault", "options", "status", "content_type", "start"),
    [
        (Fault.HTTP_500, {}, 500, "text/plain", b"500 Internal Server Error\n"),
        (Fault.GARBAGE, {}, 200, "application/json", b"\x89PNG"),  # a lie
        (Fault.HTML, {"status": 200}, 200, "text/html", b"<!DOCTYPE html>"),
        (Fault.HTML, {"status": 500}, 500, "text/html", b"<!DOCTYPE html>"),
        # Half of what the hub would have answered.
        (Fault.TRUNCATED, {}, 200, "application/json", None),
    ],
)
async def test_fault_answers_one_request(
    server: SimulatorServer,
    session: aiohttp.ClientSession,
    hub: Hub,
    *,
    fault: Fault,
    options: dict[str, Any],
    status: int,
    content_type: str,
    start: bytes | None,
) -> None:
    hub.inject(fault, **options)
    full = json.dumps(hub.snapshot()).encode()
    async with session.get(server.url + PATH_INSTANCES) as response:
        assert (response.status, response.content_type) == (status, content_type)
        raw = await response.read()
    if start is None:  # TRUNCATED: exactly the first half
        assert raw == full[: len(full) // 2]
    else:
        assert raw.startswith(start)
    with pytest.raises(ValueError):  # noqa: PT011 - JSON or UTF-8, either
        json.loads(raw)
    async with session.get(server.url + PATH_INSTANCES) as response:
        assert await response.json() == hub.snapshot()
    assert [r.fault for r in hub.received] == [fault, None]


async def test_fault_delay(
    server: SimulatorServer,
    session: aiohttp.ClientSession,
    hub: Hub,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A delayed request is answered, and applied, once its delay is over or
    it is released; a client that gives up takes its request with it.

    The loop's clock is the test's (frozen): only ticks move the delay on.
    """

    def set_threshold(value: int, timeout: float = 300) -> asyncio.Future[Any]:
        return asyncio.ensure_future(
            session.post(
                server.url + PATH_SET,
                json={"threshold": value},
                timeout=aiohttp.ClientTimeout(total=timeout),
            )
        )

    hub.inject(Fault.DELAY, delay=30)
    answer = set_threshold(9)
    await server.wait_delayed(1)
    freezer.tick(29)
    await async_spin(20)
    assert not answer.done()
    assert hub.threshold == 50
    # Past the deadline: at the loop clock's size, a tick that lands on it
    # exactly can round to just before it.
    freezer.tick(2)
    async with await answer as response:
        assert response.status == 200  # late, but answered and applied
    assert hub.threshold == 9
    assert server.delayed == 0

    # No delay: held until released, however long (within the timeout).
    hub.inject(Fault.DELAY, 2, delay=None)
    read = asyncio.ensure_future(session.get(server.url + PATH_INSTANCES))
    write = set_threshold(8)
    await server.wait_delayed(2)
    freezer.tick(60)
    await async_spin(20)
    assert not read.done()
    assert not write.done()
    assert hub.threshold == 9
    server.release_delayed()
    await server.wait_delayed(0)
    assert hub.threshold == 8
    for done in (read, write):
        async with await done as response:
            assert response.status == 200

    hub.inject(Fault.DELAY, delay=None)
    given_up = set_threshold(7, timeout=5)
    await server.wait_delayed(1)
    freezer.tick(6)
    with pytest.raises(TimeoutError):
        await given_up
    await server.wait_delayed(0)
    server.release_delayed()
    await async_spin(20)
    assert hub.threshold == 8


async def test_fault_drop(
    server: SimulatorServer, session: aiohttp.ClientSession, hub: Hub
) -> None:
    # aiohttp retries a GET once when the server disconnects, so it takes two
    # drops in a row for the client to see one.
    hub.inject(Fault.DROP, 2)
    with pytest.raises(aiohttp.ServerDisconnectedError):
        await session.get(server.url + PATH_INSTANCES)
    assert hub.requests[("GET", PATH_INSTANCES)] == 2

    # POST is not retried; a dropped /set is not applied.
    hub.inject(Fault.DROP)
    with pytest.raises(aiohttp.ServerDisconnectedError):
        await session.post(server.url + PATH_SET, json={"threshold": 1})
    assert hub.threshold == 50
    assert hub.last_set_body == {"threshold": 1}


async def test_fault_huge(
    server: SimulatorServer, session: aiohttp.ClientSession, hub: Hub
) -> None:
    hub.inject(Fault.HUGE)
    async with session.get(server.url + PATH_INSTANCES) as response:
        assert response.status == 200
        assert response.content_length is None  # chunked: no size up front
        raw = await response.read()
    document = json.loads(raw)  # valid, hub-shaped, only too big
    assert document.pop("padding") == "x" * (8 * 1024 * 1024)
    assert document == hub.snapshot()

    # A client that hangs up mid-body (one with a size cap) is no trouble.
    hub.inject(Fault.HUGE, size=64 * 1024 * 1024)
    async with session.get(server.url + PATH_INSTANCES) as response:
        assert len(await response.content.read(1024)) > 0
        response.close()
    async with session.get(server.url + PATH_INSTANCES) as response:
        assert response.status == 200


async def test_faults_by_path_and_always(
    server: SimulatorServer, session: aiohttp.ClientSession, hub: Hub
) -> None:
    async def status(method: str, path: str) -> int:
        async with session.request(method, server.url + path, json={}) as response:
            return response.status

    hub.inject(Fault.HTTP_500, path=PATH_SET)
    assert await status("GET", PATH_INSTANCES) == 200
    assert await status("POST", PATH_SET) == 500

    hub.fail_always(Fault.HTTP_500)
    assert [await status("GET", PATH_INSTANCES) for _ in range(3)] == [500] * 3
    # The control API is never faulted.
    async with session.get(server.url + "/_sim/state") as response:
        assert response.status == 200
        assert (await response.json())["fail_always"]["kind"] == "http_500"
    assert ("GET", "/_sim/state") not in hub.requests

    hub.fail_always(None)
    assert await status("GET", PATH_INSTANCES) == 200


# --- the server: control API ------------------------------------------------


async def test_control_api(
    server: SimulatorServer, session: aiohttp.ClientSession, hub: Hub
) -> None:
    async def call(method: str, path: str, body: Any = NO_BODY) -> tuple[int, Any]:
        data = None if body is NO_BODY else json.dumps(body).encode()
        async with session.request(method, server.url + path, data=data) as response:
            return response.status, await response.json()

    async def refused(method: str, path: str, body: Any = NO_BODY) -> int:
        status, answer = await call(method, path, body)
        assert set(answer) == {"error"}
        return status

    status, state = await call("POST", "/_sim/advance", {"seconds": 3600})
    assert status == 200
    assert state["now"] == (START + timedelta(hours=1)).isoformat()
    assert state["model"] == hub.snapshot()
    assert await refused("POST", "/_sim/advance", {"seconds": -1}) == 400
    assert await refused("POST", "/_sim/advance", {"seconds": "1"}) == 400

    status, state = await call("POST", "/_sim/daily_reset")
    assert (status, state["model"]["current"]) == (200, 0)

    fault = {"kind": "delay", "count": 2, "delay": 0.01}
    status, state = await call("POST", "/_sim/fault", fault)
    assert status == 200
    assert (state["faults"][0]["kind"], state["faults"][0]["remaining"]) == ("delay", 2)
    status, state = await call("POST", "/_sim/fault", {"kind": "delay", "delay": None})
    assert (status, state["faults"][1]["delay"]) == (200, None)
    assert await refused("POST", "/_sim/fault", {"kind": "delay", "delay": -1}) == 400
    assert await call("POST", "/_sim/release") == (200, {"released": 0})
    assert await refused("POST", "/_sim/fault", {"kind": "nope"}) == 400
    assert await refused("POST", "/_sim/fault", {"kind": "drop", "count": 0}) == 400
    always = {"kind": "http_500", "always": True}
    assert (await call("POST", "/_sim/fault", always))[1]["fail_always"]["kind"] == (
        "http_500"
    )
    status, state = await call("POST", "/_sim/fault/clear")
    assert (state["faults"], state["fail_always"]) == ([], None)

    added = {"boxid": 55555, "number": 2}
    assert await call("POST", "/_sim/instances", {**added, "gate_type": "in"}) == (
        201,
        added,
    )
    assert hub.instances[(55555, 2)].gate_type == "in"
    status, other = await call("POST", "/_sim/instances")
    assert status == 201
    assert (other["boxid"], other["number"]) in hub.instances
    assert await refused("POST", "/_sim/instances", {"colour": "red"}) == 400
    assert await refused("POST", "/_sim/instances", added) == 400

    disabled = {**added, "status": "disabled"}
    assert (await call("POST", "/_sim/status", disabled))[0] == 200
    assert hub.instances[(55555, 2)].status == "disabled"
    missing = {"boxid": 1, "number": 0, "status": "ok"}
    assert await refused("POST", "/_sim/status", missing) == 404
    assert await refused("POST", "/_sim/status", {**added, "status": "?"}) == 400

    assert (await call("DELETE", "/_sim/instances/55555/2"))[0] == 200
    assert (55555, 2) not in hub.instances
    assert await refused("DELETE", "/_sim/instances/55555/2") == 404
    assert await refused("DELETE", "/_sim/instances/x/2") == 400

    assert (await call("POST", "/_sim/payload", VENDOR_SAMPLE))[0] == 200
    assert (await call("GET", PATH_INSTANCES)) == (200, VENDOR_SAMPLE)
    assert (await call("POST", "/_sim/payload", None))[0] == 200
    assert (await call("GET", PATH_INSTANCES)) == (200, hub.snapshot())

    status, state = await call("GET", "/_sim/state")
    assert state["requests"] == [{"method": "GET", "path": PATH_INSTANCES, "count": 2}]


async def test_churn_changes_values_before_every_get(
    server: SimulatorServer, session: aiohttp.ClientSession, hub: Hub
) -> None:
    async def get() -> dict[str, Any]:
        async with session.get(server.url + PATH_INSTANCES) as response:
            result: dict[str, Any] = await response.json()
            return result

    async def churn(body: Any) -> tuple[int, Any]:
        async with session.post(server.url + "/_sim/churn", json=body) as response:
            return response.status, await response.json()

    idle = await get()
    assert await get() == idle
    assert await churn({"share": 0.5}) == (
        200,
        {"share": 0.5, "primary_values": 10, "changed_per_get": 5},
    )
    first, second = await get(), await get()
    assert len(changed_values(idle, first)) == len(changed_values(first, second)) == 5
    assert second == hub.snapshot()

    assert (await churn({"share": 0}))[0] == 200
    assert await get() == second
    assert (await churn({"share": 2}))[0] == 400
    assert (await churn({}))[0] == 400
    assert hub.churn == 0


async def test_real_time_clock_advances_the_hub(
    socket_enabled: None, freezer: FrozenDateTimeFactory
) -> None:
    """The hub follows the loop's clock (here the test's) until the server stops."""
    hub = Hub(start=START)

    def elapsed() -> float:
        return (hub.now - START).total_seconds()

    async with SimulatorServer(hub, real_time=True, tick_seconds=1):
        # The clock's task wakes within a few turns: no I/O stands between.
        freezer.tick(1.5)
        await async_spin(20)
        assert elapsed() == pytest.approx(1.5, abs=1e-3)
        # A late tick advances by the time that really passed.
        freezer.tick(2.5)
        await async_spin(20)
        assert elapsed() == pytest.approx(4, abs=1e-3)
    freezer.tick(10)
    await async_spin(20)
    assert elapsed() == pytest.approx(4, abs=1e-3)  # stopped with the server


async def test_server_lifecycle(
    socket_enabled: None, session: aiohttp.ClientSession
) -> None:
    """Closing the server answers what a delay holds instead of waiting on it."""
    server = SimulatorServer()
    with pytest.raises(RuntimeError):
        _ = server.url
    await server.start()
    try:
        with pytest.raises(RuntimeError):
            await server.start()
        server.hub.inject(Fault.DELAY, delay=None)
        answer = asyncio.ensure_future(session.get(server.url + PATH_INSTANCES))
        await server.wait_delayed(1)
    finally:
        await server.close()
    async with await answer as response:
        assert response.status == 200
    await server.close()  # idempotent


# --- the CLI ----------------------------------------------------------------


async def test_cli_serves_until_sigterm(socket_enabled: None) -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "simulator",
        "--port",
        "0",
        "--vendor-sample",
        "--no-real-time",
        "--quiet",
        cwd=REPO_ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        assert process.stdout is not None
        line = (await asyncio.wait_for(process.stdout.readline(), 20)).decode()
        assert line.startswith("VidiAccess simulator listening on http://127.0.0.1:")
        async with (
            aiohttp.ClientSession() as session,
            session.get(line.split()[-1] + PATH_INSTANCES) as response,
        ):
            assert await response.json() == VENDOR_SAMPLE
        process.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(process.wait(), 20) == 0
        assert b"stopped" in await process.stdout.read()
    finally:
        if process.returncode is None:
            process.kill()
            with contextlib.suppress(ProcessLookupError):
                await process.wait()


def test_cli_rejects_bad_arguments(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--reset-time", "25:00"])
    assert exit_info.value.code == 2
    with pytest.raises(SystemExit):
        main(["--vendor-sample", "--payload", "x.json"])

    missing = tmp_path / "missing.json"
    assert main(["--payload", str(missing)]) == 2
    broken = tmp_path / "broken.json"
    broken.write_text("{", encoding="utf-8")
    assert main(["--payload", str(broken)]) == 2
    assert "error:" in capsys.readouterr().err
