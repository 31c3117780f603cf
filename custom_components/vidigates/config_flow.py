"""Config flow for VidiGates: find the hub, check that it answers like one."""

from __future__ import annotations

import ipaddress
import re
from typing import Any

from homeassistant.config_entries import ConfigFlow, ConfigFlowResult
from homeassistant.const import CONF_HOST, CONF_NAME, CONF_PORT
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.selector import (
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
    TextSelector,
)
from yarl import URL

from .api import DEFAULT_PORT, PATH_INSTANCES, VidiGatesClient
from .compat import probatio, url_host
from .const import DOMAIN, LOGGER, REQUEST_TIMEOUT
from .exceptions import VidiGatesConnectionError, VidiGatesError
from .models import HubState, InstanceKey

_HOSTNAME_LABEL = re.compile(r"(?!-)[a-z0-9-]{1,63}(?<!-)", re.IGNORECASE)
# A name whose last label is a number is an IPv4 address in disguise: the
# system resolver reads "192.168.001.020" as 192.168.1.16 (octal), "1.2.3" as
# 1.2.0.3 and "0x7f.1" as 127.0.0.1. The WHATWG URL standard refuses them too.
_NUMERIC_LABEL = re.compile(r"[0-9]+|0x[0-9a-f]*", re.IGNORECASE)
_MAX_HOSTNAME_LENGTH = 253
DEFAULT_NAME = "VidiAccess"
"""A new hub's name unless the user gives one: its device and entity ids follow."""


class InvalidHostError(ValueError):
    """The host field is not a host name, an IP address or a hub URL."""


def _ip_address(text: str) -> str | None:
    """Return an IP address in its one canonical spelling, or None.

    "::1" and "0:0:0:0:0:0:0:1" are one hub: the same spelling lets the
    duplicate check see it.
    """
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        return None


def normalize_host(raw: str, port: int) -> tuple[str, int]:
    """Return ``(host, port)`` from what the user typed.

    Accepts a host name, an IPv4 or IPv6 address (with or without brackets),
    ``host:port``, or a pasted ``http://host:port`` (with the hub's API path,
    if any); a port in the host field wins over the port field. Names with
    letters outside ASCII become their IDNA (``xn--``) form: the one the
    request uses. Each address comes out in one spelling.
    """
    text = raw.strip()
    if not text or any(char.isspace() or not char.isprintable() for char in text):
        raise InvalidHostError(raw)
    if (address := _ip_address(text.strip("[]"))) is not None:
        return address, port
    if "://" not in text:
        text = f"http://{text}"
    try:
        url = URL(text)
        url_port = url.explicit_port
        host = url.raw_host
        # Decoded lazily: broken IDNA ("xn--zz") fails here, not later.
        decoded_host = url_host(url)
    except ValueError as err:
        raise InvalidHostError(raw) from err
    if (
        url.scheme != "http"
        or url.user is not None
        or url.password is not None
        or url.query_string
        or url.fragment
        or url.path not in ("", "/", PATH_INSTANCES)
        or not host
        or url_port == 0
    ):
        raise InvalidHostError(raw)
    if decoded_host is not None and (address := _ip_address(decoded_host)):
        return address, url_port if url_port is not None else port
    # One spelling per name, so that the duplicate check sees it: DNS ignores
    # case, and "hub.example." is "hub.example" with the root spelled out.
    name = host.removesuffix(".").lower()
    labels = name.split(".")
    if (
        len(name) > _MAX_HOSTNAME_LENGTH
        or not all(_HOSTNAME_LABEL.fullmatch(label) for label in labels)
        or _NUMERIC_LABEL.fullmatch(labels[-1])
    ):
        raise InvalidHostError(raw)
    return name, url_port if url_port is not None else port


def _schema(
    host: str = "", port: int = DEFAULT_PORT, name: str | None = None
) -> probatio.Schema:
    """The address fields, and with ``name`` (a new hub's default) the name."""
    fields: dict[Any, Any] = {
        probatio.Required(CONF_HOST, default=host): TextSelector(),
        # Only serializable validators: the frontend draws the form from
        # this schema. The whole-number check is in the step.
        probatio.Required(CONF_PORT, default=port): NumberSelector(
            NumberSelectorConfig(min=1, max=65535, step=1, mode=NumberSelectorMode.BOX)
        ),
    }
    if name is not None:
        fields[probatio.Optional(CONF_NAME, default=name)] = TextSelector()
    return probatio.Schema(fields)


class VidiGatesConfigFlow(ConfigFlow, domain=DOMAIN):
    """Add a VidiAccess hub by its address."""

    # 2: instances' unique ids and device identifiers start with the entry id;
    # host names have no trailing dot (async_migrate_entry in __init__.py).
    VERSION = 2
    MINOR_VERSION = 1

    async def _async_try(
        self, user_input: dict[str, Any]
    ) -> tuple[dict[str, Any], HubState | None, dict[str, str]]:
        """Validate the form; return the entry data, the hub's state, errors."""
        # The selector checks the range but not the step, and int() would
        # quietly make 8080.5 into port 8080.
        if not float(user_input[CONF_PORT]).is_integer():
            return {}, None, {CONF_PORT: "invalid_port"}
        try:
            host, port = normalize_host(
                user_input[CONF_HOST], int(user_input[CONF_PORT])
            )
        except InvalidHostError:
            return {}, None, {CONF_HOST: "invalid_host"}
        data = {CONF_HOST: host, CONF_PORT: port}
        # Before connecting: an address in use is refused even while that hub
        # is down. A reconfigure flow's own entry is not counted.
        self._async_abort_entries_match(data)
        client = VidiGatesClient(
            host,
            port,
            session=async_get_clientsession(self.hass),
            request_timeout=REQUEST_TIMEOUT,
        )
        try:
            state = await client.instances()
        except VidiGatesConnectionError as err:
            LOGGER.debug("Cannot connect to %s:%s: %s", host, port, err)
            return data, None, {"base": "cannot_connect"}
        except VidiGatesError as err:
            LOGGER.debug("%s:%s is not a VidiAccess hub: %s", host, port, err)
            return data, None, {"base": "invalid_response"}
        except Exception:  # noqa: BLE001 - the form must show an error, not crash
            LOGGER.exception("Unexpected error while checking %s:%s", host, port)
            return data, None, {"base": "unknown"}
        return data, state, {}

    async def async_step_user(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for the hub's address and name; check it answers like a hub."""
        errors: dict[str, str] = {}
        default_name = self._unused_name()
        if user_input is not None:
            data, state, errors = await self._async_try(user_input)
            if state is not None:
                name = str(user_input.get(CONF_NAME) or "").strip()
                return self.async_create_entry(title=name or default_name, data=data)
        else:
            user_input = {}
        return self.async_show_form(
            step_id="user",
            data_schema=self.add_suggested_values_to_schema(
                _schema(name=default_name), user_input
            ),
            errors=errors,
        )

    def _unused_name(self) -> str:
        """Return "VidiAccess", or "VidiAccess 2" and on when another hub has it."""
        taken = {entry.title for entry in self._async_current_entries()}
        name, number = DEFAULT_NAME, 1
        while name in taken:
            number += 1
            name = f"{DEFAULT_NAME} {number}"
        return name

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Move an existing hub to a new address."""
        entry = self._get_reconfigure_entry()
        errors: dict[str, str] = {}
        if user_input is not None:
            data, state, errors = await self._async_try(user_input)
            if state is not None:
                if _is_other_hub(entry, state):
                    return self.async_abort(reason="different_hub")
                # Hubs added before the name field were titled after their
                # address (and their devices took it): follow the move, but
                # keep any other name.
                title = entry.title
                if title == _default_title(entry.data[CONF_HOST]):
                    title = _default_title(data[CONF_HOST])
                return self.async_update_reload_and_abort(
                    entry, title=title, data_updates=data
                )
        else:
            user_input = dict(entry.data)
        return self.async_show_form(
            step_id="reconfigure",
            data_schema=self.add_suggested_values_to_schema(_schema(), user_input),
            errors=errors,
        )


def _default_title(host: str) -> str:
    """The title hubs were given before they had a name field."""
    return f"VidiAccess hub {host}"


def _is_other_hub(entry: Any, state: HubState) -> bool:
    """Tell whether the hub at the new address is not the one the entry had.

    The API has no hub serial number; the instances a hub collates are the
    best evidence. Only when both sides list instances and none is shared can
    we tell.
    """
    coordinator = getattr(entry, "runtime_data", None)
    if coordinator is None or coordinator.data is None:
        return False
    known: set[InstanceKey] = set(coordinator.data.instances)
    return bool(known and state.instances and known.isdisjoint(state.instances))
