"""Diagnostics of a VidiAccess hub: its last answer, and how polling goes."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any, Final

from homeassistant.components.diagnostics import REDACTED, async_redact_data
from homeassistant.const import CONF_HOST
from homeassistant.core import HomeAssistant

from .coordinator import VidiGatesConfigEntry, VidiGatesCoordinator
from .models import HubState

# The hub's address, and the computers running the instances: where a shop's
# network is, which a shared diagnostics file must not tell. The entry's title
# names the hub by its address too.
TO_REDACT: Final = {CONF_HOST, "title"}


async def async_get_config_entry_diagnostics(
    hass: HomeAssistant, entry: VidiGatesConfigEntry
) -> dict[str, Any]:
    """Return the entry, the hub's last answer and the coordinator's state."""
    coordinator = entry.runtime_data
    return {
        "entry": async_redact_data(
            {
                "title": entry.title,
                "data": dict(entry.data),
                "options": dict(entry.options),
                "version": entry.version,
                "minor_version": entry.minor_version,
            },
            TO_REDACT,
        ),
        "coordinator": _coordinator_state(coordinator, entry.data[CONF_HOST]),
        "data": async_redact_data(_hub_state_as_dict(coordinator.data), TO_REDACT),
    }


def _coordinator_state(coordinator: VidiGatesCoordinator, host: str) -> dict[str, Any]:
    exception = coordinator.last_exception
    last_success = coordinator.last_success_time
    return {
        "last_update_success": coordinator.last_update_success,
        # Client errors name the address they could not reach.
        "last_exception": (
            None
            if exception is None
            else f"{type(exception).__name__}: {exception}".replace(host, REDACTED)
        ),
        "update_interval": (
            None
            if coordinator.update_interval is None
            else coordinator.update_interval.total_seconds()
        ),
        "last_update_duration": coordinator.last_update_duration,
        "last_success_time": None if last_success is None else last_success.isoformat(),
    }


def _hub_state_as_dict(data: HubState) -> dict[str, Any]:
    """Return the snapshot as JSON-ready data.

    Instances and gates are keyed by tuples and ids in the model; diagnostics
    list them in the hub's order, as the hub sent them.
    """
    return {
        **asdict(data),
        "instances": [
            {**asdict(instance), "gates": list(map(asdict, instance.gates.values()))}
            for instance in data.instances.values()
        ],
        "remaining_capacity": data.remaining_capacity,
        "occupancy_ratio": data.occupancy_ratio,
    }
