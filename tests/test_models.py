"""Tests of the hub's models and their parser, without Home Assistant entities."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
import copy
from dataclasses import FrozenInstanceError, replace
from datetime import time
from typing import Any

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
S = InstanceStatus

# The vendor sample's two instances: index 0 is (74117, 1) without `status`,
# index 1 is (52190, 0) with `status: ok` and two gates.
DERIVED = 0
EXPLICIT = 1


def sample() -> dict[str, Any]:
    data: dict[str, Any] = load_fixture("vendor_sample.json")
    return data


def answer(*instances: dict[str, Any], **top: Json) -> dict[str, Any]:
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
    (parsed,) = parse_hub_state(data).instances.values()
    return parsed


# --- the vendor's sample -----------------------------------------------------


def test_vendor_sample() -> None:
    state = parse_hub_state(sample())

    assert state == HubState(
        current=40,
        threshold=50,
        reset_time=ResetTime(23, 0),
        limit_reached=False,
        instances={
            # No `status`, but `restricted: true`: the user must call Quividi.
            (74117, 1): Instance(
                74117,
                1,
                "Box #74117",
                "",
                GateType.BOTH,
                S.RESTRICTED,
                {1: Gate(1, 0, 0)},
            ),
            # Counts only "in".
            (52190, 0): Instance(
                *(52190, 0, "Box #52190", "", GateType.IN, S.OK),
                {1: Gate(1, 10, 30), 2: Gate(2, 30, 20)},
            ),
        },
        entries=40,
        exits=0,
    )
    # The hub's order is kept.
    assert list(state.instances) == [(74117, 1), (52190, 0)]
    assert (state.remaining_capacity, state.occupancy_ratio) == (10, 80.0)


# --- instance fields ---------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        # No `status`: one is derived from the other fields; the ones that need
        # the vendor come first.
        ({}, S.OK),
        (
            {"enabled": True, "restricted": False, "stable": True, "state": "ok"},
            S.OK,
        ),
        ({"enabled": False}, S.DISABLED),
        (
            {"enabled": False, "restricted": True, "state": "not_configured"},
            S.DISABLED,
        ),
        ({"restricted": True}, S.RESTRICTED),
        (
            {"restricted": True, "state": "not-capturing", "stable": False},
            S.RESTRICTED,
        ),
        ({"state": "not_configured"}, S.NOT_CONFIGURED),
        ({"state": "not-capturing"}, S.NOT_CAPTURING),
        ({"state": "not_configured", "gates": []}, S.NOT_CONFIGURED),
        ({"state": "rebooting"}, S.UNKNOWN),
        ({"state": "ok", "stable": False}, S.UNSTABLE),
        ({"state": 3}, S.OK),
        ({"gates": []}, S.NO_GATES),
        ({"gates": ...}, S.NO_GATES),
        ({"gates": None}, S.NO_GATES),
        ({"gates": [], "stable": False}, S.NO_GATES),
        ({"stable": False}, S.UNSTABLE),
        ({"status": None, "enabled": False}, S.DISABLED),
        # Only JSON booleans count: text is not a flag.
        ({"enabled": "false", "restricted": "true", "stable": 0}, S.OK),
        # An explicit `status` wins over the flags, in any spelling.
        (
            {"status": "ok", "enabled": False, "restricted": True, "gates": []},
            S.OK,
        ),
        ({"status": "OK"}, S.OK),
        ({"status": "not-capturing"}, S.NOT_CAPTURING),
        ({"status": "not_capturing"}, S.NOT_CAPTURING),
        ({"status": "Not Capturing"}, S.NOT_CAPTURING),
        ({"status": "disabled"}, S.DISABLED),
        ({"status": "restricted"}, S.RESTRICTED),
        ({"status": "no-gates"}, S.NO_GATES),
        ({"status": "no_gates"}, S.NO_GATES),
        ({"status": " unstable "}, S.UNSTABLE),
        ({"status": "not-configured"}, S.NOT_CONFIGURED),
        ({"status": "rebooting"}, S.UNKNOWN),
        ({"status": ""}, S.UNKNOWN),
        # A member's *name* is not a spelling the hub uses.
        ({"status": "NOT_CAPTURING_"}, S.UNKNOWN),
        # A blank name falls back to the box's id; padding is dropped.
        ({"name": None}, "Box #1"),
        ({"name": ""}, "Box #1"),
        ({"name": "   "}, "Box #1"),
        ({"name": "  Front door "}, "Front door"),
        ({"name": "Entrée nord"}, "Entrée nord"),
        ({"gate_type": "in"}, GateType.IN),
        ({"gate_type": "out"}, GateType.OUT),
        ({"gate_type": "both"}, GateType.BOTH),
        ({"gate_type": " IN "}, GateType.IN),
        ({"gate_type": "Both"}, GateType.BOTH),
    ],
)
def test_instance_field(fields: dict[str, Json], expected: Json) -> None:
    """Status, name or gate type as read; the expected value's type says which."""
    attribute = {S: "status", GateType: "gate_type", str: "name"}[type(expected)]
    value = getattr(only_instance(answer(instance(**fields))), attribute)
    assert value == expected
    assert type(value) is type(expected)


def test_unknown_fields_ignored() -> None:
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
)
def test_reset_time(reset_time: Json, expected: ResetTime | None) -> None:
    # Null or missing: no daily reset.
    data = answer(reset_time=reset_time) if reset_time is not ... else answer()
    assert parse_hub_state(data).reset_time == expected


def test_optional_instance_fields_default() -> None:
    assert only_instance(answer({"boxid": 7})) == Instance(
        7, 0, "Box #7", "", GateType.BOTH, InstanceStatus.NO_GATES, {}
    )


@pytest.mark.parametrize(
    "field", ["number", "name", "host", "gate_type", "gates", "status"]
)
def test_null_optional_field_reads_as_missing(field: str) -> None:
    assert only_instance(answer(instance(**{field: None}))) == only_instance(
        answer(instance(**{field: ...}))
    )


@pytest.mark.parametrize(
    ("status", "current", "threshold", "expected"),
    [
        ("ok", 40, 50, (False, 10, 80.0)),
        ("ko", 50, 50, (True, 0, 100.0)),
        # The hub's word on the limit is taken over the arithmetic.
        ("ok", 60, 50, (False, 0, 120.0)),
        ("ko", 10, 50, (True, 40, 20.0)),
        (..., 49, 50, (False, 1, 98.0)),
        (..., 50, 50, (True, 0, 100.0)),
        (None, 51, 50, (True, 0, 102.0)),
        (None, 0, 0, (True, 0, None)),
        (..., 0, 50, (False, 50, 0.0)),
        (..., 1, 3, (False, 2, 33.3)),
        (..., 2, 3, (False, 1, 66.7)),
        (..., 5, 0, (True, 0, None)),
    ],
)
def test_limit_capacity_and_ratio(
    status: Json, current: int, threshold: int, expected: tuple[Any, ...]
) -> None:
    """Without `status` the numbers say whether the limit is reached;
    capacity never goes below 0; with no limit there is no ratio."""
    data = answer(current=current, threshold=threshold)
    if status is not ...:
        data["status"] = status
    state = parse_hub_state(data)
    assert (
        state.limit_reached,
        state.remaining_capacity,
        state.occupancy_ratio,
    ) == expected


# --- derived numbers ---------------------------------------------------------


def test_entries_and_exits_honour_gate_types() -> None:
    """Only the directions an instance's gate type counts make its entries and
    exits; the hub's add every instance's."""
    state = parse_hub_state(
        answer(
            instance(1, gate_type="in", gates=[{"id": 1, "in": 5, "out": 100}]),
            instance(2, gate_type="out", gates=[{"id": 1, "in": 100, "out": 7}]),
            instance(
                3,
                gate_type="both",
                gates=[{"id": 1, "in": 1, "out": 2}, {"id": 9, "in": 3, "out": 4}],
            ),
            instance(4, gates=[]),
        )
    )
    assert [(i.entries, i.exits) for i in state.instances.values()] == [
        (5, 0),
        (0, 7),
        (4, 6),
        (0, 0),
    ]
    assert (state.entries, state.exits) == (5 + 1 + 3, 7 + 2 + 4)


@pytest.mark.parametrize(
    ("result", "limit_reached"),
    [(SetResult(45, 45, None), True), (SetResult(10, 80, ResetTime(6, 30)), False)],
)
def test_replace_settings(result: SetResult, limit_reached: bool) -> None:
    before = parse_hub_state(sample())
    after = before.replace_settings(result)

    assert after == replace(
        before,
        current=result.current,
        threshold=result.threshold,
        reset_time=result.reset_time,
        limit_reached=limit_reached,
    )
    assert after.instances is before.instances
    # A new snapshot: the old one is untouched.
    assert before == parse_hub_state(sample())


# --- sharing with the previous poll -----------------------------------------
# What did not change is the previous snapshot's own objects: the coordinator's
# comparisons then cost next to nothing. (That a parse with the previous
# snapshot reads as one without it is a property: test_parser_properties.py.)


@pytest.mark.parametrize(
    ("mutation", "shared_gates"),
    [
        (lambda i: None, None),
        (lambda i: i["gates"][0].update({"in": 11}), {2}),
        (lambda i: i["gates"].reverse(), {1, 2}),
        (lambda i: i["gates"].pop(), {1}),
        (lambda i: i["gates"].append({"id": 3, "in": 0, "out": 0}), {1, 2}),
        (lambda i: i.update(name="Door"), {1, 2}),
        (lambda i: i.update(gate_type="both"), {1, 2}),
    ],
)
def test_what_did_not_change_is_the_previous_snapshots(
    mutation: Mutation, shared_gates: set[int] | None
) -> None:
    """Unchanged instances and gates are shared; a changed instance is new."""
    first = parse_hub_state(sample())
    changed = sample()
    mutation(changed["instances"][EXPLICIT])

    parsed = parse_hub_state(changed, first)

    assert parsed.instances[74117, 1] is first.instances[74117, 1]
    old, new = first.instances[52190, 0], parsed.instances[52190, 0]
    if shared_gates is None:
        assert new is old
        return
    assert new is not old
    assert {
        gate_id for gate_id, gate in new.gates.items() if gate is old.gates.get(gate_id)
    } == shared_gates


def test_models_are_frozen() -> None:
    hub = parse_hub_state(sample())
    instance = hub.instances[52190, 0]
    for obj, attribute in (
        *((hub, "current"), (instance, "status"), (instance.gates[1], "crossings_in")),
        *((ResetTime(1, 2), "hour"), (SetResult(1, 2, None), "threshold")),
    ):
        with pytest.raises(FrozenInstanceError):
            setattr(obj, attribute, 0)


def test_reset_time_conversions() -> None:
    reset = ResetTime.from_time(time(6, 30, 45))
    assert (reset, reset.as_time()) == (ResetTime(6, 30), time(6, 30))
    assert reset.as_json() == {"hour": 6, "minute": 30}


@pytest.mark.parametrize(("hour", "minute"), [(24, 0), (-1, 0), (0, 60), (0, -1)])
def test_reset_time_refuses_impossible_times(hour: int, minute: int) -> None:
    with pytest.raises(ValueError, match="not a time of day"):
        ResetTime(hour, minute)


# --- parse_set_result --------------------------------------------------------


def set_answer(**fields: Json) -> dict[str, Any]:
    """A /set answer of current 3, threshold 9, no reset; ... leaves a field out."""
    obj: dict[str, Json] = {"current": 3, "threshold": 9, "reset_time": None} | fields
    return {key: value for key, value in obj.items() if value is not ...}


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (set_answer(), SetResult(3, 9, None)),
        (
            set_answer(current=0, threshold=0, reset_time={"hour": 4, "minute": 5}),
            SetResult(0, 0, ResetTime(4, 5)),
        ),
        (set_answer(status="ok"), SetResult(3, 9, None)),
        ([], "the answer is a list, not an object"),
        (set_answer(current=...), "the answer has no 'current'"),
        (set_answer(threshold=...), "the answer has no 'threshold'"),
        # Read as null, a missing key would show the daily reset switched off.
        (set_answer(reset_time=...), "the answer has no 'reset_time'"),
        (set_answer(current=True), "current is a boolean"),
        (set_answer(threshold=-9), "threshold is -9, outside"),
        (set_answer(reset_time={"hour": 25, "minute": 0}), "reset_time.hour is 25"),
    ],
)
def test_parse_set_result(data: Json, expected: SetResult | str) -> None:
    if isinstance(expected, SetResult):
        assert parse_set_result(data) == expected
        return
    with pytest.raises(VidiGatesInvalidResponseError, match=expected):
        parse_set_result(data)


# --- rejected answers --------------------------------------------------------


_DELETE: Any = object()
INST = ("instances", EXPLICIT)
GATE = (*INST, "gates", 0)
X = MAX_COUNT + 1

# (where in the sample, the value put there or _DELETE, the message)
REJECTIONS: list[tuple[tuple[str | int, ...], Any, str]] = [
    # The answer itself (the empty path: the whole answer).
    ((), None, "the answer is null, not an object"),
    ((), [], "the answer is a list, not an object"),
    ((), "ok", "the answer is text, not an object"),
    ((), 42, "the answer is 42, not an object"),
    ((), 4.2, "the answer is a decimal number, not an object"),
    ((), True, "the answer is a boolean, not an object"),
    (("current",), _DELETE, "the answer has no 'current'"),
    (("threshold",), _DELETE, "the answer has no 'threshold'"),
    (("instances",), _DELETE, "the answer has no 'instances'"),
    # Counts: only whole numbers within bounds.
    (("current",), True, "current is a boolean"),
    (("current",), 40.0, "current is a decimal number"),
    (("current",), -X, f"current is {-X}, outside -{MAX_COUNT}.."),
    (("current",), X, f"current is {X}, outside"),
    # orjson's largest integers: read, and refused as counts, not wrapped.
    (
        ("current",),
        2**63 - 1,
        rf"current is {2**63 - 1}, outside -{MAX_COUNT}\.\.{X - 1}$",
    ),
    (("threshold",), 2**64 - 1, rf"threshold is {2**64 - 1}, outside 0\.\.{X - 1}$"),
    (("threshold",), False, "threshold is a boolean"),
    # The top-level status is "ok" or "ko", nothing else.
    (("status",), "full", "status is text, not 'ok' or 'ko'"),
    (("status",), "OK", "status is text, not 'ok' or 'ko'"),
    (("status",), True, "status is a boolean, not 'ok'"),
    (("status",), 0, "status is 0, not 'ok'"),
    # reset_time.
    (("reset_time",), [23, 0], "reset_time is a list, not an object"),
    (("reset_time", "hour"), _DELETE, "reset_time has no 'hour'"),
    (("reset_time", "minute"), _DELETE, "reset_time has no 'minute'"),
    (("reset_time", "hour"), 24, "reset_time.hour is 24"),
    (("reset_time", "hour"), -1, "reset_time.hour is -1"),
    (("reset_time", "hour"), 23.0, "reset_time.hour is a decimal number"),
    (("reset_time", "hour"), True, "reset_time.hour is a boolean"),
    (("reset_time", "minute"), 60, "reset_time.minute is 60"),
    (("reset_time", "minute"), None, "reset_time.minute is null"),
    # The instance list and its members.
    (("instances",), {"a": 1}, "instances is an object, not a list"),
    (("instances",), None, "instances is null, not a list"),
    (INST, "Box", "instance #1 is text, not an object"),
    (INST, None, "instance #1 is null, not an object"),
    ((*INST, "boxid"), _DELETE, "instance #1 has no 'boxid'"),
    ((*INST, "boxid"), -5, "instance #1.boxid is -5"),
    ((*INST, "boxid"), True, "instance #1.boxid is a boolean"),
    ((*INST, "boxid"), 5.0, "instance #1.boxid is a decimal number"),
    ((*INST, "number"), -1, "instance 52190.number is -1"),
    ((*INST, "number"), "0", "instance 52190.number is text"),
    ((*INST, "name"), 5, "instance 52190/0.name is 5, not text"),
    ((*INST, "host"), ["10.0.0.1"], "instance 52190/0.host is a list, not text"),
    ((*INST, "status"), 1, "instance 52190/0.status is 1, not text"),
    ((*INST, "status"), {"code": "ok"}, "instance 52190/0.status is an object, not"),
    ((*INST, "gate_type"), 1, "instance 52190/0.gate_type is 1, not in/out/both"),
    ((*INST, "gate_type"), "sideways", "gate_type is 'sideways', not in/out/both"),
    ((*INST, "gate_type"), "x" * 10_000, r"gate_type is 'x{40}', not"),
    ((*INST, "gates"), {"1": {}}, "instance 52190/0.gates is an object, not a list"),
    # An instance without `number` is read field by field, and named so too.
    (("instances", 2), {"boxid": 9, "gate_type": 1}, "instance 9/0.gate_type is 1"),
    # Gates.
    (GATE, 1, "instance 52190/0 gate #0 is 1, not an object"),
    ((*GATE, "id"), _DELETE, "instance 52190/0 gate #0 has no 'id'"),
    ((*GATE, "in"), _DELETE, "instance 52190/0 gate #0 has no 'in'"),
    ((*GATE, "out"), _DELETE, "instance 52190/0 gate #0 has no 'out'"),
    ((*GATE, "id"), -1, "gate #0.id is -1"),
    ((*GATE, "id"), True, "gate #0.id is a boolean"),
    ((*GATE, "in"), True, "gate #0.in is a boolean"),
    ((*GATE, "in"), -10, "gate #0.in is -10, outside"),
    ((*GATE, "in"), X, "gate #0.in is 1000000001, outside"),
    ((*GATE, "out"), -1, "gate #0.out is -1, outside"),
    ((*GATE, "out"), X, "gate #0.out is 1000000001, outside"),
    # Equal to the good poll's value but for its type (True == 1 == 1.0, 0 == False):
    # refused after it too, and not taken for it.
    ((*GATE, "in"), 10.0, "gate #0.in is a decimal number"),
    (("instances", DERIVED, "gates", 0, "out"), False, "74117/1 gate #0.out is a b"),
    # Identity: an instance or a gate listed twice would count twice.
    ((*INST, "gates", 1, "id"), 1, "instance 52190/0 lists gate 1 twice"),
    (
        ("instances", 2),
        copy.deepcopy(sample()["instances"][EXPLICIT]),
        "instance 52190/0 is listed twice",
    ),
    (("instances", 2), {"boxid": 52190}, "instance 52190/0 is listed twice"),
]


@pytest.mark.parametrize(("path", "value", "message"), REJECTIONS)
def test_rejected_answers(
    path: tuple[str | int, ...], value: Any, message: str
) -> None:
    """Anything that could produce a wrong number is refused, naming the field;
    after a good poll too, whose instances the parser may reuse."""
    memo: InstanceMemo = {}
    last = parse_hub_state(sample(), None, memo)
    data: Any = sample() if path else value
    target: Any = data
    for step in path[:-1]:
        target = target[step]
    if not path:
        pass
    elif value is _DELETE:
        del target[path[-1]]
    elif isinstance(target, list) and path[-1] == len(target):
        target.append(value)
    else:
        target[path[-1]] = value
    for previous in (None, last):
        with pytest.raises(VidiGatesInvalidResponseError, match=message) as caught:
            parse_hub_state(data, previous, memo if previous else None)
        assert isinstance(caught.value, VidiGatesError)


def test_bounds_are_inclusive() -> None:
    data = sample()
    data["current"] = -MAX_COUNT
    data["threshold"] = MAX_COUNT
    gate = data["instances"][EXPLICIT]["gates"][0]
    gate["in"], gate["out"] = MAX_COUNT, 0
    hub = parse_hub_state(data)
    assert (hub.current, hub.threshold) == (-MAX_COUNT, MAX_COUNT)
    gates = [g for i in hub.instances.values() for g in i.gates.values()]
    assert any((g.crossings_in, g.crossings_out) == (MAX_COUNT, 0) for g in gates)


# --- Tally: crossings counted as they happen ---------------------------------


def _hub(*instances: tuple[int, str, dict[int, tuple[int, int]]]) -> HubState:
    """A hub of ``(boxid, gate_type, {gate_id: (in, out)})`` instances."""
    listed = [
        instance(
            boxid,
            gate_type=kind,
            gates=[{"id": g, "in": i, "out": o} for g, (i, o) in gates.items()],
        )
        for boxid, kind, gates in instances
    ]
    return parse_hub_state(answer(*listed))


def test_tally_counts_a_gate_that_begins_again_without_a_new_cycle() -> None:
    """A gate drawn anew (its counter at 0) while others count on: no reset."""
    tally = Tally(0, 0).advance(_hub((1, "both", {1: (50, 3), 2: (5, 0)})))
    tally = tally.advance(_hub((1, "both", {1: (70, 4), 2: (1, 0)})))
    assert (tally.entries, tally.exits) == (55 + 20 + 1, 3 + 1)


def test_tally_counts_new_gates_and_instances_as_the_hub_does() -> None:
    """A gate or instance never seen: all its crossings are of this cycle."""
    tally = Tally(0, 0).advance(_hub((1, "both", {1: (0, 5)})))
    tally = tally.advance(
        _hub((1, "both", {1: (0, 6), 2: (0, 3)}), (2, "out", {1: (9, 40)}))
    )
    assert (tally.entries, tally.exits) == (0, 6 + 3 + 40)
    tally = tally.advance(
        _hub((1, "both", {1: (0, 6), 2: (0, 4)}), (2, "out", {1: (9, 42)}))
    )
    assert tally.total(Direction.OUT) == 52


def test_tally_counts_what_left_and_came_back_from_where_it_left() -> None:
    """An instance or gate that leaves the hub for a while is not counted twice."""
    tally = Tally(0, 0).advance(_hub((1, "in", {1: (10, 0), 2: (5, 0)})))
    tally = tally.advance(_hub((1, "in", {1: (12, 0)})))
    assert tally.entries == 17
    assert tally.gate_counters(Direction.IN) == {(1, 0, 1): 12, (1, 0, 2): 5}
    tally = tally.advance(_hub((2, "in", {1: (7, 0)})))
    assert tally.entries == 17 + 7
    tally = tally.advance(
        _hub((1, "in", {1: (15, 0), 2: (6, 0)}), (2, "in", {1: (7, 0)}))
    )
    assert tally.entries == 24 + 3 + 1
    # After the daily reset of entries, what left starts again from 0; the
    # exits, which did not go down, keep theirs.
    tally = tally.advance(_hub((2, "in", {1: (1, 0)})))
    assert (tally.entries, tally.gate_counters(Direction.IN)) == (1, {(2, 0, 1): 1})
    assert tally.gate_counters(Direction.OUT) == dict.fromkeys(
        [(1, 0, 1), (1, 0, 2), (2, 0, 1)], 0
    )


def test_tally_of_an_unchanged_hub_is_itself() -> None:
    # The same snapshot again: a poll dropped, an availability change.
    hub = _hub((1, "in", {1: (3, 2)}))
    tally = Tally(0, 0).advance(hub)
    assert tally.advance(hub) is tally
    assert tally.gate_counters(Direction.IN) == {(1, 0, 1): 3}
    assert tally.gate_counters(Direction.OUT) == {(1, 0, 1): 2}


def test_tally_restored_one_way_at_a_time() -> None:
    """After a restart, each way's stored counters stand for its last snapshot."""
    tally = Tally(0, 0).restored(Direction.IN, 100, {(1, 0, 1): 30})
    assert tally.gate_counters(Direction.IN) == {(1, 0, 1): 30}
    # Exits kept nothing: the hub's sum (an "in" instance counts no exits).
    assert tally.advance(_hub((1, "in", {1: (33, 5)}))).total(Direction.IN) == 103
    # The hub's counters went down meanwhile: its daily reset.
    assert tally.advance(_hub((1, "in", {1: (2, 0)}))).entries == 2

    tally = Tally(0, 0).advance(_hub((1, "both", {1: (10, 4)})))
    tally = tally.restored(Direction.OUT, 40, {(1, 0, 1): 3})
    tally = tally.advance(_hub((1, "both", {1: (12, 6)})))
    assert (tally.entries, tally.exits) == (12, 43)


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


def test_objects_not_read_from_json_text_are_read_in_full() -> None:
    """A dict of another class, or a number orjson cannot write: read, not reused."""
    memo: InstanceMemo = {}
    gate = OrderedDict({"id": 1, "in": 2, "out": 3})

    state = parse_hub_state(answer(instance(2**64, gates=[gate])), None, memo)

    assert state.instances[2**64, 0].gates == {1: Gate(1, 2, 3)}
    assert memo == {}
