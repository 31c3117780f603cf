"""Binary sensors of a VidiAccess hub: limit reached, instance problems."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, override

from homeassistant.components.binary_sensor import (
    BinarySensorEntity,
    BinarySensorEntityDescription,
)
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .compat import BinarySensorDeviceClass
from .coordinator import VidiGatesConfigEntry, VidiGatesCoordinator
from .entity import (
    HubScope,
    InstanceScope,
    VidiGatesEntity,
    async_setup_dynamic_entities,
)
from .models import HubState, Instance, InstanceKey, InstanceStatus

# Read-only: the coordinator does all I/O.
PARALLEL_UPDATES = 0


@dataclass(frozen=True, kw_only=True)
class VidiGatesBinarySensorEntityDescription[SubjectT](BinarySensorEntityDescription):
    """A binary sensor and how to read it from its subject."""

    is_on_fn: Callable[[SubjectT], bool]


HUB_BINARY_SENSORS: tuple[VidiGatesBinarySensorEntityDescription[HubState], ...] = (
    VidiGatesBinarySensorEntityDescription(
        key="limit_reached",
        translation_key="limit_reached",
        is_on_fn=lambda hub: hub.limit_reached,
    ),
)

INSTANCE_BINARY_SENSORS: tuple[
    VidiGatesBinarySensorEntityDescription[Instance], ...
] = (
    VidiGatesBinarySensorEntityDescription(
        key="problem",
        translation_key="problem",
        device_class=BinarySensorDeviceClass.PROBLEM,
        entity_category=EntityCategory.DIAGNOSTIC,
        is_on_fn=lambda instance: instance.status is not InstanceStatus.OK,
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: VidiGatesConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the hub's binary sensors and those of every instance."""

    def hub(coordinator: VidiGatesCoordinator) -> list[VidiGatesBinarySensor[Any]]:
        scope = HubScope(entry.entry_id)
        return [
            VidiGatesBinarySensor(coordinator, scope, desc)
            for desc in HUB_BINARY_SENSORS
        ]

    def instance(
        coordinator: VidiGatesCoordinator, key: InstanceKey
    ) -> list[VidiGatesBinarySensor[Any]]:
        scope = InstanceScope(entry.entry_id, key)
        return [
            VidiGatesBinarySensor(coordinator, scope, desc)
            for desc in INSTANCE_BINARY_SENSORS
        ]

    async_setup_dynamic_entities(entry, async_add_entities, hub=hub, instance=instance)


class VidiGatesBinarySensor[SubjectT](VidiGatesEntity[SubjectT], BinarySensorEntity):
    """A VidiGates binary sensor."""

    entity_description: VidiGatesBinarySensorEntityDescription[SubjectT]

    @override
    def _value(self, subject: SubjectT) -> bool:
        return self.entity_description.is_on_fn(subject)

    @override
    def _show(self, value: Any) -> None:
        self._attr_is_on = value
