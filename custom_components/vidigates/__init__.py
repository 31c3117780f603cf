"""The VidiGates integration: Quividi VidiAccess occupancy hubs."""

from __future__ import annotations

from functools import partial
from typing import Any

from homeassistant.const import CONF_HOST, CONF_PORT, Platform
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers import (
    config_validation as cv,
    device_registry as dr,
    entity_registry as er,
)
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.typing import ConfigType

from .api import VidiGatesClient
from .compat import async_split_shared_device
from .config_flow import VidiGatesConfigFlow, normalize_host
from .const import DOMAIN, HUB_MODEL, MANUFACTURER, REQUEST_TIMEOUT
from .coordinator import VidiGatesConfigEntry, VidiGatesCoordinator, Wake
from .entity import instance_device_identifier
from .issues import async_setup_issues
from .models import InstanceKey
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

    entry.async_on_unload(_InstanceDevices(hass, entry).async_start())
    async_setup_issues(hass, entry)

    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    return True


async def async_migrate_entry(hass: HomeAssistant, entry: VidiGatesConfigEntry) -> bool:
    """Bring an entry of an older release up to date.

    An entry of a newer major version, from a release this one does not
    know, is refused: Home Assistant 2026.10 does so before calling this, but
    2025.12 calls this with it (the check is unneeded from the release that
    refuses it itself).
    """
    if entry.version > VidiGatesConfigFlow.VERSION:
        return False
    if entry.version == 1:
        await _async_scope_instances_to_entry(hass, entry)
        # Version 1 kept a host name's trailing dot, so "hub.example." and
        # "hub.example" could be two entries; one spelling per address now.
        host, _port = normalize_host(entry.data[CONF_HOST], entry.data[CONF_PORT])
        hass.config_entries.async_update_entry(
            entry,
            data={**entry.data, CONF_HOST: host},
            version=2,
            minor_version=1,
        )
    return True


async def _async_scope_instances_to_entry(
    hass: HomeAssistant, entry: VidiGatesConfigEntry
) -> None:
    """Put the entry's id in front of its instances' unique ids and identifiers.

    Version 1 keyed instances on BoxID and number alone, so a second hub
    listing the same instance got none of its entities. The entities keep
    their entity ids (and so their history) and their device; each device
    keeps its id. A device belongs to one config entry, so another entry
    that had a device with the same identifiers migrates its own (before
    2026.8 the entries shared the device: the first to migrate gets a copy).
    """
    entry_id = entry.entry_id

    def scoped(old: str) -> str:
        # The hub's own ids started with the entry id already.
        if old == entry_id or old.startswith(f"{entry_id}-"):
            return old
        return f"{entry_id}-{old}"

    def new_unique_id(entity: er.RegistryEntry) -> dict[str, Any] | None:
        if (unique_id := scoped(entity.unique_id)) == entity.unique_id:
            return None
        return {"new_unique_id": unique_id}

    await er.async_migrate_entries(hass, entry_id, new_unique_id)
    registry = dr.async_get(hass)
    for device in dr.async_entries_for_config_entry(registry, entry_id):
        identifiers = {
            (domain, scoped(ident) if domain == DOMAIN else ident)
            for domain, ident in device.identifiers
        }
        if identifiers != device.identifiers and not async_split_shared_device(
            hass, entry_id, device, identifiers
        ):
            registry.async_update_device(device.id, new_identifiers=identifiers)


async def async_unload_entry(hass: HomeAssistant, entry: VidiGatesConfigEntry) -> bool:
    """Unload the hub's entities."""
    return await hass.config_entries.async_unload_platforms(entry, PLATFORMS)


async def async_remove_config_entry_device(
    hass: HomeAssistant, entry: VidiGatesConfigEntry, device: dr.DeviceEntry
) -> bool:
    """Let the user delete an instance's device once the hub no longer lists it."""
    present = _present_instance_identifiers(entry)
    return not any(
        domain == DOMAIN and (ident == entry.entry_id or ident in present)
        for domain, ident in device.identifiers
    )


class _InstanceDevices:
    """Keeps the devices of a hub's instances in line with the hub.

    An instance the hub no longer lists loses its device, and its entities
    go with it (an instance that comes back gets new ones). An instance
    renamed at the hub gives its device the new name, as a reload would; a
    name the user gave the device is what Home Assistant shows all the same.
    One listener per instance, on the instance's own context, so a poll that
    renames nothing costs nothing here.
    """

    def __init__(self, hass: HomeAssistant, entry: VidiGatesConfigEntry) -> None:
        self._entry = entry
        self._coordinator = entry.runtime_data
        self._registry = dr.async_get(hass)
        # The name each instance's device was given last.
        self._names: dict[InstanceKey, str] = {}
        self._unlisten: dict[InstanceKey, CALLBACK_TYPE] = {}

    @callback
    def async_start(self) -> CALLBACK_TYPE:
        """Follow the instances now and until unload; return the stop."""
        unlisten_structure = self._coordinator.async_add_listener(
            self._async_sync, Wake.STRUCTURE
        )
        self._async_sync()

        @callback
        def _async_stop() -> None:
            unlisten_structure()
            for unlisten in self._unlisten.values():
                unlisten()

        return _async_stop

    @callback
    def _async_sync(self) -> None:
        """Follow instances that appear; remove the devices of those that left."""
        instances = self._coordinator.data.instances
        for key in self._unlisten.keys() - instances.keys():
            self._unlisten.pop(key)()
            del self._names[key]
        for key in instances.keys() - self._unlisten.keys():
            # The entities added for it give its device this name.
            self._names[key] = instances[key].name
            self._unlisten[key] = self._coordinator.async_add_listener(
                partial(self._async_rename, key), key
            )
        present = _present_instance_identifiers(self._entry)
        for device in dr.async_entries_for_config_entry(
            self._registry, self._entry.entry_id
        ):
            if device.id == self._coordinator.hub_device_id:
                continue
            if not any(
                domain == DOMAIN and ident in present
                for domain, ident in device.identifiers
            ):
                # A device belongs to one config entry: removing it from ours
                # is removing it.
                self._registry.async_remove_device(device.id)

    @callback
    def _async_rename(self, key: InstanceKey) -> None:
        """Give the instance's device its new name, if the hub renamed it."""
        instance = self._coordinator.data.instances.get(key)
        # Woken by any change of the instance (status, gate type...), or, when
        # the hub answers again, with every listener, maybe after it left.
        if instance is None or instance.name == self._names[key]:
            return
        self._names[key] = instance.name
        device = self._registry.async_get_device_by_identifier(
            (DOMAIN, instance_device_identifier(self._entry.entry_id, key)),
            self._entry.entry_id,
        )
        if device is not None:
            self._registry.async_update_device(device.id, name=instance.name)


def _present_instance_identifiers(entry: VidiGatesConfigEntry) -> set[str]:
    """Return the device identifiers of the instances the hub lists now."""
    return {
        instance_device_identifier(entry.entry_id, key)
        for key in entry.runtime_data.data.instances
    }
