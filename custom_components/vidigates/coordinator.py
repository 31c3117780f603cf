"""The coordinator that polls a VidiAccess hub and wakes only what changed."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from datetime import datetime
from time import monotonic
import traceback
from typing import Final, override

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator, UpdateFailed
from homeassistant.util import dt as dt_util

from .api import VidiGatesClient
from .const import DOMAIN, LOGGER, SCAN_INTERVAL
from .exceptions import VidiGatesConnectionError, VidiGatesError
from .models import HubState, SetResult

type VidiGatesConfigEntry = ConfigEntry[VidiGatesCoordinator]

HUB_CONTEXT: Final = "hub"
"""With a field name, ``(HUB_CONTEXT, "current")``: listeners of one hub value."""
HUB_FIELDS: Final = (
    "current",
    "threshold",
    "reset_time",
    "limit_reached",
    "entries",
    "exits",
)
SET_CONTEXTS: Final = frozenset(
    (HUB_CONTEXT, field)
    for field in ("current", "threshold", "reset_time", "limit_reached")
)
"""The hub values a ``/set`` answer gives (limit_reached follows from two)."""
STRUCTURE_CONTEXT: Final = "structure"
"""Listeners of the set of instances and gates (entity adders, device cleanup)."""

type GateContext = tuple[int, int, int, str]
"""``(boxid, number, gate_id, "in" | "out")``: listeners of one gate counter."""


class Contexts(tuple[object, ...]):
    """Several contexts for one listener, which wakes when any of them changed."""

    __slots__ = ()


def _changed_hub_contexts(old: HubState, new: HubState) -> Iterator[object]:
    # One context per value: a busy hub changes its totals on every poll, and
    # waking every hub entity for them would cost more than the writes.
    if old.current != new.current:
        yield (HUB_CONTEXT, "current")
    if old.threshold != new.threshold:
        yield (HUB_CONTEXT, "threshold")
    if old.reset_time != new.reset_time:
        yield (HUB_CONTEXT, "reset_time")
    if old.limit_reached != new.limit_reached:
        yield (HUB_CONTEXT, "limit_reached")
    if old.entries != new.entries:
        yield (HUB_CONTEXT, "entries")
    if old.exits != new.exits:
        yield (HUB_CONTEXT, "exits")


def changed_contexts(old: HubState, new: HubState) -> Iterator[object]:
    """Yield the listener contexts whose values differ between two snapshots.

    Instances and gates are matched by key, so the cost is one comparison per
    instance plus work for what really changed, whatever the number of
    entities.
    """
    yield from _changed_hub_contexts(old, new)
    old_instances = old.instances
    structure_seen = old_instances.keys() != new.instances.keys()
    if structure_seen:
        yield STRUCTURE_CONTEXT
    for key, instance in new.instances.items():
        before = old_instances.get(key)
        # Polls share what did not change (see parse_hub_state): identity
        # settles most instances and gates without comparing their fields,
        # and comparing whole instances first would only repeat the work
        # below for those that changed.
        if before is None or before is instance:
            continue
        if (
            before.status != instance.status
            or before.gate_type != instance.gate_type
            or before.name != instance.name
            or before.host != instance.host
        ):
            yield key
        old_gates, new_gates = before.gates, instance.gates
        boxid, number = key
        if old_gates.keys() != new_gates.keys():
            if not structure_seen:
                structure_seen = True
                yield STRUCTURE_CONTEXT
            # The sensors of a gate deleted at the hub stay (their
            # instance does), and must learn that their gate is gone.
            for gate_id in old_gates.keys() - new_gates.keys():
                yield (boxid, number, gate_id, "in")
                yield (boxid, number, gate_id, "out")
        for gate_id, gate in new_gates.items():
            if (was := old_gates.get(gate_id)) is gate:
                continue
            # A counter changes alone most of the time: wake only its sensor.
            if was is None or was.crossings_in != gate.crossings_in:
                yield (boxid, number, gate_id, "in")
            if was is None or was.crossings_out != gate.crossings_out:
                yield (boxid, number, gate_id, "out")


class VidiGatesCoordinator(DataUpdateCoordinator[HubState]):
    """Polls one hub; entities listen to the part of the snapshot they show."""

    config_entry: VidiGatesConfigEntry

    def __init__(
        self,
        hass: HomeAssistant,
        config_entry: VidiGatesConfigEntry,
        client: VidiGatesClient,
    ) -> None:
        """Create the coordinator for one hub."""
        super().__init__(
            hass,
            LOGGER,
            config_entry=config_entry,
            name=f"VidiAccess hub {client.host}",
            update_interval=SCAN_INTERVAL,
            # HubState compares by value: an idle poll wakes nobody.
            always_update=False,
        )
        self.client = client
        self.hub_device_id: str | None = None
        # Every request to the hub, polls included, holds this: one at a time,
        # in call order (asyncio's lock is fair). A poll then never overlaps a
        # write, and a read-modify-write cannot interleave with another write.
        self.hub_lock = asyncio.Lock()
        # A /set answer that came after the last failed read: the values it
        # gives are current, while everything else is as old as that read.
        self._set_since_failed_read = False
        self._by_context: dict[object, list[CALLBACK_TYPE]] = {}
        self._dispatched: HubState | None = None
        self._dispatched_freshness = (True, True)
        # For diagnostics: how long the hub took to answer, and when it last did.
        self.last_update_duration: float | None = None
        self.last_success_time: datetime | None = None

    @property
    def settings_fresh(self) -> bool:
        """Whether occupancy, limit and reset time are newer than the last failed read.

        True after a good read, and after a ``/set`` answer (which says what
        those values are now) even while reads fail.
        """
        return self.last_update_success or self._set_since_failed_read

    @override
    async def _async_update_data(self) -> HubState:
        async with self.hub_lock:
            started = monotonic()
            try:
                state = await self.client.instances(self.data)
            except VidiGatesError as err:
                self._set_since_failed_read = False
                # The coordinator keeps its last error until the next one, and
                # the frames of the failed request would keep the hub's answer
                # (up to 1 MiB of whatever it sent) alive with it.
                traceback.clear_frames(err.__traceback__)
                raise UpdateFailed(
                    translation_domain=DOMAIN,
                    translation_key=(
                        "cannot_connect"
                        if isinstance(err, VidiGatesConnectionError)
                        else "invalid_response"
                    ),
                    translation_placeholders={"error": str(err)},
                ) from err
            finally:
                self.last_update_duration = round(monotonic() - started, 3)
        self.last_success_time = dt_util.utcnow()
        return state

    @callback
    @override
    def _async_refresh_finished(self) -> None:
        # The base class wakes nobody when a failed read follows a failed read,
        # but one that follows a /set answer has just made that answer stale.
        if not self.last_update_success:
            self.async_update_listeners()

    @callback
    def async_apply_set_result(self, result: SetResult) -> None:
        """Show the values a ``/set`` answer says are in force, at once.

        Call it with :attr:`hub_lock` held, so that answers apply in the
        order the hub gave them. Only those values become current: while
        reads fail, counters and instances stay unavailable.
        """
        self.data = self.data.replace_settings(result)
        self._set_since_failed_read = True
        self.async_update_listeners()

    @callback
    @override
    def async_add_listener(
        self, update_callback: CALLBACK_TYPE, context: object = None
    ) -> Callable[[], None]:
        """Listen for changes of a context, or of any of ``Contexts``.

        None: every change.
        """
        remove = super().async_add_listener(update_callback, context)
        contexts = context if isinstance(context, Contexts) else (context,)
        for one in contexts:
            self._by_context.setdefault(one, []).append(update_callback)

        @callback
        def _remove() -> None:
            remove()
            for one in contexts:
                bucket = self._by_context[one]
                bucket.remove(update_callback)
                if not bucket:
                    del self._by_context[one]

        return _remove

    @callback
    @override
    def async_update_listeners(self) -> None:
        """Wake the listeners of what changed since the last dispatch.

        The base class wakes every entity on every change; with hundreds of
        counters and a poll every two seconds, that is most of the cost of a
        busy hub. Availability changes still wake everyone; with nothing
        changed, nobody wakes.
        """
        freshness = (self.last_update_success, self.settings_fresh)
        previous, previous_freshness = self._dispatched, self._dispatched_freshness
        self._dispatched, self._dispatched_freshness = self.data, freshness
        if previous is None or previous_freshness != freshness:
            super().async_update_listeners()
            return
        if previous is self.data:
            return
        by_context = self._by_context
        for context in (None, *changed_contexts(previous, self.data)):
            # A copy: listeners may add or remove entities while we loop.
            for update_callback in tuple(by_context.get(context, ())):
                try:
                    update_callback()
                except Exception:
                    self.logger.exception(
                        "Unexpected error updating listener %s for %s",
                        update_callback,
                        self.name,
                    )
