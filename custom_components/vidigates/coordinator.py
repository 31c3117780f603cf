"""The coordinator that polls a VidiAccess hub and wakes only what changed."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator, Mapping
from dataclasses import fields
from datetime import datetime
from enum import Enum
from operator import attrgetter
from time import monotonic
import traceback
from typing import Literal, NamedTuple, override

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator, UpdateFailed
from homeassistant.util import dt as dt_util

from .api import VidiGatesClient
from .const import DOMAIN, LOGGER, SCAN_INTERVAL
from .exceptions import VidiGatesConnectionError, VidiGatesError
from .models import Gate, HubState, Instance, InstanceKey, SetResult

type VidiGatesConfigEntry = ConfigEntry[VidiGatesCoordinator]


class Wake(Enum):
    """The contexts that are not one instance or one gate counter."""

    HUB = "hub"
    """Any hub value: occupancy, limit, reset time, totals."""
    STRUCTURE = "structure"
    """The set of instances and gates (entity adders, device cleanup)."""
    COUNTERS = "counters"
    """Any gate counter or gate type, or the set of instances or gates (the tally)."""


class GateCounter(NamedTuple):
    """One counter of one gate: its sensor's context."""

    boxid: int
    number: int
    gate_id: int
    direction: Literal["in", "out"]


type Context = Wake | InstanceKey | GateCounter
"""What a listener is woken for; an :data:`InstanceKey` stands for the
instance's own values (status, gate type, name, host)."""

# Derived from the models, so that a new field wakes its entities.
_hub_values = attrgetter(*(f.name for f in fields(HubState) if f.name != "instances"))
_instance_values = attrgetter(*(f.name for f in fields(Instance) if f.name != "gates"))


def changed_contexts(old: HubState, new: HubState) -> Iterator[Context]:
    """Yield the listener contexts whose values differ between two snapshots.

    Instances and gates are matched by key, so the cost is one comparison per
    instance plus work for what really changed, whatever the number of
    entities. The hub's values share one context: its dozen entities each
    compare their own value, which costs less than telling them apart here.
    """
    if _hub_values(old) != _hub_values(new):
        yield Wake.HUB
    old_instances = old.instances
    structure_seen = counters_seen = old_instances.keys() != new.instances.keys()
    if structure_seen:
        yield Wake.STRUCTURE
        yield Wake.COUNTERS
    for key, instance in new.instances.items():
        before = old_instances.get(key)
        # Polls share what did not change (see parse_hub_state): identity
        # settles most instances and gates without comparing their fields,
        # and comparing whole instances first would only repeat the work
        # below for those that changed.
        if before is None or before is instance:
            continue
        if _instance_values(before) != _instance_values(instance):
            yield key
            if not counters_seen and before.gate_type is not instance.gate_type:
                counters_seen = True
                yield Wake.COUNTERS
        old_gates, new_gates = before.gates, instance.gates
        if old_gates.keys() != new_gates.keys() and not structure_seen:
            structure_seen = True
            yield Wake.STRUCTURE
        for context in _gate_contexts(key, old_gates, new_gates):
            if not counters_seen:
                counters_seen = True
                yield Wake.COUNTERS
            yield context


def _gate_contexts(
    key: InstanceKey, old_gates: Mapping[int, Gate], new_gates: Mapping[int, Gate]
) -> Iterator[GateCounter]:
    """Yield the counters of one instance that changed, or whose gate came or went."""
    boxid, number = key
    # The sensors of a gate deleted at the hub stay (their instance does), and
    # must learn that their gate is gone.
    for gate_id in old_gates.keys() - new_gates.keys():
        yield GateCounter(boxid, number, gate_id, "in")
        yield GateCounter(boxid, number, gate_id, "out")
    for gate_id, gate in new_gates.items():
        if (was := old_gates.get(gate_id)) is gate:
            continue
        # A counter changes alone most of the time: wake only its sensor.
        if was is None or was.crossings_in != gate.crossings_in:
            yield GateCounter(boxid, number, gate_id, "in")
        if was is None or was.crossings_out != gate.crossings_out:
            yield GateCounter(boxid, number, gate_id, "out")


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
        self._by_context: dict[Context | None, list[CALLBACK_TYPE]] = {}
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
        # Only then: the rest of an outage changes nothing to show.
        freshness = (self.last_update_success, self.settings_fresh)
        if not self.last_update_success and freshness != self._dispatched_freshness:
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
        self, update_callback: CALLBACK_TYPE, context: Context | None = None
    ) -> Callable[[], None]:
        """Listen for changes of one context; None: every change."""
        remove = super().async_add_listener(update_callback, context)
        self._by_context.setdefault(context, []).append(update_callback)

        @callback
        def _remove() -> None:
            remove()
            bucket = self._by_context[context]
            bucket.remove(update_callback)
            if not bucket:
                del self._by_context[context]

        return _remove

    @callback
    @override
    def async_update_listeners(self) -> None:
        """Wake the listeners; after a poll, only those of what changed.

        The base class wakes every entity on every change; with hundreds of
        counters and a poll every two seconds, that is most of the cost of a
        busy hub. A call with the data already dispatched, or with another
        availability, wakes everyone, as in Home Assistant: each entity
        writes only what changed, so that stays cheap.
        """
        freshness = (self.last_update_success, self.settings_fresh)
        previous, previous_freshness = self._dispatched, self._dispatched_freshness
        self._dispatched, self._dispatched_freshness = self.data, freshness
        if previous is None or previous is self.data or previous_freshness != freshness:
            super().async_update_listeners()
            return
        bucket_of = self._by_context.get
        # A dict: once each, in order, even when listed under two contexts;
        # and a copy, as listeners may add or remove entities while we loop.
        woken = dict.fromkeys(bucket_of(None, ()))
        for context in changed_contexts(previous, self.data):
            # Most contexts have one listener: a loop costs less than merging
            # a dict built for it.
            if (bucket := bucket_of(context)) is not None:
                for update_callback in bucket:
                    woken[update_callback] = None
        for update_callback in woken:
            try:
                update_callback()
            except Exception:
                self.logger.exception(
                    "Unexpected error updating listener %s for %s",
                    update_callback,
                    self.name,
                )
