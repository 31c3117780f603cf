"""Selects of a VidiAccess hub: which crossings of an instance count."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import override

from homeassistant.components.select import SelectEntity, SelectEntityDescription
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .coordinator import VidiGatesConfigEntry, VidiGatesCoordinator
from .entity import (
    InstanceScope,
    VidiGatesEntity,
    VidiGatesEntityDescription,
    async_setup_dynamic_entities,
)
from .helpers import async_set_type
from .models import GateType, Instance, InstanceKey

# One write at a time: each change is followed by a fresh read of the hub.
PARALLEL_UPDATES = 1


@dataclass(frozen=True, kw_only=True)
class VidiGatesInstanceSelectEntityDescription(
    SelectEntityDescription, VidiGatesEntityDescription[Instance]
):
    """A select of an instance, how to read it and how to set it."""

    value_fn: Callable[[Instance], str]
    select_fn: Callable[[VidiGatesCoordinator, InstanceKey, str], Awaitable[None]]


INSTANCE_SELECTS: tuple[VidiGatesInstanceSelectEntityDescription, ...] = (
    VidiGatesInstanceSelectEntityDescription(
        key="gate_type",
        translation_key="gate_type",
        entity_category=EntityCategory.CONFIG,
        options=[gate_type.value for gate_type in GateType],
        value_fn=lambda instance: instance.gate_type.value,
        select_fn=lambda coordinator, key, option: async_set_type(
            coordinator, key, GateType(option)
        ),
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: VidiGatesConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the selects of every instance the hub reports, now and later."""
    async_setup_dynamic_entities(
        entry, async_add_entities, VidiGatesInstanceSelect, instance=INSTANCE_SELECTS
    )


class VidiGatesInstanceSelect(VidiGatesEntity[Instance], SelectEntity):
    """A select of one instance."""

    entity_description: VidiGatesInstanceSelectEntityDescription
    _value_attr = "_attr_current_option"

    def __init__(
        self,
        coordinator: VidiGatesCoordinator,
        scope: InstanceScope,
        description: VidiGatesInstanceSelectEntityDescription,
    ) -> None:
        """Create the select for the instance ``scope`` points at."""
        self._key = scope.key
        super().__init__(coordinator, scope, description)

    @override
    async def async_select_option(self, option: str) -> None:
        """Send the new option; a fresh read of the hub shows it at once."""
        await self.entity_description.select_fn(self.coordinator, self._key, option)
