"""What action input is refused: one table per check, at the function making it.

``whole_number`` and ``adjusted`` (helpers.py) check every count of the actions
and of the number entities; ``_reset_time`` and ``_gate_type`` (services.py)
read the actions' other fields. tests/test_services.py calls the actions end to
end: each refusal there is translated and sends nothing to the hub.
"""

from __future__ import annotations

from datetime import time
from typing import Any

from homeassistant.exceptions import ServiceValidationError
import pytest

from custom_components.vidigates.const import DOMAIN, MAX_PEOPLE
from custom_components.vidigates.helpers import adjusted, whole_number
from custom_components.vidigates.models import GateType, ResetTime
from custom_components.vidigates.services import _gate_type, _reset_time


def _refused(call: Any, *args: Any) -> ServiceValidationError:
    """The translated validation error ``call(*args)`` raises."""
    with pytest.raises(ServiceValidationError) as caught:
        call(*args)
    assert caught.value.translation_domain == DOMAIN
    return caught.value


@pytest.mark.parametrize(
    ("value", "read"),
    [
        (0, 0),
        (MAX_PEOPLE, MAX_PEOPLE),
        # A template renders numbers as floats: a whole one is that number.
        (12.0, 12),
    ],
)
def test_whole_number_accepts(value: Any, read: int) -> None:
    """Whole numbers within the bounds are read as ints."""
    assert type(whole_number(value, "occupancy", 0, MAX_PEOPLE)) is int
    assert whole_number(value, "occupancy", 0, MAX_PEOPLE) == read


@pytest.mark.parametrize(
    "value",
    # A bool is an int to Python, but `occupancy: true` is a mistake.
    [12.5, float("nan"), float("inf"), True, "12", None],
)
def test_whole_number_refuses_what_is_not_one(value: Any) -> None:
    """Anything but a whole number is refused, naming the field and the value."""
    err = _refused(whole_number, value, "occupancy", 0, MAX_PEOPLE)

    assert err.translation_key == "not_whole_number"
    assert err.translation_placeholders == {"field": "occupancy", "value": repr(value)}


@pytest.mark.parametrize(
    ("value", "minimum", "shown"),
    [
        (-1, 0, "-1"),
        (MAX_PEOPLE + 1, 0, "1000001"),
        (1e30, 0, str(int(1e30))),
        (-MAX_PEOPLE - 1, -MAX_PEOPLE, "-1000001"),
    ],
)
def test_whole_number_refuses_out_of_range(
    value: float, minimum: int, shown: str
) -> None:
    """A whole number outside the bounds is refused, with the bounds."""
    err = _refused(whole_number, value, "delta", minimum, MAX_PEOPLE)

    assert err.translation_key == "out_of_range"
    assert err.translation_placeholders == {
        "field": "delta",
        "value": shown,
        "minimum": str(minimum),
        "maximum": str(MAX_PEOPLE),
    }


@pytest.mark.parametrize(
    ("value", "read"),
    [
        ("23:00", ResetTime(23, 0)),
        (" 06:30 ", ResetTime(6, 30)),
        # What the time selector sends; the hub keeps no seconds: dropped.
        ("07:45:59", ResetTime(7, 45)),
        (time(5, 15, 59), ResetTime(5, 15)),
        (None, None),  # No daily reset.
    ],
)
def test_reset_time_accepts(value: Any, read: ResetTime | None) -> None:
    """H:MM[:SS] text or a time; None switches the daily reset off."""
    assert _reset_time(value) == read


@pytest.mark.parametrize(
    "value",
    [
        "7 pm",
        "25:00",
        "23:60",
        "23:00:60",
        "",
        "23:00Z",
        "23:00:00:00",
        # What int() or dt_util.parse_time would read as something else.
        "2_3:00",
        "+23:+00",
        "23: 00",
        2300,
        True,
        {"hour": 23, "minute": 0},
    ],
)
def test_reset_time_refuses(value: Any) -> None:
    """A reset time written wrong is refused, not guessed."""
    err = _refused(_reset_time, value)

    assert err.translation_key == "invalid_reset_time"
    assert err.translation_placeholders == {"value": repr(value)}


@pytest.mark.parametrize("value", ["in", "out", "both", GateType.BOTH])
def test_gate_type_accepts(value: Any) -> None:
    """The three documented spellings, as the hub writes them."""
    assert _gate_type(value) is GateType(value)


@pytest.mark.parametrize("value", ["IN", " in", None])
def test_gate_type_refuses(value: Any) -> None:
    """Anything else is refused, listing what is accepted."""
    err = _refused(_gate_type, value)

    assert err.translation_key == "invalid_gate_type"
    assert err.translation_placeholders == {
        "value": repr(value),
        "options": "in, out, both",
    }


@pytest.mark.parametrize(
    ("current", "delta", "sent"),
    [
        (40, 3, 43),
        (40, 0, 40),
        # A negative delta from a count of 0 or more stops at 0.
        (40, -100, 0),
        (0, -1, 0),
        # Up to the maximum, exactly.
        (MAX_PEOPLE - 5, 5, MAX_PEOPLE),
        # From below 0 (exits after the daily reset): exactly the sum.
        (-3, 5, 2),
    ],
)
def test_adjusted(current: int, delta: int, sent: int) -> None:
    """The occupancy an adjustment sends."""
    assert adjusted(current, delta, MAX_PEOPLE) == sent


@pytest.mark.parametrize(
    ("current", "delta"),
    [
        # Clamping to the maximum would lower the count.
        (2 * MAX_PEOPLE, 5),
        (MAX_PEOPLE - 1, 5),
        (2 * MAX_PEOPLE, 0),
        # Flooring a negative count at 0 would raise it.
        (-3, -1),
        # Still below 0 after the change: the hub cannot be set there.
        (-10, 3),
        (-5, 0),
    ],
)
def test_adjusted_refuses_what_it_cannot_send(current: int, delta: int) -> None:
    """The count changes by delta or not at all: nothing else is ever sent."""
    err = _refused(adjusted, current, delta, MAX_PEOPLE)

    assert err.translation_key == "adjust_out_of_range"
    assert err.translation_placeholders == {
        "current": str(current),
        "delta": f"{delta:+d}",
        "result": str(current + delta),
        "maximum": str(MAX_PEOPLE),
    }
