"""What the tests need to run on every supported Home Assistant (2025.12 on).

The tests and snapshots follow the newest tested release (requirements_test.txt);
these bridge what differs only in form on older ones. Each names the release
that makes it unnecessary.
"""

from __future__ import annotations

from importlib.metadata import version
from pathlib import Path
import re
from typing import Any, Final, override

from homeassistant.components.config import device_registry as config_device_registry
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
from pytest_homeassistant_custom_component.syrupy import HomeAssistantSnapshotExtension

from custom_components.vidigates.compat import HA_VERSION

_HARNESS: Final = "pytest-homeassistant-custom-component"
_NEWEST_PIN: Final = re.search(
    rf"^{_HARNESS}==(\S+)$",
    (Path(__file__).parent.parent / "requirements_test.txt").read_text("utf-8"),
    re.MULTILINE,
)

# The newest tested harness: the snapshots and quality_scale.yaml follow it.
NEWEST: Final = _NEWEST_PIN is not None and version(_HARNESS) == _NEWEST_PIN[1]


def _get_device_by_identifier(
    registry: dr.DeviceRegistry, identifier: tuple[str, str], config_entry_id: str
) -> dr.DeviceEntry | None:
    device = registry.async_get_device(identifiers={identifier})
    if device is None or config_entry_id not in device.config_entries:
        return None
    return device


if not hasattr(dr.DeviceRegistry, "async_get_device_by_identifier"):
    # Unneeded from 2026.8, which has it (and deprecates async_get_device): the
    # tests look devices up the newest way, and this answers it the old way.
    setattr(  # noqa: B010
        dr.DeviceRegistry, "async_get_device_by_identifier", _get_device_by_identifier
    )


def config_entry_ids(device: dr.DeviceEntry) -> set[str]:
    """The config entries the device belongs to (one from 2026.8; then unneeded)."""
    if HA_VERSION < (2026, 8):
        # 2026.8 on warns of (and the tests fail on) reading config_entries.
        return set(device.config_entries)
    return {device.config_entry_id}


def remove_device_command(hass: HomeAssistant, device_id: str) -> dict[str, Any]:
    """The websocket command of the device page's delete button."""
    if hasattr(config_device_registry, "websocket_remove_device"):
        return {"type": "config/device_registry/remove", "device_id": device_id}
    # Unneeded from 2026.8, where a device belongs to one config entry and is
    # removed as a whole; before, the button removed one entry from it.
    device = dr.async_get(hass).async_get(device_id)
    assert device is not None
    [config_entry_id] = device.config_entries
    return {
        "type": "config/device_registry/remove_config_entry",
        "device_id": device_id,
        "config_entry_id": config_entry_id,
    }


# What differs only in form in the serialisation of older releases (unneeded
# once the oldest tested release serialises as 2026.10 does): an attribute name
# as a plain string, not an enum member; no object_id_base; no aliases as an
# empty set, where 2026.10 lists the entity's own name (None) by default.
_ENUM_KEY: Final = re.compile(r"<\w+\.\w+: ('\w+')>: ")
_OBJECT_ID_BASE: Final = re.compile(r"^ *'object_id_base': .*\n", re.MULTILINE)
_DEFAULT_ALIASES: Final = re.compile(
    r"'aliases': (?:list\(\[\n *None,\n *\]\)|set\(\{\n *\}\)),"
)


def _in_any_release(serialized: Any) -> Any:
    if not isinstance(serialized, str):
        return serialized
    serialized = _ENUM_KEY.sub(r"\1: ", serialized)
    serialized = _OBJECT_ID_BASE.sub("", serialized)
    return _DEFAULT_ALIASES.sub("'aliases': <default>,", serialized)


class SnapshotExtension(HomeAssistantSnapshotExtension):
    """Exact on the newest tested release; on an older one, what both mean."""

    @override
    def matches(self, *, serialized_data: Any, snapshot_data: Any) -> bool:
        if NEWEST:
            return super().matches(
                serialized_data=serialized_data, snapshot_data=snapshot_data
            )
        return super().matches(
            serialized_data=_in_any_release(serialized_data),
            snapshot_data=_in_any_release(snapshot_data),
        )
