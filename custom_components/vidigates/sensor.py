"""Sensors of a VidiAccess hub: occupancy, limit, totals, instance and gate data."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

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

from .coordinator import VidiGatesConfigEntry
from .entity import (
    VidiGatesEntity,
    VidiGatesEntityDescription,
    async_setup_dynamic_entities,
)
from .models import Gate, HubState, Instance, InstanceStatus

# Read-only: the coordinator does all I/O.
PARALLEL_UPDATES = 0


@dataclass(frozen=True, kw_only=True)
class VidiGatesSensorEntityDescription[SubjectT](
    SensorEntityDescription, VidiGatesEntityDescription[SubjectT]
):
    """A sensor and how to read its value from its subject."""

    value_fn: Callable[[SubjectT], StateType]


HUB_SENSORS: tuple[VidiGatesSensorEntityDescription[HubState], ...] = (
    VidiGatesSensorEntityDescription(
        key="occupancy",
        translation_key="occupancy",
        in_set_answer=True,
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=lambda hub: hub.current,
    ),
    VidiGatesSensorEntityDescription(
        key="threshold",
        translation_key="threshold",
        in_set_answer=True,
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=lambda hub: hub.threshold,
    ),
    VidiGatesSensorEntityDescription(
        key="remaining_capacity",
        translation_key="remaining_capacity",
        in_set_answer=True,
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=lambda hub: hub.remaining_capacity,
    ),
    VidiGatesSensorEntityDescription(
        key="occupancy_ratio",
        translation_key="occupancy_ratio",
        in_set_answer=True,
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
    async_setup_dynamic_entities(
        entry,
        async_add_entities,
        VidiGatesSensor,
        hub=HUB_SENSORS,
        instance=INSTANCE_SENSORS,
        gate=GATE_SENSORS,
    )


class VidiGatesSensor[SubjectT](VidiGatesEntity[SubjectT], SensorEntity):
    """A VidiGates sensor."""

    entity_description: VidiGatesSensorEntityDescription[SubjectT]
    _value_attr = "_attr_native_value"
