"""Binary sensors of a VidiAccess hub: limit reached, instance problems."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from homeassistant.components.binary_sensor import (
    BinarySensorEntity,
    BinarySensorEntityDescription,
)
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .compat import BinarySensorDeviceClass
from .coordinator import VidiGatesConfigEntry
from .entity import (
    VidiGatesEntity,
    VidiGatesEntityDescription,
    async_setup_dynamic_entities,
)
from .models import HubState, Instance, InstanceStatus

# Read-only: the coordinator does all I/O.
PARALLEL_UPDATES = 0


@dataclass(frozen=True, kw_only=True)
class VidiGatesBinarySensorEntityDescription[SubjectT](
    BinarySensorEntityDescription, VidiGatesEntityDescription[SubjectT]
):
    """A binary sensor and how to read it from its subject."""

    value_fn: Callable[[SubjectT], bool]


HUB_BINARY_SENSORS: tuple[VidiGatesBinarySensorEntityDescription[HubState], ...] = (
    VidiGatesBinarySensorEntityDescription(
        key="limit_reached",
        translation_key="limit_reached",
        in_set_answer=True,
        value_fn=lambda hub: hub.limit_reached,
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
        value_fn=lambda instance: instance.status is not InstanceStatus.OK,
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: VidiGatesConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the hub's binary sensors and those of every instance."""
    async_setup_dynamic_entities(
        entry,
        async_add_entities,
        VidiGatesBinarySensor,
        hub=HUB_BINARY_SENSORS,
        instance=INSTANCE_BINARY_SENSORS,
    )


class VidiGatesBinarySensor[SubjectT](VidiGatesEntity[SubjectT], BinarySensorEntity):
    """A VidiGates binary sensor."""

    entity_description: VidiGatesBinarySensorEntityDescription[SubjectT]
    _value_attr = "_attr_is_on"
