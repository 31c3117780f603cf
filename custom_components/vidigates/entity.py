"""The base entity of VidiGates, and what places an entity on the hub's tree.

Every entity shows one part of the hub's snapshot: the hub itself, one
instance, or one gate of an instance. Its :class:`Scope` says which part, how
to find it by key, which device it belongs to, and which coordinator context
wakes it. An entity writes its state only when its own value or availability
differs from what it wrote last.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Final, Literal, Protocol, override

from homeassistant.core import callback
from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.helpers.entity import Entity, EntityDescription
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from .compat import via_device
from .const import DOMAIN, INSTANCE_MODEL, MANUFACTURER
from .coordinator import (
    Context,
    GateCounter,
    VidiGatesConfigEntry,
    VidiGatesCoordinator,
    Wake,
)
from .models import Gate, HubState, Instance, InstanceKey


def instance_device_identifier(entry_id: str, key: InstanceKey) -> str:
    """Return the device identifier of an instance, as one hub sees it.

    BoxID and number identify an instance, but two hubs (a spare, a test
    machine) can list the same one: each hub's entry gets its own device and
    entities for it.
    """
    return f"{entry_id}-{key[0]}-{key[1]}"


class Scope[SubjectT](Protocol):
    """Where an entity's subject lives in the hub's snapshot."""

    def context(self, key: str) -> Context:
        """The coordinator context whose changes wake the entity ``key``."""

    @property
    def translation_placeholders(self) -> dict[str, str] | None:
        """What the entity's translated name needs, if anything."""

    @property
    def unique_id_prefix(self) -> str:
        """What makes the entity's unique id unique across hubs."""

    def lookup(self, data: HubState) -> SubjectT | None:
        """Return the subject in ``data``, or None when the hub lost it."""

    def device_info(self, coordinator: VidiGatesCoordinator) -> DeviceInfo:
        """Return the device the entity belongs to."""


@dataclass(frozen=True, slots=True)
class HubScope:
    """The hub itself: occupancy, limit, totals."""

    entry_id: str

    @property
    def translation_placeholders(self) -> None:
        """Named without placeholders."""
        return None

    def context(self, key: str) -> Context:
        """Woken when a hub value changes."""
        return Wake.HUB

    @property
    def unique_id_prefix(self) -> str:
        """The hub has no serial number: the config entry identifies it."""
        return self.entry_id

    def lookup(self, data: HubState) -> HubState:
        """The hub is always there while it answers."""
        return data

    def device_info(self, coordinator: VidiGatesCoordinator) -> DeviceInfo:
        """The hub device, created at set-up."""
        return DeviceInfo(identifiers={(DOMAIN, self.entry_id)})


@dataclass(frozen=True, slots=True)
class InstanceScope:
    """One VidiGates instance of one hub, by ``(boxid, number)``."""

    entry_id: str
    key: InstanceKey

    @property
    def translation_placeholders(self) -> None:
        """Named without placeholders."""
        return None

    def context(self, key: str) -> Context:
        """Woken when the instance's status, type or name changes."""
        return self.key

    @property
    def unique_id_prefix(self) -> str:
        """The hub's entry, BoxID and number."""
        return instance_device_identifier(self.entry_id, self.key)

    def lookup(self, data: HubState) -> Instance | None:
        """Find the instance by key."""
        return data.instances.get(self.key)

    def device_info(self, coordinator: VidiGatesCoordinator) -> DeviceInfo:
        """The instance's own device, linked to the hub's."""
        return instance_device_info(coordinator, self.entry_id, self.key)


@dataclass(frozen=True, slots=True)
class GateScope:
    """One gate of one instance of one hub."""

    entry_id: str
    key: InstanceKey
    gate_id: int

    def context(self, key: str) -> Context:
        """Woken when the counter the entity shows, ``in`` or ``out``, changes."""
        direction: Literal["in", "out"] = "in" if key == "in" else "out"
        return GateCounter(self.key[0], self.key[1], self.gate_id, direction)

    @property
    def translation_placeholders(self) -> dict[str, str]:
        """Gate sensors are named after their gate."""
        return {"gate": str(self.gate_id)}

    @property
    def unique_id_prefix(self) -> str:
        """The instance's identity plus the gate id."""
        instance = instance_device_identifier(self.entry_id, self.key)
        return f"{instance}-gate-{self.gate_id}"

    def lookup(self, data: HubState) -> Gate | None:
        """Find the gate by key."""
        if (instance := data.instances.get(self.key)) is None:
            return None
        return instance.gates.get(self.gate_id)

    def device_info(self, coordinator: VidiGatesCoordinator) -> DeviceInfo:
        """Gates belong to their instance's device."""
        return instance_device_info(coordinator, self.entry_id, self.key)


def instance_device_info(
    coordinator: VidiGatesCoordinator, entry_id: str, key: InstanceKey
) -> DeviceInfo:
    """Describe an instance's device."""
    instance = coordinator.data.instances[key]
    info = DeviceInfo(
        identifiers={(DOMAIN, instance_device_identifier(entry_id, key))},
        manufacturer=MANUFACTURER,
        model=INSTANCE_MODEL,
        name=instance.name,
        serial_number=str(instance.boxid),
    )
    if coordinator.hub_device_id is not None:
        info.update(via_device(coordinator.hass, coordinator.hub_device_id))
    return info


@dataclass(frozen=True, kw_only=True)
class VidiGatesEntityDescription[SubjectT](EntityDescription):
    """What every entity description of ours adds: how to read the value."""

    value_fn: Callable[[SubjectT], Any]
    in_set_answer: bool = False
    """The value follows from what a ``/set`` answer gives (occupancy, limit,
    reset time) only: such an answer makes it current again while reads fail.
    Any other waits for a good read."""


_UNWRITTEN: Final = object()


class VidiGatesEntity[SubjectT](CoordinatorEntity[VidiGatesCoordinator]):
    """An entity that shows one value of one part of the hub."""

    _attr_has_entity_name = True
    entity_description: VidiGatesEntityDescription[SubjectT]
    _value_attr: str | None
    """The platform's state attribute the value goes to (None: only availability)."""

    def __init__(
        self,
        coordinator: VidiGatesCoordinator,
        scope: Scope[SubjectT],
        description: VidiGatesEntityDescription[SubjectT],
    ) -> None:
        """Set everything static once: unique id, device, context."""
        super().__init__(coordinator, context=scope.context(description.key))
        self.entity_description = description
        self._scope = scope
        self._attr_unique_id = f"{scope.unique_id_prefix}-{description.key}"
        self._attr_device_info = scope.device_info(coordinator)
        if (placeholders := scope.translation_placeholders) is not None:
            self._attr_translation_placeholders = placeholders
        self._written: Any = _UNWRITTEN
        self._refresh()

    # Availability as of the last refresh: Entity's own cached property, whose
    # cache setting _attr_available clears; not CoordinatorEntity's reading of
    # the coordinator, nor a property called on every write.
    available = Entity.available

    def _refresh(self) -> bool:
        """Read the value from the coordinator; True when it differs.

        Unavailable rather than a value older than the last failed read.
        """
        coordinator = self.coordinator
        fresh = (
            coordinator.settings_fresh
            if self.entity_description.in_set_answer
            else coordinator.last_update_success
        )
        subject = self._scope.lookup(coordinator.data) if fresh else None
        if subject is None:
            available, value = False, None
        else:
            available, value = True, self.entity_description.value_fn(subject)
        written = self._written
        if (state := (available, value)) == written:
            return False
        self._written = state
        # Only _refresh sets it, and Home Assistant's setter of an _attr_ is
        # Python code that compares first: skip it when availability stays.
        if written is _UNWRITTEN or written[0] is not available:
            self._attr_available = available
        if self._value_attr is not None:
            setattr(self, self._value_attr, value)
        return True

    @callback
    @override
    def _handle_coordinator_update(self) -> None:
        if self._refresh():
            self.async_write_ha_state()


@callback
def async_setup_dynamic_entities[DescriptionT: VidiGatesEntityDescription[Any]](
    entry: VidiGatesConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
    entity_class: Callable[[VidiGatesCoordinator, Any, DescriptionT], Entity],
    *,
    hub: Iterable[DescriptionT] = (),
    instance: Iterable[DescriptionT] = (),
    gate: Iterable[DescriptionT] = (),
) -> None:
    """Add a platform's entities, and those of instances and gates that appear.

    Instances that vanish are forgotten with their gates, so they get their
    entities again if they come back (their device and its entities were
    removed meanwhile). A gate deleted from an instance that stays keeps its
    entities, unavailable, ready for the gate to be drawn again.
    """
    coordinator = entry.runtime_data
    entry_id = entry.entry_id
    known_instances: set[InstanceKey] = set()
    known_gates: set[tuple[InstanceKey, int]] = set()

    if hub:
        scope = HubScope(entry_id)
        async_add_entities(entity_class(coordinator, scope, desc) for desc in hub)
    if not instance and not gate:
        # Nothing of this platform comes or goes with the hub's instances:
        # no listener to call on every change of their set.
        return

    @callback
    def _async_add_new() -> None:
        instances = coordinator.data.instances
        new: list[Entity] = []
        if instance:
            known_instances.intersection_update(instances)
            for key in instances.keys() - known_instances:
                known_instances.add(key)
                scope = InstanceScope(entry_id, key)
                new.extend(entity_class(coordinator, scope, desc) for desc in instance)
        if gate:
            present = {
                (key, gid) for key, inst in instances.items() for gid in inst.gates
            }
            known_gates.difference_update(
                [gate_key for gate_key in known_gates if gate_key[0] not in instances]
            )
            for gate_key in present - known_gates:
                known_gates.add(gate_key)
                gate_scope = GateScope(entry_id, *gate_key)
                new.extend(entity_class(coordinator, gate_scope, desc) for desc in gate)
        if new:
            async_add_entities(new)

    _async_add_new()
    entry.async_on_unload(
        coordinator.async_add_listener(_async_add_new, Wake.STRUCTURE)
    )
