"""Writes to the hub, shared by the entities and the actions.

Every write goes through here, so that all of them hold the hub's lock (one
request at a time, in call order, polls included), show the hub's answer at
once, and fail with the same translated errors.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from functools import wraps
from typing import Any

from homeassistant.exceptions import HomeAssistantError, ServiceValidationError

from .api import UNSET, Unset
from .const import DOMAIN
from .coordinator import VidiGatesCoordinator
from .exceptions import VidiGatesConnectionError, VidiGatesError
from .models import GateType, InstanceKey, ResetTime, SetResult


def translate_hub_errors[**P, R](
    func: Callable[P, Coroutine[Any, Any, R]],
) -> Callable[P, Coroutine[Any, Any, R]]:
    """Turn the client's errors during a write into translated errors."""

    @wraps(func)
    async def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return await func(*args, **kwargs)
        except VidiGatesConnectionError as err:
            raise HomeAssistantError(
                translation_domain=DOMAIN,
                translation_key="write_cannot_connect",
                translation_placeholders={"error": str(err)},
            ) from err
        except VidiGatesError as err:
            raise HomeAssistantError(
                translation_domain=DOMAIN,
                translation_key="write_invalid_response",
                translation_placeholders={"error": str(err)},
            ) from err

    return wrapper


@translate_hub_errors
async def async_set(
    coordinator: VidiGatesCoordinator,
    *,
    occupancy: int | Unset = UNSET,
    threshold: int | Unset = UNSET,
    reset_time: ResetTime | Unset | None = UNSET,
) -> SetResult:
    """Send ``/set`` and show the values the hub says are now in force."""
    async with coordinator.hub_lock:
        result = await coordinator.client.set(
            occupancy=occupancy, threshold=threshold, reset_time=reset_time
        )
        coordinator.async_apply_set_result(result)
    return result


@translate_hub_errors
async def async_adjust_occupancy(
    coordinator: VidiGatesCoordinator, delta: int, maximum: int
) -> SetResult:
    """Add ``delta`` to the occupancy the hub has now (see :func:`adjusted`).

    The hub only sets absolute values, so the current one is read first, fresh:
    the coordinator's copy can be a poll interval old, and a correction made on
    a stale count would be off by whoever crossed meanwhile. Read and write
    happen under one hold of the lock, so that simultaneous adjustments add
    up instead of each starting from the same count.
    """
    async with coordinator.hub_lock:
        state = await coordinator.client.instances()
        target = adjusted(state.current, delta, maximum)
        result = await coordinator.client.set(occupancy=target)
        # A whole fresh read plus the write's answer: all of it is current.
        coordinator.async_set_updated_data(state.replace_settings(result))
    return result


def adjusted(current: int, delta: int, maximum: int) -> int:
    """Return ``current + delta``, the occupancy an adjustment sends, or refuse.

    The one other number sent: a negative ``delta`` from a count of 0 or more
    stops at 0. Anything else would change the count by something other than
    ``delta`` (a clamp to ``maximum`` would even lower it; a floor under a
    negative count would raise it), so it is refused before anything is sent.
    """
    target = current + delta
    if delta < 0 <= current:
        target = max(target, 0)
    if not 0 <= target <= maximum:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="adjust_out_of_range",
            translation_placeholders={
                "current": str(current),
                "delta": f"{delta:+d}",
                "result": str(current + delta),
                "maximum": str(maximum),
            },
        )
    return target


@translate_hub_errors
async def async_set_type(
    coordinator: VidiGatesCoordinator, key: InstanceKey, gate_type: GateType
) -> None:
    """Send ``/set_type``, then read the hub again to show its effect.

    The hub answers ``{}``, and the gate type also changes the entries, exits
    and occupancy the hub derives, so only a fresh read shows them right.
    """
    async with coordinator.hub_lock:
        await coordinator.client.set_type(key[0], key[1], gate_type)
    # Not async_request_refresh: its debouncer would hold a second change made
    # within its cooldown back for seconds.
    await coordinator.async_refresh()


def whole_number(value: Any, field: str, minimum: int, maximum: int) -> int:
    """Return ``value`` as an int within ``minimum..maximum``, or refuse it.

    Shared by the actions and the number entities, so that a user's mistake
    reads the same wherever it was made.
    """
    # A template can render 5.0; it means 5. A bool is an int to Python, but
    # `occupancy: true` is a mistake, not 1 person.
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if type(value) is not int:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="not_whole_number",
            translation_placeholders={"field": field, "value": repr(value)},
        )
    if not minimum <= value <= maximum:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="out_of_range",
            translation_placeholders={
                "field": field,
                "value": str(value),
                "minimum": str(minimum),
                "maximum": str(maximum),
            },
        )
    return value
