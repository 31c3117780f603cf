"""The hub's daily reset, as a switch that remembers its time."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Self, override

from homeassistant.components.switch import SwitchEntity, SwitchEntityDescription
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.restore_state import ExtraStoredData, RestoreEntity

from .coordinator import VidiGatesConfigEntry, VidiGatesCoordinator
from .entity import (
    Scope,
    VidiGatesEntity,
    VidiGatesEntityDescription,
    async_setup_dynamic_entities,
)
from .helpers import async_set
from .models import HubState, ResetTime

# One write at a time: the hub answers each /set with the values in force.
PARALLEL_UPDATES = 1

DEFAULT_RESET_TIME = ResetTime(0, 0)
"""Midnight: the daily reset's time when the hub never had one."""


@dataclass(frozen=True, kw_only=True)
class VidiGatesSwitchEntityDescription(
    SwitchEntityDescription, VidiGatesEntityDescription[HubState]
):
    """A switch of the hub and how to read it."""


DAILY_RESET = VidiGatesSwitchEntityDescription(
    key="daily_reset",
    translation_key="daily_reset",
    entity_category=EntityCategory.CONFIG,
    in_set_answer=True,
    value_fn=lambda hub: hub.reset_time is not None,
)


@dataclass(frozen=True, slots=True)
class DailyResetExtraData(ExtraStoredData):
    """What the switch keeps across restarts: the last reset time it saw."""

    last_reset_time: ResetTime | None

    def as_dict(self) -> dict[str, Any]:
        """Return the stored form."""
        last = self.last_reset_time
        return {"last_reset_time": None if last is None else last.as_json()}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self | None:
        """Read the stored form; None when it is not what this class wrote."""
        last = data.get("last_reset_time")
        if last is None:
            return cls(None)
        try:
            return cls(ResetTime(int(last["hour"]), int(last["minute"])))
        except (KeyError, TypeError, ValueError):
            return None


async def async_setup_entry(
    hass: HomeAssistant,
    entry: VidiGatesConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the hub's daily reset switch."""
    async_setup_dynamic_entities(
        entry, async_add_entities, VidiGatesDailyResetSwitch, hub=(DAILY_RESET,)
    )


class VidiGatesDailyResetSwitch(VidiGatesEntity[HubState], SwitchEntity, RestoreEntity):
    """On while the hub resets its counters daily.

    The hub forgets the time when the reset is switched off (it stores
    ``null``), so the switch remembers the last time it saw to bring it back.
    The memory is runtime state, not configuration, so it lives in the
    entity's restore data rather than the config entry: it survives a restart
    without rewriting the entry or reloading the integration, and goes away
    with the entity.
    """

    entity_description: VidiGatesSwitchEntityDescription
    _value_attr = "_attr_is_on"

    def __init__(
        self,
        coordinator: VidiGatesCoordinator,
        scope: Scope[HubState],
        description: VidiGatesSwitchEntityDescription,
    ) -> None:
        """Create the switch; the hub's current reset time is the first memory."""
        # Set before the base class reads the coordinator for the first time.
        self._last_reset_time: ResetTime | None = None
        super().__init__(coordinator, scope, description)

    @override
    async def async_added_to_hass(self) -> None:
        """Recall the last reset time when the hub has none now."""
        await super().async_added_to_hass()
        if self._last_reset_time is not None:
            return
        if (stored := await self.async_get_last_extra_data()) is not None and (
            extra := DailyResetExtraData.from_dict(stored.as_dict())
        ) is not None:
            self._last_reset_time = extra.last_reset_time

    @property
    @override
    def extra_restore_state_data(self) -> DailyResetExtraData:
        """Keep the last reset time across restarts."""
        return DailyResetExtraData(self._last_reset_time)

    @override
    def _refresh(self) -> bool:
        # Every update that carries a reset time is remembered, even one that
        # leaves the switch on (a new time does not change the state).
        if (
            self.coordinator.settings_fresh
            and (reset_time := self.coordinator.data.reset_time) is not None
        ):
            self._last_reset_time = reset_time
        return super()._refresh()

    @override
    async def async_turn_on(self, **kwargs: Any) -> None:
        """Bring back the last reset time the hub had, or midnight."""
        await async_set(
            self.coordinator,
            reset_time=self._last_reset_time or DEFAULT_RESET_TIME,
        )

    @override
    async def async_turn_off(self, **kwargs: Any) -> None:
        """Tell the hub to stop resetting its counters."""
        await async_set(self.coordinator, reset_time=None)
