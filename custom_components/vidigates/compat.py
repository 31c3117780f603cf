"""What differs between the Home Assistant releases we support (2025.12 on).

Each fallback names the release from which it is no longer needed: when the
oldest supported release (hacs.json) reaches it, the fallback goes.
"""

from __future__ import annotations

from typing import Final

from homeassistant.config_entries import ConfigEntry, ConfigEntryState
from homeassistant.const import MAJOR_VERSION, MINOR_VERSION
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import device_registry as dr, entity_registry as er
from homeassistant.helpers.device_registry import DeviceInfo
from yarl import URL

from .const import DOMAIN

__all__ = [
    "HA_VERSION",
    "BinarySensorDeviceClass",
    "async_get_config_entry",
    "async_split_shared_device",
    "probatio",
    "url_host",
    "via_device",
]

HA_VERSION: Final = (MAJOR_VERSION, MINOR_VERSION)

try:
    from homeassistant.components.binary_sensor.const import BinarySensorDeviceClass
except ImportError:  # Unneeded from 2026.10, which moved it to a const module.
    from homeassistant.components.binary_sensor import BinarySensorDeviceClass  # type: ignore[attr-defined]

try:
    import probatio
except ImportError:  # Unneeded from 2026.9, which validates with probatio.
    import voluptuous as probatio  # type: ignore[no-redef]

try:
    from homeassistant.helpers.service import async_get_config_entry
except ImportError:  # Unneeded from 2026.1, which has async_get_config_entry.

    def async_get_config_entry(
        hass: HomeAssistant, domain: str, entry_id: str | None
    ) -> ConfigEntry:
        """Return the loaded config entry of ours that an action names.

        Refuses it as the helper of later releases does, with the same keys
        (translated in our own translations: Home Assistant's have none yet).
        """
        entry = hass.config_entries.async_get_entry(entry_id) if entry_id else None
        if entry is None:
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="service_config_entry_not_found",
                translation_placeholders={"domain": domain, "entry_id": f"{entry_id}"},
            )
        if entry.domain != domain:
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="service_config_entry_wrong_domain",
                translation_placeholders={"domain": domain, "entry_title": entry.title},
            )
        if entry.state is not ConfigEntryState.LOADED:
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="service_config_entry_not_loaded",
                translation_placeholders={"domain": domain, "entry_title": entry.title},
            )
        return entry


def async_split_shared_device(
    hass: HomeAssistant,
    entry_id: str,
    device: dr.DeviceEntry,
    identifiers: set[tuple[str, str]],
) -> bool:
    """Give the entry a device of its own if it shares this one with another entry.

    Unneeded from 2026.8, where a device belongs to one config entry. Before,
    a second hub listing the same instance joined the first hub's device: the
    entry gets a copy with its own identifiers and takes its entities there,
    and the other entry keeps the device. Returns whether the device was shared.
    """
    if HA_VERSION >= (2026, 8):
        return False
    config_entries: set[str] = device.config_entries
    if config_entries == {entry_id}:
        return False
    devices = dr.async_get(hass)
    own = devices.async_get_or_create(
        config_entry_id=entry_id,
        identifiers=identifiers,
        manufacturer=device.manufacturer,
        model=device.model,
        name=device.name,
        serial_number=device.serial_number,
        sw_version=device.sw_version,
        hw_version=device.hw_version,
    )
    hub = next(
        (
            hub
            for hub in dr.async_entries_for_config_entry(devices, entry_id)
            if hub.identifiers == {(DOMAIN, entry_id)}
        ),
        None,
    )
    devices.async_update_device(
        own.id,
        area_id=device.area_id,
        labels=device.labels,
        name_by_user=device.name_by_user,
        via_device_id=hub.id if hub else None,
    )
    entities = er.async_get(hass)
    for entity in er.async_entries_for_device(
        entities, device.id, include_disabled_entities=True
    ):
        if entity.config_entry_id == entry_id:
            entities.async_update_entity(entity.entity_id, device_id=own.id)
    # After the move: leaving the device takes the entry's entities still on it.
    devices.async_update_device(device.id, remove_config_entry_id=entry_id)
    return True


def via_device(hass: HomeAssistant, hub_device_id: str) -> DeviceInfo:
    """Device info that puts a device behind the hub's device."""
    if HA_VERSION >= (2026, 8):
        return DeviceInfo(via_device_id=hub_device_id)
    # Unneeded from 2026.8, which takes the device's id (and deprecates this).
    if (hub := dr.async_get(hass).async_get(hub_device_id)) is None:
        return DeviceInfo()
    # 2026.10's DeviceInfo no longer declares the deprecated key.
    return DeviceInfo(via_device=next(iter(hub.identifiers)))  # type: ignore[typeddict-unknown-key]


# yarl before 1.24.3 keeps an IPv6 zone id's "%25" (RFC 6874's spelling of "%")
# in URL.host. Unneeded once the oldest supported release pins yarl >= 1.24.3
# (2026.10 has 1.25).
_ZONE_KEPT_ENCODED: Final = URL("http://[fe80::1%25a]/").host == "fe80::1%25a"


def url_host(url: URL) -> str | None:
    """The URL's host, decoded, with an IPv6 zone id after a plain "%"."""
    host = url.host
    if _ZONE_KEPT_ENCODED and host is not None and ":" in host:
        return host.replace("%25", "%", 1)
    return host
