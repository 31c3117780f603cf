"""Sensors of a VidiAccess hub: occupancy, limit, totals, instance and gate data."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, override

from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.const import PERCENTAGE, EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.typing import StateType

from .coordinator import VidiGatesConfigEntry, VidiGatesCoordinator
from .entity import (
    GateScope,
    HubScope,
    InstanceScope,
    Scope,
    VidiGatesEntity,
    async_setup_dynamic_entities,
)
from .models import Gate, HubState, Instance, InstanceKey, InstanceStatus

# Read-only: the coordinator does all I/O.
PARALLEL_UPDATES = 0


@dataclass(frozen=True, kw_only=True)
class VidiGatesSensorEntityDescription[SubjectT](SensorEntityDescription):
    """A sensor and how to read its value from its subject."""

    value_fn: Callable[[SubjectT], StateType]


HUB_SENSORS: tuple[VidiGatesSensorEntityDescription[HubState], ...] = (
    VidiGatesSensorEntityDescription(
        key="occupancy",
        translation_key="occupancy",
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=lambda hub: hub.current,
    ),
    VidiGatesSensorEntityDescription(
        key="threshold",
        translation_key="threshold",
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=lambda hub: hub.threshold,
    ),
    VidiGatesSensorEntityDescription(
        key="remaining_capacity",
        translation_key="remaining_capacity",
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=lambda hub: hub.remaining_capacity,
    ),
    VidiGatesSensorEntityDescription(
        key="occupancy_ratio",
        translation_key="occupancy_ratio",
        native_unit_of_measurement=PERCENTAGE,
        state_class=SensorStateClass.MEASUREMENT,
        suggested_display_precision=0,
        value_fn=lambda hub: hub.occupancy_ratio,
    ),
    VidiGatesSensorEntityDescription(
        key="entries",
        translation_key="entries",
        state_class=SensorStateClass.TOTAL_INCREASING,
        value_fn=lambda hub: hub.entries,
    ),
    VidiGatesSensorEntityDescription(
        key="exits",
        translation_key="exits",
        state_class=SensorStateClass.TOTAL_INCREASING,
        value_fn=lambda hub: hub.exits,
    ),
)

INSTANCE_SENSORS: tuple[VidiGatesSensorEntityDescription[Instance], ...] = (
    VidiGatesSensorEntityDescription(
        key="status",
        translation_key="status",
        device_class=SensorDeviceClass.ENUM,
        entity_category=EntityCategory.DIAGNOSTIC,
        options=[status.value for status in InstanceStatus],
        value_fn=lambda instance: instance.status.value,
    ),
)

GATE_SENSORS: tuple[VidiGatesSensorEntityDescription[Gate], ...] = (
    VidiGatesSensorEntityDescription(
        key="in",
        translation_key="gate_in",
        state_class=SensorStateClass.TOTAL_INCREASING,
        value_fn=lambda gate: gate.crossings_in,
    ),
    VidiGatesSensorEntityDescription(
        key="out",
        translation_key="gate_out",
        state_class=SensorStateClass.TOTAL_INCREASING,
        value_fn=lambda gate: gate.crossings_out,
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: VidiGatesConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the hub's sensors, and those of every instance and gate it reports."""

    def hub(coordinator: VidiGatesCoordinator) -> list[VidiGatesSensor[Any]]:
        scope = HubScope(entry.entry_id)
        return [VidiGatesSensor(coordinator, scope, desc) for desc in HUB_SENSORS]

    def instance(
        coordinator: VidiGatesCoordinator, key: InstanceKey
    ) -> list[VidiGatesSensor[Any]]:
        scope = InstanceScope(entry.entry_id, key)
        return [VidiGatesSensor(coordinator, scope, desc) for desc in INSTANCE_SENSORS]

    def gate(
        coordinator: VidiGatesCoordinator, gate_key: tuple[InstanceKey, int]
    ) -> list[VidiGatesSensor[Any]]:
        key, gate_id = gate_key
        scope = GateScope(entry.entry_id, key, gate_id)
        return [
            VidiGatesSensor(coordinator, scope, desc, {"gate": str(gate_id)})
            for desc in GATE_SENSORS
        ]

    async_setup_dynamic_entities(
        entry, async_add_entities, hub=hub, instance=instance, gate=gate
    )


class VidiGatesSensor[SubjectT](VidiGatesEntity[SubjectT], SensorEntity):
    """A VidiGates sensor."""

    entity_description: VidiGatesSensorEntityDescription[SubjectT]

    def __init__(
        self,
        coordinator: VidiGatesCoordinator,
        scope: Scope[SubjectT],
        description: VidiGatesSensorEntityDescription[SubjectT],
        placeholders: dict[str, str] | None = None,
    ) -> None:
        """Create the sensor; placeholders name gate sensors after their gate."""
        if placeholders is not None:
            self._attr_translation_placeholders = placeholders
        super().__init__(coordinator, scope, description)

    @override
    def _value(self, subject: SubjectT) -> StateType:
        return self.entity_description.value_fn(subject)

    @override
    def _show(self, value: Any) -> None:
        self._attr_native_value = value
