"""Actions of the VidiGates integration: set, set_type, adjust_occupancy."""

from __future__ import annotations

from datetime import time
import re
from typing import Any, Final

from homeassistant.const import ATTR_CONFIG_ENTRY_ID
from homeassistant.core import (
    HomeAssistant,
    ServiceCall,
    ServiceResponse,
    SupportsResponse,
    callback,
)
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import config_validation as cv

from .compat import async_get_config_entry, probatio
from .const import DOMAIN, MAX_PEOPLE
from .coordinator import VidiGatesConfigEntry, VidiGatesCoordinator
from .helpers import async_adjust_occupancy, async_set, async_set_type, whole_number
from .models import MAX_COUNT, GateType, ResetTime, SetResult

SERVICE_SET: Final = "set"
SERVICE_SET_TYPE: Final = "set_type"
SERVICE_ADJUST_OCCUPANCY: Final = "adjust_occupancy"

ATTR_OCCUPANCY: Final = "occupancy"
ATTR_THRESHOLD: Final = "threshold"
ATTR_RESET_TIME: Final = "reset_time"
ATTR_BOXID: Final = "boxid"
ATTR_NUMBER: Final = "number"
ATTR_GATE_TYPE: Final = "gate_type"
ATTR_DELTA: Final = "delta"

# The schemas name the fields; their values are checked by the handlers, so
# that every mistake (a negative count, a bool, "7 pm") ends in a translated
# message naming the field, and is refused before anything reaches the hub.
SET_SCHEMA: Final = probatio.Schema(
    {
        probatio.Required(ATTR_CONFIG_ENTRY_ID): cv.string,
        probatio.Optional(ATTR_OCCUPANCY): cv.match_all,
        probatio.Optional(ATTR_THRESHOLD): cv.match_all,
        probatio.Optional(ATTR_RESET_TIME): cv.match_all,
    }
)
SET_TYPE_SCHEMA: Final = probatio.Schema(
    {
        probatio.Required(ATTR_CONFIG_ENTRY_ID): cv.string,
        probatio.Required(ATTR_BOXID): cv.match_all,
        probatio.Required(ATTR_NUMBER): cv.match_all,
        probatio.Required(ATTR_GATE_TYPE): cv.match_all,
    }
)
ADJUST_OCCUPANCY_SCHEMA: Final = probatio.Schema(
    {
        probatio.Required(ATTR_CONFIG_ENTRY_ID): cv.string,
        probatio.Required(ATTR_DELTA): cv.match_all,
    }
)


@callback
def async_setup_services(hass: HomeAssistant) -> None:
    """Register the actions; they serve every hub."""
    hass.services.async_register(
        DOMAIN,
        SERVICE_SET,
        _async_set,
        schema=SET_SCHEMA,
        supports_response=SupportsResponse.OPTIONAL,
    )
    hass.services.async_register(
        DOMAIN, SERVICE_SET_TYPE, _async_set_type, schema=SET_TYPE_SCHEMA
    )
    hass.services.async_register(
        DOMAIN,
        SERVICE_ADJUST_OCCUPANCY,
        _async_adjust_occupancy,
        schema=ADJUST_OCCUPANCY_SCHEMA,
        supports_response=SupportsResponse.OPTIONAL,
    )


async def _async_set(call: ServiceCall) -> ServiceResponse:
    """Change any of occupancy, threshold and daily reset time."""
    coordinator = _coordinator(call)
    changes: dict[str, Any] = {}
    for field in (ATTR_OCCUPANCY, ATTR_THRESHOLD):
        if field in call.data:
            changes[field] = whole_number(call.data[field], field, 0, MAX_PEOPLE)
    if ATTR_RESET_TIME in call.data:
        changes[ATTR_RESET_TIME] = _reset_time(call.data[ATTR_RESET_TIME])
    if not changes:
        raise ServiceValidationError(
            translation_domain=DOMAIN, translation_key="nothing_to_set"
        )
    result = await async_set(coordinator, **changes)
    return _response(result) if call.return_response else None


async def _async_set_type(call: ServiceCall) -> None:
    """Set which crossings of one instance count."""
    coordinator = _coordinator(call)
    boxid = whole_number(call.data[ATTR_BOXID], ATTR_BOXID, 0, MAX_COUNT)
    number = whole_number(call.data[ATTR_NUMBER], ATTR_NUMBER, 0, MAX_COUNT)
    gate_type = _gate_type(call.data[ATTR_GATE_TYPE])
    if (boxid, number) not in coordinator.data.instances:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="unknown_instance",
            translation_placeholders={
                "hub": coordinator.config_entry.title,
                "boxid": str(boxid),
                "number": str(number),
            },
        )
    await async_set_type(coordinator, (boxid, number), gate_type)


async def _async_adjust_occupancy(call: ServiceCall) -> ServiceResponse:
    """Add to or take from the occupancy the hub has now (helpers.adjusted)."""
    coordinator = _coordinator(call)
    delta = whole_number(call.data[ATTR_DELTA], ATTR_DELTA, -MAX_PEOPLE, MAX_PEOPLE)
    result = await async_adjust_occupancy(coordinator, delta, MAX_PEOPLE)
    return _response(result) if call.return_response else None


def _coordinator(call: ServiceCall) -> VidiGatesCoordinator:
    """Return the coordinator of the call's hub; refuse an unknown or unloaded one."""
    entry: VidiGatesConfigEntry = async_get_config_entry(
        call.hass, DOMAIN, call.data[ATTR_CONFIG_ENTRY_ID]
    )
    return entry.runtime_data


_TIME: Final = re.compile(r"([0-9]{1,2}):([0-9]{2})(?::([0-9]{2}))?")


def _reset_time(value: Any) -> ResetTime | None:
    """Return a reset time from a time or "HH:MM[:SS]"; None switches it off."""
    if value is None:
        return None
    parsed = value if isinstance(value, time) else None
    # dt_util.parse_time ignores a fourth part and reads "2_3" or "+23" as
    # int() does; a reset time written wrong must be refused, not guessed.
    if isinstance(value, str) and (match := _TIME.fullmatch(value.strip())):
        hour, minute, second = match.group(1, 2, 3)
        if int(hour) <= 23 and int(minute) <= 59 and int(second or 0) <= 59:
            parsed = time(int(hour), int(minute))
    if parsed is None:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="invalid_reset_time",
            translation_placeholders={"value": repr(value)},
        )
    # The hub keeps hours and minutes only.
    return ResetTime.from_time(parsed)


def _gate_type(value: Any) -> GateType:
    """Return the gate type the value names."""
    try:
        return GateType(value)
    except ValueError:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="invalid_gate_type",
            translation_placeholders={
                "value": repr(value),
                "options": ", ".join(gate_type.value for gate_type in GateType),
            },
        ) from None


def _response(result: SetResult) -> dict[str, Any]:
    """The hub's answer, with the reset time written like the time entity's."""
    return {
        "current": result.current,
        "threshold": result.threshold,
        "reset_time": None
        if result.reset_time is None
        else result.reset_time.as_time().isoformat(),
    }
