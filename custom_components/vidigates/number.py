"""Numbers of a VidiAccess hub: the occupancy and its limit, to set by hand."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import override

from homeassistant.components.number import (
    NumberEntity,
    NumberEntityDescription,
    NumberMode,
)
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .const import MAX_PEOPLE
from .coordinator import VidiGatesConfigEntry, VidiGatesCoordinator
from .entity import (
    VidiGatesEntity,
    VidiGatesEntityDescription,
    async_setup_dynamic_entities,
)
from .helpers import async_set, whole_number
from .models import HubState, SetResult

# One write at a time: the hub answers each /set with the values in force.
PARALLEL_UPDATES = 1


@dataclass(frozen=True, kw_only=True)
class VidiGatesNumberEntityDescription(
    NumberEntityDescription, VidiGatesEntityDescription[HubState]
):
    """A number of the hub, how to read it and how to set it."""

    value_fn: Callable[[HubState], int]
    set_fn: Callable[[VidiGatesCoordinator, int], Awaitable[SetResult]]
    in_set_answer: bool = True
    # Counts of people: a box to type into, not a slider from 0 to a million.
    mode: NumberMode = NumberMode.BOX
    native_min_value: float = 0
    native_max_value: float = MAX_PEOPLE
    native_step: float = 1


HUB_NUMBERS: tuple[VidiGatesNumberEntityDescription, ...] = (
    VidiGatesNumberEntityDescription(
        key="occupancy",
        translation_key="occupancy",
        # Off until a user enables it: it repeats the Occupancy sensor, so it
        # would store every visitor twice and, unlike a sensor with a unit, add
        # a logbook entry for each. The actions and the reset button correct
        # the count without it.
        entity_registry_enabled_default=False,
        value_fn=lambda hub: hub.current,
        set_fn=lambda coordinator, value: async_set(coordinator, occupancy=value),
    ),
    VidiGatesNumberEntityDescription(
        key="threshold",
        translation_key="threshold",
        entity_category=EntityCategory.CONFIG,
        value_fn=lambda hub: hub.threshold,
        set_fn=lambda coordinator, value: async_set(coordinator, threshold=value),
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: VidiGatesConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the hub's numbers."""
    async_setup_dynamic_entities(
        entry, async_add_entities, VidiGatesNumber, hub=HUB_NUMBERS
    )


class VidiGatesNumber(VidiGatesEntity[HubState], NumberEntity):
    """A number of the hub."""

    entity_description: VidiGatesNumberEntityDescription
    _value_attr = "_attr_native_value"

    @override
    async def async_set_native_value(self, value: float) -> None:
        """Send the new value; the hub's answer shows at once."""
        # Home Assistant checks the range but not the step: 12.5 people would
        # quietly become 12.
        people = whole_number(value, self.entity_description.key, 0, MAX_PEOPLE)
        await self.entity_description.set_fn(self.coordinator, people)
