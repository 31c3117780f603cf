"""Property-based tests of the parser: no answer can break it.

What the tables of tests/test_models.py cannot reach: any hub-shaped answer
with a few random changes anywhere in it, any body of bytes, and any pair of
successive polls. Each parses into a snapshot whose numbers are exactly the
answer's, or raises VidiGatesInvalidResponseError; never anything else.
Derandomized, so every run tries the same examples.
"""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import HealthCheck, given, settings, strategies as st
import orjson

from custom_components.vidigates.api import _decode
from custom_components.vidigates.exceptions import VidiGatesInvalidResponseError
from custom_components.vidigates.models import (
    MAX_COUNT,
    MAX_NAME_LENGTH,
    GateType,
    HubState,
    InstanceMemo,
    InstanceStatus,
    ResetTime,
    display_name,
    parse_hub_state,
)

SETTINGS = settings(
    derandomize=True,
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)

# What orjson can hand the parser: 64-bit integers (larger ones become
# floats), finite floats, any text.
JSON_INTS = st.integers(min_value=-(2**63), max_value=2**64 - 1)
HUB_KEYS = (
    *("current", "threshold", "reset_time", "hour", "minute", "status", "instances"),
    *("boxid", "number", "name", "host", "gate_type", "gates", "id", "in", "out"),
    *("state", "enabled", "restricted", "stable"),
)
TRICKY_NUMBERS = (-1, 0, MAX_COUNT, MAX_COUNT + 1, 2**63 - 1, 2**64 - 1, 1.0, 0.5)
TRICKY_TEXTS = ("1", "", " ", "ok", "ko", "in", "OUT", " both ", "no-gates")
TRICKY: tuple[Any, ...] = (*TRICKY_NUMBERS, *TRICKY_TEXTS, True, False, None, [], {})

json_scalars = (
    st.none()
    | st.booleans()
    | JSON_INTS
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12)
    | st.sampled_from(TRICKY)
)
json_keys = st.sampled_from(HUB_KEYS) | st.text(max_size=8)
json_values = st.recursive(
    json_scalars,
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(json_keys, children, max_size=6)
    ),
    max_leaves=20,
)

counts = st.integers(0, MAX_COUNT) | st.sampled_from((0, 1, MAX_COUNT))
# People who leave after the daily reset take the hub's occupancy below 0.
occupancies = st.integers(-MAX_COUNT, MAX_COUNT) | st.sampled_from(
    (0, -1, -MAX_COUNT, MAX_COUNT)
)
STATUS_SPELLINGS = (
    *(status.value for status in InstanceStatus),
    *(status.value.replace("_", "-") for status in InstanceStatus),
    "OK",
    " Not-Capturing ",
    "rebooting",
)


gate_lists = st.lists(
    st.fixed_dictionaries(
        {
            "id": st.integers(0, 2**63 - 1) | st.integers(0, 5),
            "in": counts,
            "out": counts,
        }
    ),
    unique_by=lambda gate: gate["id"],
    max_size=4,
)
texts = st.text(max_size=10)
boxids = st.integers(0, 99_999)
# The documented shape: every field present and spelled as the document does.
usual_instances = st.fixed_dictionaries(
    {
        "gates": gate_lists,
        "boxid": boxids,
        "name": st.sampled_from(("", " ", "Box #1")) | st.text(max_size=6),
        "host": st.sampled_from(("", "192.168.1.20")),
        "number": st.integers(0, 3),
        "gate_type": st.sampled_from(("in", "out", "both")),
        "status": st.sampled_from(STATUS_SPELLINGS),
    }
)
# Optional fields left out or spelled otherwise (what the traps handle).
other_instances = st.fixed_dictionaries(
    {"boxid": boxids},
    optional={
        "number": st.integers(0, 3),
        "gates": gate_lists,
        "gate_type": st.sampled_from(("in", "out", "both", "IN", " both ")),
        "status": st.sampled_from(STATUS_SPELLINGS),
        "enabled": st.booleans(),
        "restricted": st.booleans(),
        "stable": st.booleans(),
        "name": texts,
        "host": texts,
        "state": texts,
        "extra": json_values,
    },
)
hub_payloads = st.fixed_dictionaries(
    {
        "current": occupancies,
        "threshold": counts,
        "instances": st.lists(
            usual_instances | usual_instances | other_instances,
            unique_by=lambda instance: (instance["boxid"], instance.get("number", 0)),
            max_size=5,
        ),
    },
    optional={
        "reset_time": st.none()
        | st.fixed_dictionaries(
            {"hour": st.integers(0, 23), "minute": st.integers(0, 59)}
        ),
        "status": st.sampled_from(("ok", "ko")),
        "firmware": json_values,
    },
)


def _slots(value: Any) -> list[tuple[Any, Any]]:
    """Every (container, key or index) in a JSON value, depth first."""
    found: list[tuple[Any, Any]] = []
    if isinstance(value, dict | list):
        for key, child in (
            value.items() if isinstance(value, dict) else enumerate(value)
        ):
            found.append((value, key))
            found.extend(_slots(child))
    return found


def _mutate(payload: Any, draw: st.DrawFn) -> Any:
    """Change one thing anywhere in a payload; return the payload."""
    slots = _slots(payload)
    if not slots:
        return draw(json_values)
    container, key = draw(st.sampled_from(slots))
    action = draw(st.sampled_from(("replace", "tricky", "remove", "duplicate")))
    if action == "replace":
        container[key] = draw(json_values)
    elif action == "tricky":
        container[key] = draw(st.sampled_from(TRICKY))
    elif action == "remove":
        del container[key]
    elif isinstance(container, list):
        container.append(copy.deepcopy(container[key]))
    else:
        container[draw(json_keys)] = copy.deepcopy(container[key])
    return payload


@st.composite
def near_valid_payloads(draw: st.DrawFn) -> Any:
    """A valid payload with one to three random changes anywhere in it."""
    payload: Any = draw(hub_payloads)
    for _ in range(draw(st.integers(1, 3))):
        payload = _mutate(payload, draw)
    return payload


INSTANCE_CHANGES = (
    *("none", "in", "out", "name", "host", "gate_type", "status"),
    *("reverse_gates", "drop_gate", "add_gate"),
)


@st.composite
def successive_polls(draw: st.DrawFn) -> tuple[dict[str, Any], Any]:
    """A valid payload, and the next poll: what changes between two polls.

    One change per instance at most (a counter, a name, a type, gates added,
    dropped or reordered), instances sometimes reordered, and now and then a
    hostile change on top.
    """
    before = draw(hub_payloads)
    after: Any = copy.deepcopy(before)
    for instance in after["instances"]:
        change = draw(st.sampled_from(INSTANCE_CHANGES))
        gates = instance.get("gates")
        if change in ("in", "out") and gates:
            draw(st.sampled_from(gates))[change] = draw(counts)
        elif change == "name":
            instance["name"] = draw(st.text(max_size=6))
        elif change == "host":
            instance["host"] = draw(st.sampled_from(("", "192.168.1.21")))
        elif change == "gate_type":
            instance["gate_type"] = draw(st.sampled_from(("in", "out", "both")))
        elif change == "status":
            instance["status"] = draw(st.sampled_from(STATUS_SPELLINGS))
        elif change == "reverse_gates" and gates:
            gates.reverse()
        elif change == "drop_gate" and gates:
            gates.pop(draw(st.integers(0, len(gates) - 1)))
        elif change == "add_gate" and gates is not None:
            new_id = max((gate["id"] for gate in gates), default=-1) + 1
            gates.append({"id": new_id, "in": draw(counts), "out": draw(counts)})
    if draw(st.booleans()):
        after["instances"].reverse()
    if draw(st.integers(0, 3)) == 0:
        after = _mutate(after, draw)
    return before, after


# --- the oracle ----------------------------------------------------------------


def assert_faithful(payload: Any, state: HubState) -> None:
    """Check a parsed snapshot against the answer it came from, number by number.

    Written from the API document, not from the parser: entries and exits
    honour each instance's gate type, nothing is dropped, nothing invented.
    """
    current, threshold = payload["current"], payload["threshold"]
    assert (state.current, state.threshold) == (current, threshold)
    assert -MAX_COUNT <= current <= MAX_COUNT
    assert 0 <= threshold <= MAX_COUNT
    assert state.remaining_capacity == max(threshold - current, 0)
    assert state.occupancy_ratio == (
        None if threshold <= 0 else round(max(current, 0) * 100 / threshold, 1)
    )
    raw_reset, raw_status = payload.get("reset_time"), payload.get("status")
    assert state.reset_time == (
        None if raw_reset is None else ResetTime(raw_reset["hour"], raw_reset["minute"])
    )
    assert state.limit_reached == (
        current >= threshold if raw_status is None else raw_status == "ko"
    )
    # Unique keys, none dropped: one snapshot instance per listed instance.
    assert len(state.instances) == len(payload["instances"])
    entries = exits = 0
    for raw, (key, instance) in zip(
        payload["instances"], state.instances.items(), strict=True
    ):
        number = raw.get("number")
        assert key == instance.key == (raw["boxid"], 0 if number is None else number)
        raw_type = raw.get("gate_type")
        gate_type = GateType(raw_type.strip().lower()) if raw_type else GateType.BOTH
        raw_gates = raw.get("gates") or []
        assert instance.gate_type is gate_type
        assert [
            (gate.id, gate.crossings_in, gate.crossings_out)
            for gate in instance.gates.values()
        ] == [(gate["id"], gate["in"], gate["out"]) for gate in raw_gates]
        for gate in instance.gates.values():
            assert 0 <= gate.crossings_in <= MAX_COUNT
            assert 0 <= gate.crossings_out <= MAX_COUNT
        ins, outs = (sum(gate[way] for gate in raw_gates) for way in ("in", "out"))
        assert (instance.entries, instance.exits) == (
            0 if gate_type is GateType.OUT else ins,
            0 if gate_type is GateType.IN else outs,
        )
        entries += instance.entries
        exits += instance.exits
        assert instance.name == display_name(raw.get("name") or "", raw["boxid"])
        assert instance.name.isprintable()
        assert 0 < len(instance.name) <= MAX_NAME_LENGTH
        assert instance.host == (raw.get("host") or "")
        if isinstance(raw.get("status"), str):
            assert instance.status is InstanceStatus.parse(raw["status"])
    assert (state.entries, state.exits) == (entries, exits)


def parse_or_refuse(value: Any, *previous: Any) -> HubState | str:
    """Parse, or our error's message (any other error fails)."""
    try:
        return parse_hub_state(value, *previous)
    except VidiGatesInvalidResponseError as err:
        message = str(err)
    # A refusal says what was wrong, briefly.
    assert 0 < len(message) < 200
    return message


# --- the properties ---------------------------------------------------------------


@settings(SETTINGS, max_examples=300)
@given(successive_polls() | st.tuples(hub_payloads, near_valid_payloads()))
def test_previous_snapshot_changes_nothing(polls: tuple[dict[str, Any], Any]) -> None:
    """Any answer after a valid one: faithful, or refused, as it is without it.

    The client hands each poll the snapshot before it and the memo of its
    instances, so that what did not change is shared or not read again; the
    reading, or the refusal, must be the same as without them, and faithful
    to the new answer. The first answer, valid, goes through the bytes a hub
    would send and parses to exactly its numbers.
    """
    before, after = polls
    memo: InstanceMemo = {}
    raw = orjson.dumps(before)
    previous = parse_hub_state(_decode(raw, "application/json", "hub"), None, memo)
    assert_faithful(before, previous)
    alone = parse_or_refuse(after)
    assert parse_or_refuse(after, previous, memo) == alone
    if isinstance(alone, HubState):
        assert_faithful(after, alone)


@SETTINGS
@given(st.binary(max_size=64) | hub_payloads.map(orjson.dumps), st.data())
def test_any_bytes(raw: bytes, data: st.DataObject) -> None:
    """Any body, even a valid one with bytes flipped: a reading or our error."""
    if raw and data.draw(st.booleans()):
        index = data.draw(st.integers(0, len(raw) - 1))
        raw = raw[:index] + bytes([data.draw(st.integers(0, 255))]) + raw[index + 1 :]
    try:
        value = _decode(raw, "application/json", "hub")
    except VidiGatesInvalidResponseError:
        return
    if isinstance(state := parse_or_refuse(value), HubState):
        assert_faithful(value, state)
