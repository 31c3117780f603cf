"""Buttons of a VidiAccess hub: bring the occupancy back to 0."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import override

from homeassistant.components.button import ButtonEntity, ButtonEntityDescription
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .coordinator import VidiGatesConfigEntry, VidiGatesCoordinator
from .entity import (
    VidiGatesEntity,
    VidiGatesEntityDescription,
    async_setup_dynamic_entities,
)
from .helpers import async_set
from .models import HubState, SetResult

# One write at a time: the hub answers each /set with the values in force.
PARALLEL_UPDATES = 1


@dataclass(frozen=True, kw_only=True)
class VidiGatesButtonEntityDescription(
    ButtonEntityDescription, VidiGatesEntityDescription[HubState]
):
    """A button of the hub and what pressing it sends."""

    # A button has no value: only whether the hub takes writes.
    value_fn: Callable[[HubState], None] = lambda hub: None
    in_set_answer: bool = True

    press_fn: Callable[[VidiGatesCoordinator], Awaitable[SetResult]]


HUB_BUTTONS: tuple[VidiGatesButtonEntityDescription, ...] = (
    VidiGatesButtonEntityDescription(
        key="reset_occupancy",
        translation_key="reset_occupancy",
        press_fn=lambda coordinator: async_set(coordinator, occupancy=0),
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: VidiGatesConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the hub's buttons."""
    async_setup_dynamic_entities(
        entry, async_add_entities, VidiGatesButton, hub=HUB_BUTTONS
    )


class VidiGatesButton(VidiGatesEntity[HubState], ButtonEntity):
    """A button of the hub; it shows nothing but whether the hub answers."""

    entity_description: VidiGatesButtonEntityDescription
    _value_attr = None

    @override
    async def async_press(self) -> None:
        """Send the button's write; the hub's answer shows at once."""
        await self.entity_description.press_fn(self.coordinator)
