"""Every combination of action fields, good and bad: refused before any request.

tests/test_services.py checks each mistake once. Here every action is called
with the cross product of its fields' values (missing, valid, and each kind of
invalid), and each call is checked against a table written by hand: a refused
call sends nothing at all; an accepted one sends exactly the documented body.
The config entry a call names is varied the same way.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import time
from itertools import product
from typing import Any, Final

from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import CONF_HOST, CONF_PORT
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.test_util.aiohttp import AiohttpClientMocker

from custom_components.vidigates.compat import probatio
from custom_components.vidigates.const import DOMAIN

from .conftest import INSTANCES_URL, SET_TYPE_URL, SET_URL, hub_requests

pytestmark = pytest.mark.usefixtures("init_integration")

ENTRY_ID: Final = "01JVIDIGATESTESTENTRY00000"
ANSWER: Final = {
    "current": 40,
    "threshold": 50,
    "reset_time": {"hour": 23, "minute": 0},
}
# The vendor sample's instances and its occupancy (adjust_occupancy reads it).
KNOWN_INSTANCES: Final = {(74117, 1), (52190, 0)}
CURRENT: Final = 40


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


MISSING: Final = _Missing()
"""The field is left out of the call."""


@dataclass(frozen=True)
class Bad:
    """An invalid value, refused with this translation key."""

    key: str


NOT_WHOLE = Bad("not_whole_number")
OUT_OF_RANGE = Bad("out_of_range")
BAD_TIME = Bad("invalid_reset_time")
BAD_GATE_TYPE = Bad("invalid_gate_type")

# A count of people (occupancy, threshold): each value and how it must be read.
COUNTS: Final[list[tuple[Any, Any]]] = [
    (0, 0),
    (12, 12),
    (1_000_000, 1_000_000),
    # A template renders numbers as floats: a whole one is that number.
    (12.0, 12),
    (-1, OUT_OF_RANGE),
    (1_000_001, OUT_OF_RANGE),
    (10**30, OUT_OF_RANGE),
    (12.5, NOT_WHOLE),
    (float("nan"), NOT_WHOLE),
    (float("inf"), NOT_WHOLE),
    (True, NOT_WHOLE),
    ("12", NOT_WHOLE),
    (None, NOT_WHOLE),
    ([12], NOT_WHOLE),
]
RESET_TIMES: Final[list[tuple[Any, Any]]] = [
    ("23:00", {"hour": 23, "minute": 0}),
    (" 06:30 ", {"hour": 6, "minute": 30}),
    # The hub keeps no seconds: they are dropped, not rounded.
    ("07:45:59", {"hour": 7, "minute": 45}),
    (time(5, 15), {"hour": 5, "minute": 15}),
    (None, None),  # No daily reset.
    ("7 pm", BAD_TIME),
    ("25:00", BAD_TIME),
    ("23:60", BAD_TIME),
    ("23", BAD_TIME),
    ("", BAD_TIME),
    ("23:00Z", BAD_TIME),
    (2300, BAD_TIME),
    (23.5, BAD_TIME),
    (True, BAD_TIME),
    ({"hour": 23, "minute": 0}, BAD_TIME),
    (["23:00"], BAD_TIME),
]
BOXIDS: Final[list[tuple[Any, Any]]] = [
    (52190, 52190),
    (74117, 74117),
    (52190.0, 52190),
    (99999, 99999),  # No such instance: refused after the checks of type.
    (-1, OUT_OF_RANGE),
    (1_000_000_001, OUT_OF_RANGE),
    (True, NOT_WHOLE),
    ("52190", NOT_WHOLE),
    (None, NOT_WHOLE),
]
NUMBERS: Final[list[tuple[Any, Any]]] = [
    (0, 0),
    (1, 1),
    (0.0, 0),
    (-1, OUT_OF_RANGE),
    (2.5, NOT_WHOLE),
    (False, NOT_WHOLE),
    ("0", NOT_WHOLE),
    (None, NOT_WHOLE),
]
GATE_TYPES: Final[list[tuple[Any, Any]]] = [
    ("in", "in"),
    ("out", "out"),
    ("both", "both"),
    ("IN", BAD_GATE_TYPE),
    (" in", BAD_GATE_TYPE),
    ("", BAD_GATE_TYPE),
    (None, BAD_GATE_TYPE),
    (1, BAD_GATE_TYPE),
    (["in"], BAD_GATE_TYPE),
]
DELTAS: Final[list[tuple[Any, Any]]] = [
    (3, 3),
    (-3, -3),
    (0, 0),
    (3.0, 3),
    (-1_000_000, -1_000_000),
    (1_000_000, 1_000_000),
    (-1_000_001, OUT_OF_RANGE),
    (1_000_001, OUT_OF_RANGE),
    (1.5, NOT_WHOLE),
    ("3", NOT_WHOLE),
    ("+3", NOT_WHOLE),
    (True, NOT_WHOLE),
    (None, NOT_WHOLE),
    ([3], NOT_WHOLE),
]


def _with_missing(values: list[tuple[Any, Any]]) -> list[tuple[Any, Any]]:
    return [*values, (MISSING, MISSING)]


@pytest.fixture
def hub(aioclient_mock: AiohttpClientMocker) -> AiohttpClientMocker:
    """The mocked hub also answers the writes; its request log starts empty."""
    aioclient_mock.post(SET_URL, json=ANSWER)
    aioclient_mock.post(SET_TYPE_URL, json={})
    aioclient_mock.mock_calls.clear()
    return aioclient_mock


async def _call(hass: HomeAssistant, service: str, data: dict[str, Any]) -> Any:
    """Call an action; return the error it raised, or None."""
    try:
        await hass.services.async_call(DOMAIN, service, data, blocking=True)
    except (ServiceValidationError, probatio.Invalid) as err:
        return err
    return None


def _fields(**fields: Any) -> dict[str, Any]:
    return {
        "config_entry_id": ENTRY_ID,
        **{key: value for key, value in fields.items() if value is not MISSING},
    }


def _first_bad(*readings: Any) -> Bad | None:
    return next((reading for reading in readings if isinstance(reading, Bad)), None)


@dataclass
class Outcomes:
    """Calls that did something else than the table says."""

    calls: int = 0
    wrong: list[str] = field(default_factory=list)

    def check(self, what: str, ok: bool) -> None:
        """Record a call; keep it when it went wrong."""
        self.calls += 1
        if not ok:
            self.wrong.append(what)


def _refused(err: Any, bad: Bad | None, sent: list[Any]) -> bool:
    """Refused as expected, and nothing was sent."""
    if sent:
        return False
    if bad is None:  # A schema refusal: a field missing or unknown.
        return isinstance(err, probatio.Invalid)
    return (
        isinstance(err, ServiceValidationError)
        and err.translation_domain == DOMAIN
        and err.translation_key == bad.key
        and bool(str(err))
    )


async def test_set_every_combination(
    hass: HomeAssistant, hub: AiohttpClientMocker
) -> None:
    """occupancy x threshold x reset_time: 15 x 15 x 17 calls, each as the table."""
    outcomes = Outcomes()
    for (occupancy, occ), (threshold, thr), (reset_time, rst) in product(
        _with_missing(COUNTS), _with_missing(COUNTS), _with_missing(RESET_TIMES)
    ):
        hub.mock_calls.clear()
        err = await _call(
            hass,
            "set",
            _fields(occupancy=occupancy, threshold=threshold, reset_time=reset_time),
        )
        sent = hub_requests(hub)
        what = f"set {occupancy!r} {threshold!r} {reset_time!r}: {err!r} {sent}"
        body = {
            key: reading
            for key, reading in (
                ("occupancy", occ),
                ("threshold", thr),
                ("reset_time", rst),
            )
            if reading is not MISSING
        }
        if (bad := _first_bad(occ, thr, rst)) is not None:
            outcomes.check(what, _refused(err, bad, sent))
        elif not body:
            outcomes.check(what, _refused(err, Bad("nothing_to_set"), sent))
        else:
            outcomes.check(what, err is None and sent == [("POST", SET_URL, body)])
    assert outcomes.calls == 15 * 15 * 17
    assert not outcomes.wrong, outcomes.wrong[:10]


async def test_set_type_every_combination(
    hass: HomeAssistant, hub: AiohttpClientMocker
) -> None:
    """boxid x number x gate_type, each missing, valid or wrong in every way."""
    outcomes = Outcomes()
    for (boxid, box), (number, num), (gate_type, kind) in product(
        _with_missing(BOXIDS), _with_missing(NUMBERS), _with_missing(GATE_TYPES)
    ):
        hub.mock_calls.clear()
        err = await _call(
            hass,
            "set_type",
            _fields(boxid=boxid, number=number, gate_type=gate_type),
        )
        sent = hub_requests(hub)
        what = f"set_type {boxid!r} {number!r} {gate_type!r}: {err!r} {sent}"
        if MISSING in (box, num, kind):
            outcomes.check(what, _refused(err, None, sent))
        elif (bad := _first_bad(box, num, kind)) is not None:
            outcomes.check(what, _refused(err, bad, sent))
        elif (box, num) not in KNOWN_INSTANCES:
            outcomes.check(what, _refused(err, Bad("unknown_instance"), sent))
        else:
            # The write, then a fresh read to show what the type changed.
            body = {"boxid": box, "number": num, "gate_type": kind}
            outcomes.check(
                what,
                err is None
                and sent
                == [("POST", SET_TYPE_URL, body), ("GET", INSTANCES_URL, None)],
            )
    assert outcomes.calls == 10 * 9 * 10
    assert not outcomes.wrong, outcomes.wrong[:10]


async def test_adjust_occupancy_every_value(
    hass: HomeAssistant, hub: AiohttpClientMocker
) -> None:
    """delta: missing, valid or wrong; a valid one reads, then sets the sum.

    A sum below 0 stops at 0; one above 1e6 is refused after the read.
    """
    outcomes = Outcomes()
    for delta, reading in _with_missing(DELTAS):
        hub.mock_calls.clear()
        err = await _call(hass, "adjust_occupancy", _fields(delta=delta))
        sent = hub_requests(hub)
        what = f"adjust_occupancy {delta!r}: {err!r} {sent}"
        if reading is MISSING:
            outcomes.check(what, _refused(err, None, sent))
        elif isinstance(reading, Bad):
            outcomes.check(what, _refused(err, reading, sent))
        elif CURRENT + reading > 1_000_000:
            outcomes.check(
                what,
                isinstance(err, ServiceValidationError)
                and err.translation_key == "adjust_out_of_range"
                and sent == [("GET", INSTANCES_URL, None)],
            )
        else:
            target = max(CURRENT + reading, 0)
            outcomes.check(
                what,
                err is None
                and sent
                == [
                    ("GET", INSTANCES_URL, None),
                    ("POST", SET_URL, {"occupancy": target}),
                ],
            )
    assert outcomes.calls == len(DELTAS) + 1
    assert not outcomes.wrong, outcomes.wrong


VALID_CALLS: Final = [
    pytest.param("set", {"occupancy": 5}, id="set"),
    pytest.param(
        "set_type", {"boxid": 52190, "number": 0, "gate_type": "in"}, id="set_type"
    ),
    pytest.param("adjust_occupancy", {"delta": 1}, id="adjust_occupancy"),
]


def _targets(hass: HomeAssistant) -> Iterator[tuple[str, Any, type[Exception]]]:
    """Every way to name a hub that is not a loaded VidiGates hub."""
    other = MockConfigEntry(domain="sun", entry_id="01JOTHERDOMAINENTRY0000000")
    other.add_to_hass(hass)
    unloaded = MockConfigEntry(
        domain=DOMAIN,
        entry_id="01JVIDIGATESUNLOADED000000",
        data={CONF_HOST: "192.0.2.11", CONF_PORT: 8080},
    )
    unloaded.add_to_hass(hass)
    assert unloaded.state is ConfigEntryState.NOT_LOADED
    yield "missing", MISSING, probatio.Invalid
    yield "null", None, probatio.Invalid
    yield "list", [ENTRY_ID], probatio.Invalid
    yield "empty", "", ServiceValidationError
    yield "unknown", "01JNOSUCHENTRY000000000000", ServiceValidationError
    yield "number", 12345, ServiceValidationError
    yield "another integration's", other.entry_id, ServiceValidationError
    yield "not loaded", unloaded.entry_id, ServiceValidationError


@pytest.mark.parametrize(("service", "data"), VALID_CALLS)
async def test_only_a_loaded_hub_can_be_named(
    hass: HomeAssistant, hub: AiohttpClientMocker, service: str, data: dict[str, Any]
) -> None:
    """Valid fields, but no loaded VidiGates hub named: refused, nothing sent."""
    for what, entry_id, error in _targets(hass):
        call = dict(data)
        if entry_id is not MISSING:
            call["config_entry_id"] = entry_id
        err = await _call(hass, service, call)
        assert isinstance(err, error), what
        assert hub_requests(hub) == [], what


@pytest.mark.parametrize(("service", "data"), VALID_CALLS)
@pytest.mark.parametrize(
    "extra",
    [
        pytest.param({"ocupancy": 5}, id="misspelt"),
        pytest.param({"entity_id": "sensor.x"}, id="entity_id"),
        pytest.param({"config_entry": ENTRY_ID}, id="near-miss"),
    ],
)
async def test_unknown_fields_are_refused(
    hass: HomeAssistant,
    hub: AiohttpClientMocker,
    service: str,
    data: dict[str, Any],
    extra: dict[str, Any],
) -> None:
    """A field the action does not know is refused, never ignored."""
    err = await _call(hass, service, _fields(**data, **extra))
    assert isinstance(err, probatio.Invalid)
    assert hub_requests(hub) == []


@pytest.mark.parametrize(
    "reset_time",
    ["23:00:00:00", "23:00:00:junk", "2_3:00", "+23:+00", "23: 00", "24:00", "7:60"],
)
async def test_set_refuses_malformed_reset_times(
    hass: HomeAssistant, hub: AiohttpClientMocker, reset_time: str
) -> None:
    """A reset time that is not H:MM[:SS] is refused, not read as something else."""
    err = await _call(hass, "set", _fields(reset_time=reset_time))
    assert isinstance(err, ServiceValidationError)
    assert hub_requests(hub) == []
