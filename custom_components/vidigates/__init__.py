"""The VidiGates integration: Quividi VidiAccess occupancy hubs."""

from __future__ import annotations

from homeassistant.const import CONF_HOST, CONF_PORT, Platform
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import config_validation as cv, device_registry as dr
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.typing import ConfigType

from .api import VidiGatesClient
from .const import DOMAIN, HUB_MODEL, MANUFACTURER, REQUEST_TIMEOUT
from .coordinator import STRUCTURE_CONTEXT, VidiGatesConfigEntry, VidiGatesCoordinator
from .entity import instance_device_identifier
from .issues import async_setup_issues
from .services import async_setup_services

PLATFORMS: list[Platform] = [
    Platform.BINARY_SENSOR,
    Platform.BUTTON,
    Platform.NUMBER,
    Platform.SELECT,
    Platform.SENSOR,
    Platform.SWITCH,
    Platform.TIME,
]

CONFIG_SCHEMA = cv.config_entry_only_config_schema(DOMAIN)


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Register the actions once, for every hub."""
    async_setup_services(hass)
    return True


async def async_setup_entry(hass: HomeAssistant, entry: VidiGatesConfigEntry) -> bool:
    """Connect to the hub, read it once, and set up its entities."""
    client = VidiGatesClient(
        entry.data[CONF_HOST],
        entry.data[CONF_PORT],
        session=async_get_clientsession(hass),
        request_timeout=REQUEST_TIMEOUT,
    )
    coordinator = VidiGatesCoordinator(hass, entry, client)
    await coordinator.async_config_entry_first_refresh()

    # Instance devices name the hub as the device they are reached through, so
    # the hub's device must exist first.
    hub_device = dr.async_get(hass).async_get_or_create(
        config_entry_id=entry.entry_id,
        identifiers={(DOMAIN, entry.entry_id)},
        manufacturer=MANUFACTURER,
        model=HUB_MODEL,
        name=entry.title,
        # No web page on the hub, only its API: no "Visit" link (and None, not
        # left out, takes the link away from devices made by older versions).
        configuration_url=None,
    )
    coordinator.hub_device_id = hub_device.id
    entry.runtime_data = coordinator

    _async_remove_vanished_devices(hass, entry)
    entry.async_on_unload(
        coordinator.async_add_listener(
            lambda: _async_remove_vanished_devices(hass, entry), STRUCTURE_CONTEXT
        )
    )
    async_setup_issues(hass, entry)

    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    return True


async def async_unload_entry(hass: HomeAssistant, entry: VidiGatesConfigEntry) -> bool:
    """Unload the hub's entities."""
    return await hass.config_entries.async_unload_platforms(entry, PLATFORMS)


async def async_remove_config_entry_device(
    hass: HomeAssistant, entry: VidiGatesConfigEntry, device: dr.DeviceEntry
) -> bool:
    """Let the user delete an instance's device once the hub no longer lists it."""
    present = _present_instance_identifiers(entry.runtime_data)
    return not any(
        domain == DOMAIN and (ident == entry.entry_id or ident in present)
        for domain, ident in device.identifiers
    )


@callback
def _async_remove_vanished_devices(
    hass: HomeAssistant, entry: VidiGatesConfigEntry
) -> None:
    """Remove the devices of instances the hub no longer lists.

    Their entities go with them; an instance that comes back gets new ones.
    """
    coordinator = entry.runtime_data
    present = _present_instance_identifiers(coordinator)
    registry = dr.async_get(hass)
    for device in dr.async_entries_for_config_entry(registry, entry.entry_id):
        if device.id == coordinator.hub_device_id:
            continue
        if not any(
            domain == DOMAIN and ident in present
            for domain, ident in device.identifiers
        ):
            # A device belongs to one config entry: removing it from ours is
            # removing it.
            registry.async_remove_device(device.id)


def _present_instance_identifiers(coordinator: VidiGatesCoordinator) -> set[str]:
    """Return the device identifiers of the instances the hub lists now."""
    return {instance_device_identifier(key) for key in coordinator.data.instances}
