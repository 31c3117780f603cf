"""Buttons of a VidiAccess hub: bring the occupancy back to 0."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, override

from homeassistant.components.button import ButtonEntity, ButtonEntityDescription
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .coordinator import VidiGatesConfigEntry, VidiGatesCoordinator
from .entity import HubScope, VidiGatesEntity, async_setup_dynamic_entities
from .helpers import async_set
from .models import HubState, SetResult

# One write at a time: the hub answers each /set with the values in force.
PARALLEL_UPDATES = 1


@dataclass(frozen=True, kw_only=True)
class VidiGatesButtonEntityDescription(ButtonEntityDescription):
    """A button of the hub and what pressing it sends."""

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

    def hub(coordinator: VidiGatesCoordinator) -> list[VidiGatesButton]:
        scope = HubScope(entry.entry_id)
        return [VidiGatesButton(coordinator, scope, desc) for desc in HUB_BUTTONS]

    async_setup_dynamic_entities(entry, async_add_entities, hub=hub)


class VidiGatesButton(VidiGatesEntity[HubState], ButtonEntity):
    """A button of the hub; it shows nothing but whether the hub answers."""

    entity_description: VidiGatesButtonEntityDescription

    @override
    def _value(self, subject: HubState) -> None:
        return None

    @override
    def _show(self, value: Any) -> None:
        """A button has no value: only its availability is written."""

    @override
    async def async_press(self) -> None:
        """Send the button's write; the hub's answer shows at once."""
        await self.entity_description.press_fn(self.coordinator)
