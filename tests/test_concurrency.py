"""Writes and polls that meet: one request to a hub at a time, in call order.

A real HTTP hub on 127.0.0.1 (the simulator's model and routes) whose answers
the test can hold back: the hub applies each request when it arrives, like a
real one, and only its answer waits. Held answers let the test make a poll
and a write overlap, and a hub answer out of order, whenever the integration
would let them; with writes serialised, neither can happen.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from aiohttp import web
from aiohttp.typedefs import Handler
from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import CONF_HOST, CONF_PORT, STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)

from custom_components.vidigates.const import DOMAIN, SCAN_INTERVAL
from simulator import PATH_INSTANCES, PATH_SET, Fault, Hub, create_app

from .conftest import async_spin, setup_integration, state_of

START = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)

OCCUPANCY = "sensor.held_hub_occupancy"
OCCUPANCY_NUMBER = "number.held_hub_occupancy"
THRESHOLD = "sensor.held_hub_occupancy_limit"
THRESHOLD_NUMBER = "number.held_hub_occupancy_limit"

pytestmark = pytest.mark.usefixtures("socket_enabled", "quiet_access_log")


@dataclass
class HeldAnswers:
    """Holds the hub's answers to some paths until the test lets them go."""

    paths: set[str] = field(default_factory=set)
    waiting: list[asyncio.Future[None]] = field(default_factory=list)
    arrivals: dict[str, asyncio.Event] = field(default_factory=dict)

    @web.middleware
    async def middleware(
        self, request: web.Request, handler: Handler
    ) -> web.StreamResponse:
        # The request is applied at once, whether its answer is held or not.
        response = await handler(request)
        self.arrived(request.path).set()
        if request.path in self.paths:
            turn = asyncio.get_running_loop().create_future()
            self.waiting.append(turn)
            try:
                await turn
            finally:
                if turn in self.waiting:
                    self.waiting.remove(turn)
        return response

    def arrived(self, path: str) -> asyncio.Event:
        return self.arrivals.setdefault(path, asyncio.Event())

    def release_newest(self) -> None:
        if self.waiting:
            self.waiting.pop().set_result(None)

    def release_oldest(self) -> None:
        self.waiting.pop(0).set_result(None)

    def release_all(self) -> None:
        """Stop holding, and send every held answer, oldest first."""
        self.paths.clear()
        while self.waiting:
            self.waiting.pop(0).set_result(None)


type HeldHub = tuple[Hub, HeldAnswers, MockConfigEntry]


@pytest.fixture
async def held_hub(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> AsyncIterator[HeldHub]:
    """A quiet hub (nobody walks in unless the test says so), set up in HA.

    The clock is frozen (the event loop's too): on a loaded machine, real time
    would otherwise bring a poll in between the writes a test counts.
    """
    hub = Hub(seed=5, start=START, unstable_seconds=0.0, arrival_rate=0.0)
    held = HeldAnswers()
    app = create_app(hub)
    # Outermost, so that a faulted answer can be held back too.
    app.middlewares.insert(0, held.middleware)
    runner = web.AppRunner(app, handler_cancellation=True, shutdown_timeout=0.5)
    await runner.setup()
    try:
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        entry = MockConfigEntry(
            domain=DOMAIN,
            title="Held hub",
            data={CONF_HOST: "127.0.0.1", CONF_PORT: runner.addresses[0][1]},
        )
        await setup_integration(hass, entry)
        yield hub, held, entry
        held.release_all()
        assert await hass.config_entries.async_unload(entry.entry_id)
    finally:
        await runner.cleanup()


def _action(
    hass: HomeAssistant, entry: MockConfigEntry, service: str, **data: Any
) -> asyncio.Task[Any]:
    return asyncio.create_task(
        hass.services.async_call(
            DOMAIN, service, {"config_entry_id": entry.entry_id, **data}, blocking=True
        )
    )


def _start_poll(hass: HomeAssistant) -> None:
    # The poll runs as a background task.
    async_fire_time_changed(hass, dt_util.utcnow() + SCAN_INTERVAL)


async def _answer_newest_first(
    held: HeldAnswers, calls: list[asyncio.Task[Any]]
) -> None:
    """Release held answers one by one, the latest first, until the calls end."""
    for _ in range(1000):
        if all(call.done() for call in calls):
            return
        # Whatever can reach the hub meanwhile does, and is held too.
        await async_spin()
        held.release_newest()
    pytest.fail("the calls did not finish")


async def test_write_refused_as_the_hub_comes_back(
    hass: HomeAssistant, held_hub: HeldHub
) -> None:
    """A poll that meets a refused write shows the hub now, not before the outage.

    The hub fails, then answers again while a write is out and about to be
    refused. The poll of that moment must show what the hub says, never the
    values read before the outage.
    """
    hub, held, entry = held_hub
    before = hub.current
    assert state_of(hass, OCCUPANCY) == str(before)
    hub.fail_always(Fault.HTTP_500, path=PATH_INSTANCES)
    _start_poll(hass)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert state_of(hass, OCCUPANCY) == STATE_UNAVAILABLE

    # Back, with more people inside; the write on its way will be refused.
    hub.fail_always(None)
    hub.current = before + 7
    hub.inject(Fault.HTTP_500, path=PATH_SET)
    held.paths = {PATH_SET, PATH_INSTANCES}
    write = _action(hass, entry, "set", threshold=77)
    await held.arrived(PATH_SET).wait()
    _start_poll(hass)
    # Were the poll free to read now, its read would reach the hub and wait.
    await async_spin()
    held.release_oldest()  # the refusal
    with pytest.raises(HomeAssistantError):
        await write
    held.release_all()  # and then the read
    await hass.async_block_till_done(wait_background_tasks=True)

    assert hub.threshold == 50
    assert (state_of(hass, OCCUPANCY), state_of(hass, THRESHOLD)) == (
        str(before + 7),
        "50",
    )


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_simultaneous_adjustments_add_up(
    hass: HomeAssistant, held_hub: HeldHub
) -> None:
    """Ten +1 at the same moment on 40 people: 50, each read after the last write."""
    hub, held, entry = held_hub
    hub.current = 40
    hub.received.clear()
    held.paths = {PATH_INSTANCES}

    calls = [_action(hass, entry, "adjust_occupancy", delta=1) for _ in range(10)]
    await _answer_newest_first(held, calls)
    await asyncio.gather(*calls)

    assert hub.current == 50
    assert [(request.method, request.decoded()) for request in hub.received] == [
        request
        for people in range(41, 51)
        for request in (("GET", None), ("POST", {"occupancy": people}))
    ]
    assert (state_of(hass, OCCUPANCY), state_of(hass, OCCUPANCY_NUMBER)) == ("50", "50")


async def test_simultaneous_sets_end_on_the_hubs_value(
    hass: HomeAssistant, held_hub: HeldHub
) -> None:
    """Twenty limits at once, answers out of order if they can: the last one shows.

    The hub applies each /set as it arrives; were several out at once, it
    would answer them newest first, and the oldest answer would come last.
    """
    hub, held, entry = held_hub
    hub.received.clear()
    held.paths = {PATH_SET}
    limits = [60 + step for step in range(20)]

    calls = [_action(hass, entry, "set", threshold=limit) for limit in limits]
    await _answer_newest_first(held, calls)
    await asyncio.gather(*calls)

    # Sent one at a time, in call order: the hub ends on the last call's limit.
    assert [request.decoded() for request in hub.received] == [
        {"threshold": limit} for limit in limits
    ]
    assert hub.threshold == limits[-1]
    shown = {state_of(hass, THRESHOLD), state_of(hass, THRESHOLD_NUMBER)}
    assert shown == {str(limits[-1])}
