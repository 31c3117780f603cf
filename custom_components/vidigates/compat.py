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
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.device_registry import DeviceInfo
from yarl import URL

from .const import DOMAIN

__all__ = [
    "HA_VERSION",
    "BinarySensorDeviceClass",
    "async_get_config_entry",
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
