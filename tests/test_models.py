"""Tests of the hub's models and their parser, without Home Assistant entities."""

from __future__ import annotations

from collections.abc import Callable
import copy
from dataclasses import FrozenInstanceError
from datetime import time
from typing import Any

from hypothesis import HealthCheck, given, settings, strategies as st
import pytest

from custom_components.vidigates.exceptions import (
    VidiGatesError,
    VidiGatesInvalidResponseError,
)
from custom_components.vidigates.models import (
    MAX_COUNT,
    Direction,
    Gate,
    GateType,
    HubState,
    Instance,
    InstanceMemo,
    InstanceStatus,
    ResetTime,
    SetResult,
    Tally,
    parse_hub_state,
    parse_set_result,
)

from .conftest import load_fixture

type Json = Any
type Mutation = Callable[[dict[str, Any]], object]

# The vendor sample's two instances: index 0 is (74117, 1) without `status`,
# index 1 is (52190, 0) with `status: ok` and two gates.
DERIVED = 0
EXPLICIT = 1


def sample() -> dict[str, Any]:
    """Return a fresh copy of the vendor's sample answer."""
    data: dict[str, Any] = load_fixture("vendor_sample.json")
    return data


def answer(*instances: dict[str, Any], **top: Json) -> dict[str, Any]:
    """Return a hub answer with the given instances and top-level fields."""
    return {"current": 0, "threshold": 10, "instances": list(instances), **top}


def instance(boxid: int = 1, /, **fields: Json) -> dict[str, Any]:
    """Return an instance object; a field given as ... is left out."""
    obj: dict[str, Any] = {
        "boxid": boxid,
        "number": 0,
        "name": f"Box #{boxid}",
        "host": "10.0.0.2",
        "gate_type": "both",
        "gates": [{"id": 1, "in": 0, "out": 0}],
    }
    obj.update(fields)
    return {key: value for key, value in obj.items() if value is not ...}


def only_instance(data: Json) -> Instance:
    """Parse a hub answer and return its single instance."""
    (parsed,) = parse_hub_state(data).instances.values()
    return parsed


# --- the vendor's sample -----------------------------------------------------


def test_vendor_sample() -> None:
    """The vendor's own sample parses to the numbers its page describes."""
    state = parse_hub_state(sample())

    assert state.current == 40
    assert state.threshold == 50
    assert state.reset_time == ResetTime(23, 0)
    assert state.reset_time.as_time() == time(23, 0)
    assert state.limit_reached is False
    # (74117, 1) counts both ways but saw nobody; (52190, 0) counts only "in".
    assert state.entries == 40
    assert state.exits == 0
    assert state.remaining_capacity == 10
    assert state.occupancy_ratio == 80.0
    # The hub's order is kept.
    assert list(state.instances) == [(74117, 1), (52190, 0)]

    counting = state.instances[52190, 0]
    assert counting == Instance(
        boxid=52190,
        number=0,
        name="Box #52190",
        host="",
        gate_type=GateType.IN,
        status=InstanceStatus.OK,
        gates={1: Gate(1, 10, 30), 2: Gate(2, 30, 20)},
    )
    assert counting.key == (52190, 0)
    assert list(counting.gates) == [1, 2]
    assert (counting.entries, counting.exits) == (40, 0)

    # No `status`, but `restricted: true`: the user must call Quividi.
    unconfigured = state.instances[74117, 1]
    assert unconfigured.status is InstanceStatus.RESTRICTED
    assert unconfigured.gate_type is GateType.BOTH
    assert unconfigured.gates == {1: Gate(1, 0, 0)}
    assert (unconfigured.entries, unconfigured.exits) == (0, 0)


def test_vendor_sample_equals_hand_built_state() -> None:
    """Nothing but the documented values ends up in the parsed state."""
    assert parse_hub_state(sample()) == HubState(
        current=40,
        threshold=50,
        reset_time=ResetTime(23, 0),
        limit_reached=False,
        instances={
            (74117, 1): Instance(
                boxid=74117,
                number=1,
                name="Box #74117",
                host="",
                gate_type=GateType.BOTH,
                status=InstanceStatus.RESTRICTED,
                gates={1: Gate(1, 0, 0)},
            ),
            (52190, 0): Instance(
                boxid=52190,
                number=0,
                name="Box #52190",
                host="",
                gate_type=GateType.IN,
                status=InstanceStatus.OK,
                gates={1: Gate(1, 10, 30), 2: Gate(2, 30, 20)},
            ),
        },
        entries=40,
        exits=0,
    )


# --- instance status ---------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        pytest.param({}, InstanceStatus.OK, id="nothing-wrong"),
        pytest.param(
            {"enabled": True, "restricted": False, "stable": True, "state": "ok"},
            InstanceStatus.OK,
            id="all-good-flags",
        ),
        pytest.param({"enabled": False}, InstanceStatus.DISABLED, id="disabled"),
        pytest.param(
            {"enabled": False, "restricted": True, "state": "not_configured"},
            InstanceStatus.DISABLED,
            id="disabled-before-restricted",
        ),
        pytest.param({"restricted": True}, InstanceStatus.RESTRICTED, id="restricted"),
        pytest.param(
            {"restricted": True, "state": "not-capturing", "stable": False},
            InstanceStatus.RESTRICTED,
            id="restricted-before-state",
        ),
        pytest.param(
            {"state": "not_configured"},
            InstanceStatus.NOT_CONFIGURED,
            id="state-underscore",
        ),
        pytest.param(
            {"state": "not-capturing"}, InstanceStatus.NOT_CAPTURING, id="state-hyphen"
        ),
        pytest.param(
            {"state": "not_configured", "gates": []},
            InstanceStatus.NOT_CONFIGURED,
            id="state-before-no-gates",
        ),
        pytest.param(
            {"state": "rebooting"}, InstanceStatus.UNKNOWN, id="state-unknown"
        ),
        pytest.param(
            {"state": "ok", "stable": False},
            InstanceStatus.UNSTABLE,
            id="state-ok-still-checks-stable",
        ),
        pytest.param({"state": 3}, InstanceStatus.OK, id="state-not-text-ignored"),
        pytest.param({"gates": []}, InstanceStatus.NO_GATES, id="empty-gates"),
        pytest.param({"gates": ...}, InstanceStatus.NO_GATES, id="missing-gates"),
        pytest.param({"gates": None}, InstanceStatus.NO_GATES, id="null-gates"),
        pytest.param(
            {"gates": [], "stable": False},
            InstanceStatus.NO_GATES,
            id="no-gates-before-unstable",
        ),
        pytest.param({"stable": False}, InstanceStatus.UNSTABLE, id="unstable"),
        pytest.param(
            {"status": None, "enabled": False},
            InstanceStatus.DISABLED,
            id="null-status-derived",
        ),
        # Only JSON booleans count: text is not a flag.
        pytest.param(
            {"enabled": "false", "restricted": "true", "stable": 0},
            InstanceStatus.OK,
            id="flags-not-booleans",
        ),
    ],
)
def test_status_derived_when_missing(
    fields: dict[str, Json], expected: InstanceStatus
) -> None:
    """An instance without `status` gets one from its other fields."""
    assert only_instance(answer(instance(**fields))).status is expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("ok", InstanceStatus.OK),
        ("OK", InstanceStatus.OK),
        ("not-capturing", InstanceStatus.NOT_CAPTURING),
        ("not_capturing", InstanceStatus.NOT_CAPTURING),
        ("Not Capturing", InstanceStatus.NOT_CAPTURING),
        ("disabled", InstanceStatus.DISABLED),
        ("restricted", InstanceStatus.RESTRICTED),
        ("no-gates", InstanceStatus.NO_GATES),
        ("no_gates", InstanceStatus.NO_GATES),
        (" unstable ", InstanceStatus.UNSTABLE),
        ("not-configured", InstanceStatus.NOT_CONFIGURED),
        ("rebooting", InstanceStatus.UNKNOWN),
        ("", InstanceStatus.UNKNOWN),
        # A member's *name* is not a spelling the hub uses.
        ("NOT_CAPTURING_", InstanceStatus.UNKNOWN),
    ],
)
def test_status_spellings(raw: str, expected: InstanceStatus) -> None:
    """Hyphens, underscores, case and spaces all map to one member."""
    assert only_instance(answer(instance(status=raw))).status is expected


def test_explicit_status_wins_over_flags() -> None:
    """When the hub says `status`, the legacy flags are not consulted."""
    obj = instance(status="ok", enabled=False, restricted=True, gates=[])
    assert only_instance(answer(obj)).status is InstanceStatus.OK


# --- tolerated variations ----------------------------------------------------


def test_unknown_fields_ignored() -> None:
    """Fields a newer firmware adds change nothing."""
    data = sample()
    data["firmware"] = "9.9"
    data["zones"] = [{"id": 1}]
    data["instances"][EXPLICIT]["camera"] = {"model": "x"}
    data["instances"][EXPLICIT]["gates"][0]["label"] = "Main door"
    data["reset_time"]["second"] = 30
    assert parse_hub_state(data) == parse_hub_state(sample())


@pytest.mark.parametrize(
    ("reset_time", "expected"),
    [
        (None, None),
        (..., None),
        ({"hour": 0, "minute": 0}, ResetTime(0, 0)),
        ({"hour": 23, "minute": 59}, ResetTime(23, 59)),
    ],
    ids=["null", "missing", "midnight", "last-minute"],
)
def test_reset_time(reset_time: Json, expected: ResetTime | None) -> None:
    """`reset_time` may be null or missing: no daily reset."""
    data = answer(instance())
    if reset_time is not ...:
        data["reset_time"] = reset_time
    assert parse_hub_state(data).reset_time == expected


def test_optional_instance_fields_default() -> None:
    """An instance with only a boxid gets the documented defaults."""
    assert only_instance(answer({"boxid": 7})) == Instance(
        boxid=7,
        number=0,
        name="Box #7",
        host="",
        gate_type=GateType.BOTH,
        status=InstanceStatus.NO_GATES,
        gates={},
    )


@pytest.mark.parametrize(
    "field",
    ["number", "name", "host", "gate_type", "gates", "status"],
)
def test_null_optional_field_reads_as_missing(field: str) -> None:
    """Null in an optional field means the same as the field left out."""
    assert only_instance(answer(instance(**{field: None}))) == only_instance(
        answer(instance(**{field: ...}))
    )


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        (None, "Box #5"),
        ("", "Box #5"),
        ("   ", "Box #5"),
        ("  Front door ", "Front door"),
        ("Entrée nord", "Entrée nord"),
    ],
)
def test_instance_name(name: str | None, expected: str) -> None:
    """A blank name falls back to the box's id; padding is dropped."""
    assert only_instance(answer(instance(5, name=name))).name == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("in", GateType.IN),
        ("out", GateType.OUT),
        ("both", GateType.BOTH),
        (" IN ", GateType.IN),
        ("Both", GateType.BOTH),
    ],
)
def test_gate_type_spellings(raw: str, expected: GateType) -> None:
    """Gate types are read without regard to case or padding."""
    assert only_instance(answer(instance(gate_type=raw))).gate_type is expected


@pytest.mark.parametrize(
    ("status", "current", "threshold", "expected"),
    [
        ("ok", 40, 50, False),
        ("ko", 50, 50, True),
        # The hub's word is taken over the arithmetic.
        ("ok", 60, 50, False),
        ("ko", 10, 50, True),
        (..., 49, 50, False),
        (..., 50, 50, True),
        (None, 51, 50, True),
        (None, 0, 0, True),
    ],
)
def test_limit_reached(
    status: Json, current: int, threshold: int, expected: bool
) -> None:
    """`status` says whether the limit is reached; without it, the numbers do."""
    data = answer(current=current, threshold=threshold)
    if status is not ...:
        data["status"] = status
    assert parse_hub_state(data).limit_reached is expected


# --- derived numbers ---------------------------------------------------------


@pytest.mark.parametrize(
    ("gate_type", "entries", "exits"),
    [("in", 40, 0), ("out", 0, 50), ("both", 40, 50)],
)
def test_entries_and_exits_honour_gate_type(
    gate_type: str, entries: int, exits: int
) -> None:
    """Only the directions the gate type counts make entries and exits."""
    gates = [{"id": 1, "in": 10, "out": 30}, {"id": 2, "in": 30, "out": 20}]
    parsed = only_instance(answer(instance(gate_type=gate_type, gates=gates)))
    assert (parsed.entries, parsed.exits) == (entries, exits)


def test_hub_totals_add_up_instances() -> None:
    """The hub's entries and exits add every instance's, each by its own type."""
    data = answer(
        instance(1, gate_type="in", gates=[{"id": 1, "in": 5, "out": 100}]),
        instance(2, gate_type="out", gates=[{"id": 1, "in": 100, "out": 7}]),
        instance(
            3,
            gate_type="both",
            gates=[{"id": 1, "in": 1, "out": 2}, {"id": 9, "in": 3, "out": 4}],
        ),
        instance(4, gates=[]),
    )
    state = parse_hub_state(data)
    assert (state.entries, state.exits) == (5 + 1 + 3, 7 + 2 + 4)


@pytest.mark.parametrize(
    ("current", "threshold", "remaining", "ratio"),
    [
        (40, 50, 10, 80.0),
        (0, 50, 50, 0.0),
        (50, 50, 0, 100.0),
        (60, 50, 0, 120.0),
        (1, 3, 2, 33.3),
        (2, 3, 1, 66.7),
        (0, 0, 0, None),
        (5, 0, 0, None),
    ],
)
def test_remaining_capacity_and_ratio(
    current: int, threshold: int, remaining: int, ratio: float | None
) -> None:
    """Capacity never goes below 0; with no limit there is no ratio."""
    state = parse_hub_state(answer(current=current, threshold=threshold))
    assert state.remaining_capacity == remaining
    assert state.occupancy_ratio == ratio


@pytest.mark.parametrize(
    ("result", "limit_reached"),
    [
        (SetResult(current=45, threshold=45, reset_time=None), True),
        (SetResult(current=10, threshold=80, reset_time=ResetTime(6, 30)), False),
    ],
)
def test_replace_settings(result: SetResult, limit_reached: bool) -> None:
    """A /set answer replaces the hub-wide values and keeps the instances."""
    before = parse_hub_state(sample())
    after = before.replace_settings(result)

    assert after.current == result.current
    assert after.threshold == result.threshold
    assert after.reset_time == result.reset_time
    assert after.limit_reached is limit_reached
    assert after.instances is before.instances
    assert (after.entries, after.exits) == (before.entries, before.exits)
    # A new snapshot: the old one is untouched.
    assert before == parse_hub_state(sample())
    assert after != before


# --- value semantics ---------------------------------------------------------


def test_equal_answers_give_equal_states() -> None:
    """Two parses of the same JSON compare equal, down to every gate."""
    first, second = parse_hub_state(sample()), parse_hub_state(sample())
    assert first == second
    assert first is not second
    assert first.instances[52190, 0] == second.instances[52190, 0]


@pytest.mark.parametrize(
    "mutation",
    [
        pytest.param(lambda d: d.update(current=41), id="current"),
        pytest.param(lambda d: d.update(reset_time=None), id="reset-time"),
        pytest.param(
            lambda d: d["instances"][EXPLICIT]["gates"][1].update({"out": 21}),
            id="gate-out",
        ),
        pytest.param(
            lambda d: d["instances"][DERIVED].update(restricted=False),
            id="derived-status",
        ),
        pytest.param(lambda d: d["instances"][EXPLICIT].update(name="Door"), id="name"),
        pytest.param(
            lambda d: d["instances"][EXPLICIT]["gates"].pop(), id="gate-removed"
        ),
    ],
)
def test_any_change_makes_states_differ(mutation: Mutation) -> None:
    """A change anywhere in the answer makes the snapshots differ."""
    changed = sample()
    mutation(changed)
    assert parse_hub_state(changed) != parse_hub_state(sample())


def test_changed_gate_differs_only_in_its_instance() -> None:
    """Instances compare on their own: the coordinator relies on that."""
    changed = sample()
    changed["instances"][EXPLICIT]["gates"][0]["in"] = 11
    old, new = parse_hub_state(sample()), parse_hub_state(changed)
    assert old.instances[74117, 1] == new.instances[74117, 1]
    assert old.instances[52190, 0] != new.instances[52190, 0]
    assert old.instances[52190, 0].gates[2] == new.instances[52190, 0].gates[2]
    assert old.instances[52190, 0].gates[1] != new.instances[52190, 0].gates[1]


# With the previous snapshot, what did not change is that snapshot's objects:
# the coordinator's comparisons then cost next to nothing.


def test_previous_snapshot_shared_when_nothing_changed() -> None:
    """An unchanged instance is the previous snapshot's own object."""
    first = parse_hub_state(sample())
    again = parse_hub_state(sample(), first)

    assert again == first
    assert again.instances[52190, 0] is first.instances[52190, 0]


@pytest.mark.parametrize(
    ("mutation", "shared_gates"),
    [
        pytest.param(
            lambda d: d["instances"][EXPLICIT]["gates"][0].update({"in": 11}),
            {2},
            id="one-gate-counted",
        ),
        pytest.param(
            lambda d: d["instances"][EXPLICIT]["gates"].reverse(),
            {1, 2},
            id="gates-reordered",
        ),
        pytest.param(
            lambda d: d["instances"][EXPLICIT]["gates"].pop(),
            {1},
            id="gate-removed",
        ),
        pytest.param(
            lambda d: d["instances"][EXPLICIT]["gates"].append(
                {"id": 3, "in": 0, "out": 0}
            ),
            {1, 2},
            id="gate-added",
        ),
        pytest.param(
            lambda d: d["instances"][EXPLICIT].update(name="Door"),
            {1, 2},
            id="renamed",
        ),
        pytest.param(
            lambda d: d["instances"][EXPLICIT].update(status="unstable"),
            {1, 2},
            id="status",
        ),
        pytest.param(
            lambda d: d["instances"][EXPLICIT].update(gate_type="both"),
            {1, 2},
            id="gate-type",
        ),
    ],
)
def test_previous_snapshot_changes_read_as_without_it(
    mutation: Mutation, shared_gates: set[int]
) -> None:
    """A changed instance is new, equal to a parse without the previous one."""
    first = parse_hub_state(sample())
    changed = sample()
    mutation(changed)

    parsed = parse_hub_state(changed, first)

    assert parsed == parse_hub_state(changed)
    old, new = first.instances[52190, 0], parsed.instances[52190, 0]
    assert new is not old
    assert {
        gate_id for gate_id, gate in new.gates.items() if gate is old.gates.get(gate_id)
    } == shared_gates


@pytest.mark.parametrize(
    ("obj", "attribute"),
    [
        (parse_hub_state(load_fixture("vendor_sample.json")), "current"),
        (parse_hub_state(load_fixture("vendor_sample.json")), "instances"),
        (only_instance(answer(instance())), "status"),
        (Gate(1, 2, 3), "crossings_in"),
        (ResetTime(1, 2), "hour"),
        (SetResult(1, 2, None), "threshold"),
    ],
    ids=["hub-current", "hub-instances", "instance", "gate", "reset-time", "set"],
)
def test_models_are_frozen(obj: object, attribute: str) -> None:
    """No model can be changed after it is built."""
    with pytest.raises(FrozenInstanceError):
        setattr(obj, attribute, 0)


def test_reset_time_conversions() -> None:
    """ResetTime converts to and from `datetime.time` and the hub's JSON."""
    reset = ResetTime.from_time(time(6, 30, 45))
    assert reset == ResetTime(6, 30)
    assert reset.as_time() == time(6, 30)
    assert reset.as_json() == {"hour": 6, "minute": 30}


@pytest.mark.parametrize(("hour", "minute"), [(24, 0), (-1, 0), (0, 60), (0, -1)])
def test_reset_time_refuses_impossible_times(hour: int, minute: int) -> None:
    """A ResetTime can only hold a time of day."""
    with pytest.raises(ValueError, match="not a time of day"):
        ResetTime(hour, minute)


# --- parse_set_result --------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (
            {"current": 3, "threshold": 9, "reset_time": None},
            SetResult(3, 9, None),
        ),
        (
            {"current": 0, "threshold": 0, "reset_time": {"hour": 4, "minute": 5}},
            SetResult(0, 0, ResetTime(4, 5)),
        ),
        (
            {"current": 1, "threshold": 2, "reset_time": None, "status": "ok"},
            SetResult(1, 2, None),
        ),
    ],
    ids=["no-reset", "reset", "extra-field"],
)
def test_parse_set_result(data: Json, expected: SetResult) -> None:
    """The /set answer gives the values in force."""
    assert parse_set_result(data) == expected


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([], "the answer is a list, not an object"),
        ({"threshold": 9, "reset_time": None}, "the answer has no 'current'"),
        ({"current": 3, "reset_time": None}, "the answer has no 'threshold'"),
        # Read as null, a missing key would show the daily reset switched off.
        ({"current": 3, "threshold": 9}, "the answer has no 'reset_time'"),
        (
            {"current": True, "threshold": 9, "reset_time": None},
            "current is a boolean",
        ),
        (
            {"current": 3, "threshold": -9, "reset_time": None},
            "threshold is -9, outside",
        ),
        (
            {"current": 3, "threshold": 9, "reset_time": {"hour": 25, "minute": 0}},
            "reset_time.hour is 25",
        ),
    ],
)
def test_parse_set_result_rejects(data: Json, message: str) -> None:
    """A /set answer that is not what the API documents is refused."""
    with pytest.raises(VidiGatesInvalidResponseError, match=message):
        parse_set_result(data)


# --- rejected answers --------------------------------------------------------


def _set(path: tuple[str | int, ...], value: Json) -> Mutation:
    """Return a mutation that sets the value at `path` in the sample."""

    def mutate(data: dict[str, Any]) -> None:
        target: Any = data
        for step in path[:-1]:
            target = target[step]
        target[path[-1]] = value

    return mutate


def _delete(path: tuple[str | int, ...]) -> Mutation:
    """Return a mutation that removes the key at `path` in the sample."""

    def mutate(data: dict[str, Any]) -> None:
        target: Any = data
        for step in path[:-1]:
            target = target[step]
        del target[path[-1]]

    return mutate


INST = ("instances", EXPLICIT)
GATE = (*INST, "gates", 0)

REJECTIONS: list[Any] = [
    # The answer itself.
    pytest.param(lambda d: d.clear(), "the answer has no 'current'", id="empty"),
    pytest.param(_delete(("current",)), "the answer has no 'current'", id="no-current"),
    pytest.param(
        _delete(("threshold",)), "the answer has no 'threshold'", id="no-threshold"
    ),
    pytest.param(
        _delete(("instances",)), "the answer has no 'instances'", id="no-instances"
    ),
    # Counts: only whole numbers within bounds.
    pytest.param(_set(("current",), True), "current is a boolean", id="current-bool"),
    pytest.param(
        _set(("current",), 40.0), "current is a decimal number", id="current-float"
    ),
    pytest.param(_set(("current",), "40"), "current is text", id="current-text"),
    pytest.param(_set(("current",), None), "current is null", id="current-null"),
    pytest.param(
        _set(("current",), -MAX_COUNT - 1),
        f"current is {-MAX_COUNT - 1}, outside -{MAX_COUNT}..",
        id="current-hugely-negative",
    ),
    pytest.param(
        _set(("current",), MAX_COUNT + 1),
        f"current is {MAX_COUNT + 1}, outside",
        id="current-huge",
    ),
    pytest.param(
        _set(("threshold",), [50]), "threshold is a list", id="threshold-list"
    ),
    pytest.param(
        _set(("threshold",), {"v": 50}), "threshold is an object", id="threshold-obj"
    ),
    pytest.param(
        _set(("threshold",), False), "threshold is a boolean", id="threshold-bool"
    ),
    # The top-level status is "ok" or "ko", nothing else.
    pytest.param(
        _set(("status",), "full"), "status is text, not 'ok' or 'ko'", id="status-word"
    ),
    pytest.param(
        _set(("status",), "OK"), "status is text, not 'ok' or 'ko'", id="status-case"
    ),
    pytest.param(
        _set(("status",), True), "status is a boolean, not 'ok'", id="status-bool"
    ),
    pytest.param(_set(("status",), 0), "status is 0, not 'ok'", id="status-number"),
    # reset_time.
    pytest.param(
        _set(("reset_time",), "23:00"),
        "reset_time is text, not an object",
        id="reset-text",
    ),
    pytest.param(
        _set(("reset_time",), [23, 0]),
        "reset_time is a list, not an object",
        id="reset-list",
    ),
    pytest.param(
        _delete(("reset_time", "hour")), "reset_time has no 'hour'", id="reset-no-hour"
    ),
    pytest.param(
        _delete(("reset_time", "minute")),
        "reset_time has no 'minute'",
        id="reset-no-minute",
    ),
    pytest.param(
        _set(("reset_time", "hour"), 24), "reset_time.hour is 24", id="hour-24"
    ),
    pytest.param(
        _set(("reset_time", "hour"), -1), "reset_time.hour is -1", id="hour-negative"
    ),
    pytest.param(
        _set(("reset_time", "hour"), "23"), "reset_time.hour is text", id="hour-text"
    ),
    pytest.param(
        _set(("reset_time", "hour"), 23.0),
        "reset_time.hour is a decimal number",
        id="hour-float",
    ),
    pytest.param(
        _set(("reset_time", "hour"), True),
        "reset_time.hour is a boolean",
        id="hour-bool",
    ),
    pytest.param(
        _set(("reset_time", "minute"), 60), "reset_time.minute is 60", id="minute-60"
    ),
    pytest.param(
        _set(("reset_time", "minute"), None),
        "reset_time.minute is null",
        id="minute-null",
    ),
    # The instance list and its members.
    pytest.param(
        _set(("instances",), {"a": 1}),
        "instances is an object, not a list",
        id="instances-object",
    ),
    pytest.param(
        _set(("instances",), None), "instances is null, not a list", id="instances-null"
    ),
    pytest.param(
        _set(INST, "Box"), "instance #1 is text, not an object", id="instance-text"
    ),
    pytest.param(
        _set(INST, None), "instance #1 is null, not an object", id="instance-null"
    ),
    pytest.param(
        _delete((*INST, "boxid")), "instance #1 has no 'boxid'", id="no-boxid"
    ),
    pytest.param(
        _set((*INST, "boxid"), -5), "instance #1.boxid is -5", id="boxid-negative"
    ),
    pytest.param(
        _set((*INST, "boxid"), "52190"), "instance #1.boxid is text", id="boxid-text"
    ),
    pytest.param(
        _set((*INST, "boxid"), True),
        "instance #1.boxid is a boolean",
        id="boxid-bool",
    ),
    pytest.param(
        _set((*INST, "boxid"), 5.0),
        "instance #1.boxid is a decimal number",
        id="boxid-float",
    ),
    pytest.param(
        _set((*INST, "number"), -1),
        "instance 52190.number is -1",
        id="number-negative",
    ),
    pytest.param(
        _set((*INST, "number"), "0"),
        "instance 52190.number is text",
        id="number-text",
    ),
    pytest.param(
        _set((*INST, "name"), 5), "instance 52190/0.name is 5, not text", id="name-int"
    ),
    pytest.param(
        _set((*INST, "host"), ["10.0.0.1"]),
        "instance 52190/0.host is a list, not text",
        id="host-list",
    ),
    pytest.param(
        _set((*INST, "status"), 1),
        "instance 52190/0.status is 1, not text",
        id="status-int",
    ),
    pytest.param(
        _set((*INST, "status"), {"code": "ok"}),
        "instance 52190/0.status is an object, not text",
        id="instance-status-object",
    ),
    pytest.param(
        _set((*INST, "gate_type"), 1),
        "instance 52190/0.gate_type is 1, not in/out/both",
        id="gate-type-int",
    ),
    pytest.param(
        _set((*INST, "gate_type"), "sideways"),
        "instance 52190/0.gate_type is 'sideways', not in/out/both",
        id="gate-type-word",
    ),
    pytest.param(
        _set((*INST, "gate_type"), "x" * 10_000),
        r"gate_type is 'x{40}', not",
        id="gate-type-long-word-cut",
    ),
    pytest.param(
        _set((*INST, "gates"), {"1": {}}),
        "instance 52190/0.gates is an object, not a list",
        id="gates-object",
    ),
    # Gates.
    pytest.param(
        _set(GATE, 1), "instance 52190/0 gate #0 is 1, not an object", id="gate-int"
    ),
    pytest.param(
        _delete((*GATE, "id")), "instance 52190/0 gate #0 has no 'id'", id="gate-no-id"
    ),
    pytest.param(
        _delete((*GATE, "in")), "instance 52190/0 gate #0 has no 'in'", id="gate-no-in"
    ),
    pytest.param(
        _delete((*GATE, "out")),
        "instance 52190/0 gate #0 has no 'out'",
        id="gate-no-out",
    ),
    pytest.param(_set((*GATE, "id"), -1), "gate #0.id is -1", id="gate-id-negative"),
    pytest.param(
        _set((*GATE, "id"), True), "gate #0.id is a boolean", id="gate-id-bool"
    ),
    pytest.param(
        _set((*GATE, "in"), True), "gate #0.in is a boolean", id="gate-in-bool"
    ),
    pytest.param(
        _set((*GATE, "in"), 10.0), "gate #0.in is a decimal number", id="gate-in-float"
    ),
    pytest.param(
        _set((*GATE, "in"), -10), "gate #0.in is -10, outside", id="gate-in-negative"
    ),
    pytest.param(
        _set((*GATE, "out"), MAX_COUNT + 1),
        "gate #0.out is 1000000001, outside",
        id="gate-out-huge",
    ),
    pytest.param(_set((*GATE, "out"), "30"), "gate #0.out is text", id="gate-out-text"),
    # Identity: an instance or a gate listed twice would count twice.
    pytest.param(
        _set((*INST, "gates", 1, "id"), 1),
        "instance 52190/0 lists gate 1 twice",
        id="duplicate-gate",
    ),
    pytest.param(
        lambda d: d["instances"].append(copy.deepcopy(d["instances"][EXPLICIT])),
        "instance 52190/0 is listed twice",
        id="duplicate-instance",
    ),
    pytest.param(
        lambda d: d["instances"].extend([{"boxid": 9}, {"boxid": 9, "number": 0}]),
        "instance 9/0 is listed twice",
        id="duplicate-instance-default-number",
    ),
]


@pytest.mark.parametrize(("mutation", "message"), REJECTIONS)
def test_rejected_answers(mutation: Mutation, message: str) -> None:
    """Anything that could produce a wrong number is refused, naming the field."""
    data = sample()
    mutation(data)
    with pytest.raises(VidiGatesInvalidResponseError, match=message) as caught:
        parse_hub_state(data)
    assert isinstance(caught.value, VidiGatesError)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (None, "the answer is null, not an object"),
        ([], "the answer is a list, not an object"),
        ("ok", "the answer is text, not an object"),
        (42, "the answer is 42, not an object"),
        (4.2, "the answer is a decimal number, not an object"),
        (True, "the answer is a boolean, not an object"),
    ],
)
def test_non_object_answer_rejected(data: Json, message: str) -> None:
    """An answer that is not a JSON object is refused."""
    with pytest.raises(VidiGatesInvalidResponseError, match=message):
        parse_hub_state(data)


# --- fuzzing: never anything but a state or a clear error --------------------

JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**64 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)

SAMPLE_PATHS: list[tuple[str | int, ...]] = [
    ("current",),
    ("threshold",),
    ("status",),
    ("reset_time",),
    ("reset_time", "hour"),
    ("instances",),
    INST,
    (*INST, "boxid"),
    (*INST, "number"),
    (*INST, "gate_type"),
    (*INST, "status"),
    (*INST, "name"),
    (*INST, "gates"),
    GATE,
    (*GATE, "id"),
    (*GATE, "in"),
    ("instances", DERIVED, "enabled"),
    ("instances", DERIVED, "state"),
]


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(
    changes=st.lists(
        st.tuples(st.sampled_from(SAMPLE_PATHS), JSON_VALUES), min_size=1, max_size=3
    )
)
def test_fuzz_sample_with_wrong_values(
    changes: list[tuple[tuple[str | int, ...], Json]],
) -> None:
    """Wrong values anywhere in a real answer end in a state or a clear error."""
    data = sample()
    for path, value in changes:
        try:
            _set(path, value)(data)
        except (KeyError, IndexError, TypeError):
            continue  # An earlier change removed the path's parent.
    try:
        state = parse_hub_state(data)
    except VidiGatesInvalidResponseError:
        return
    # What is accepted is consistent with itself.
    assert -MAX_COUNT <= state.current <= MAX_COUNT
    assert 0 <= state.threshold <= MAX_COUNT
    assert state.entries == sum(i.entries for i in state.instances.values())
    assert state.exits == sum(i.exits for i in state.instances.values())


# --- Tally: crossings counted as they happen ---------------------------------


def _hub(*instances: tuple[int, str, dict[int, tuple[int, int]]]) -> HubState:
    """A hub of ``(boxid, gate_type, {gate_id: (in, out)})`` instances."""
    return parse_hub_state(
        {
            "current": 0,
            "threshold": 10,
            "instances": [
                {
                    "boxid": boxid,
                    "number": 0,
                    "name": f"Box #{boxid}",
                    "host": "",
                    "status": "ok",
                    "gate_type": gate_type,
                    "gates": [
                        {"id": gid, "in": cin, "out": cout}
                        for gid, (cin, cout) in gates.items()
                    ],
                }
                for boxid, gate_type, gates in instances
            ],
        }
    )


def test_tally_counts_a_gate_that_begins_again_without_a_new_cycle() -> None:
    """A gate drawn anew (its counter at 0) while others count on: no reset."""
    tally = Tally.start(Direction.IN, _hub((1, "both", {1: (50, 0), 2: (5, 0)})))
    tally = tally.advance(_hub((1, "both", {1: (70, 0), 2: (1, 0)})))
    assert tally.total == 55 + 20 + 1


def test_tally_counts_new_gates_and_instances_as_the_hub_does() -> None:
    """A gate or instance never seen: all its crossings are of this cycle."""
    tally = Tally.start(Direction.OUT, _hub((1, "both", {1: (0, 5)})))
    tally = tally.advance(
        _hub((1, "both", {1: (0, 6), 2: (0, 3)}), (2, "out", {1: (0, 40)}))
    )
    assert tally.total == 6 + 3 + 40
    tally = tally.advance(
        _hub((1, "both", {1: (0, 6), 2: (0, 4)}), (2, "out", {1: (0, 42)}))
    )
    assert tally.total == 52


def test_tally_counts_what_left_and_came_back_from_where_it_left() -> None:
    """An instance or gate that leaves the hub for a while is not counted twice."""
    tally = Tally.start(Direction.IN, _hub((1, "in", {1: (10, 0), 2: (5, 0)})))
    tally = tally.advance(_hub((1, "in", {1: (12, 0)})))
    assert (tally.total, tally.gate_counters()) == (17, {(1, 0, 1): 12, (1, 0, 2): 5})
    tally = tally.advance(_hub((2, "in", {1: (7, 0)})))
    assert tally.total == 17 + 7
    tally = tally.advance(
        _hub((1, "in", {1: (15, 0), 2: (6, 0)}), (2, "in", {1: (7, 0)}))
    )
    assert tally.total == 24 + 3 + 1
    # After the daily reset, what left starts again from 0.
    tally = tally.advance(_hub((2, "in", {1: (1, 0)})))
    assert (tally.total, tally.elsewhere) == (1, {})


def test_tally_of_an_unchanged_hub_is_itself() -> None:
    """The same snapshot again (a poll dropped, an availability change) adds 0."""
    hub = _hub((1, "in", {1: (3, 2)}))
    tally = Tally.start(Direction.IN, hub)
    assert tally.advance(hub) is tally
    assert tally.gate_counters() == {(1, 0, 1): 3}


def test_tally_restored_from_counters() -> None:
    """After a restart, each gate's stored counter stands for the last snapshot."""
    tally = Tally(Direction.IN, 100, elsewhere={(1, 0, 1): 30})
    assert tally.gate_counters() == {(1, 0, 1): 30}
    assert tally.advance(_hub((1, "in", {1: (33, 0)}))).total == 103
    # The hub's counters went down meanwhile: its daily reset.
    assert tally.advance(_hub((1, "in", {1: (2, 0)}))).total == 2


def test_an_answer_changed_in_place_is_read_again() -> None:
    """The parser reuses instances read from equal text, not the same object."""
    data = sample()
    memo: InstanceMemo = {}
    first = parse_hub_state(data, None, memo)
    data["instances"][EXPLICIT]["gates"][0]["in"] += 1

    again = parse_hub_state(data, first, memo)

    assert again == parse_hub_state(sample() | {"instances": data["instances"]})
    assert again.instances[52190, 0] != first.instances[52190, 0]
    # Unchanged instances are the last poll's own objects.
    assert again.instances[74117, 1] is first.instances[74117, 1]


@pytest.mark.parametrize("bad", [True, 1.0, 7.0, False])
def test_an_instance_equal_but_for_a_type_is_refused_after_a_good_poll(
    bad: Any,
) -> None:
    """True == 1 and 1.0 == 1: an instance that equals the last one is still read."""
    memo: InstanceMemo = {}
    good, bad_answer = sample(), sample()
    good["instances"][EXPLICIT]["gates"][0]["in"] = int(bad)
    bad_answer["instances"][EXPLICIT]["gates"][0]["in"] = bad
    last = parse_hub_state(good, None, memo)

    with pytest.raises(VidiGatesInvalidResponseError, match="not a whole number"):
        parse_hub_state(bad_answer, last, memo)
