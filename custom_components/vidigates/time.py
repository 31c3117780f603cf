"""The time of the hub's daily reset."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import time
from typing import override

from homeassistant.components.time import TimeEntity, TimeEntityDescription
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .coordinator import VidiGatesConfigEntry, VidiGatesCoordinator
from .entity import (
    VidiGatesEntity,
    VidiGatesEntityDescription,
    async_setup_dynamic_entities,
)
from .helpers import async_set
from .models import HubState, ResetTime, SetResult

# One write at a time: the hub answers each /set with the values in force.
PARALLEL_UPDATES = 1


@dataclass(frozen=True, kw_only=True)
class VidiGatesTimeEntityDescription(
    TimeEntityDescription, VidiGatesEntityDescription[HubState]
):
    """A time of the hub, how to read it and how to set it."""

    value_fn: Callable[[HubState], time | None]
    set_fn: Callable[[VidiGatesCoordinator, time], Awaitable[SetResult]]
    in_set_answer: bool = True


HUB_TIMES: tuple[VidiGatesTimeEntityDescription, ...] = (
    VidiGatesTimeEntityDescription(
        key="reset_time",
        translation_key="reset_time",
        entity_category=EntityCategory.CONFIG,
        # Unknown while the daily reset is off (see the daily_reset switch).
        value_fn=lambda hub: (
            None if hub.reset_time is None else hub.reset_time.as_time()
        ),
        # The hub keeps hours and minutes only: seconds are dropped. Setting a
        # time also switches the daily reset on.
        set_fn=lambda coordinator, value: async_set(
            coordinator, reset_time=ResetTime.from_time(value)
        ),
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: VidiGatesConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the hub's time entities."""
    async_setup_dynamic_entities(
        entry, async_add_entities, VidiGatesTime, hub=HUB_TIMES
    )


class VidiGatesTime(VidiGatesEntity[HubState], TimeEntity):
    """A time of the hub."""

    entity_description: VidiGatesTimeEntityDescription
    _value_attr = "_attr_native_value"

    @override
    async def async_set_value(self, value: time) -> None:
        """Send the new time; the hub's answer shows at once."""
        await self.entity_description.set_fn(self.coordinator, value)
