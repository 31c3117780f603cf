"""The parser's fast path reads exactly what the full parser reads.

``parse_hub_state`` reads instances of the usual shape without building error
messages, and shares the instances and gates that did not change with the
previous snapshot (see ``scripts/bench``: this is most of a busy poll). These
tests hold it to the full parser, ``parse_instance``, on usual and unusual
answers alike.
"""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import HealthCheck, given, settings, strategies as st
import pytest

from custom_components.vidigates.exceptions import VidiGatesInvalidResponseError
from custom_components.vidigates.models import (
    MAX_COUNT,
    HubState,
    Instance,
    InstanceKey,
    InstanceStatus,
    parse_hub_state,
    parse_instance,
)

COUNTS = st.sampled_from([0, 7, MAX_COUNT, -1, MAX_COUNT + 1, True, None, 1.5, "3"])
GATE_IDS = st.sampled_from([0, 2, -1, None, True, "1"])
ODD_FIELDS: dict[str, st.SearchStrategy[Any]] = {
    "boxid": st.sampled_from([0, -1, None, True, "1"]),
    "number": st.sampled_from([1, -1, None, 1.0, False]),
    "name": st.sampled_from(["  Door  ", "", "   ", None, 5]),
    "host": st.sampled_from(["10.0.0.2", None, 7]),
    "gate_type": st.sampled_from(["IN", " both", "Out", "sideways", "", 1, None]),
    "status": st.sampled_from(
        [
            *("not_capturing", "no-gates", "no_gates", "disabled", "restricted"),
            *(
                "not_configured",
                "unknown",
                "OK",
                " ok ",
                "No-Gates",
                "new",
                "",
                3,
                None,
            ),
        ]
    ),
    "state": st.sampled_from(["not_configured", "ok", 4]),
    "enabled": st.booleans(),
    "restricted": st.booleans(),
    "stable": st.booleans(),
    "gates": st.sampled_from([None, [], {}, "gates"]),
}
ODD_GATES: list[Any] = [None, [], "gate", 1]

USUAL_GATE = st.fixed_dictionaries(
    {"id": st.integers(0, 3), "in": st.integers(0, 400), "out": st.integers(0, 400)}
)
USUAL_INSTANCE = st.fixed_dictionaries(
    {
        "boxid": st.integers(1, 3),
        "number": st.integers(0, 1),
        "name": st.sampled_from(["Door", "Back door"]),
        "host": st.just(""),
        "gate_type": st.sampled_from(["in", "out", "both"]),
        "status": st.sampled_from(["ok", "not-capturing", "unstable"]),
        "gates": st.lists(USUAL_GATE, max_size=3),
    }
)


@st.composite
def instances(draw: st.DrawFn) -> Any:
    """A usual instance with a few things wrong or unusual: where bugs hide."""
    obj: dict[str, Any] = draw(USUAL_INSTANCE)
    for _ in range(draw(st.integers(0, 2))):
        field = draw(st.sampled_from([*ODD_FIELDS, "gate", "drop", "whole"]))
        if field == "whole":
            return draw(st.sampled_from([None, [], "instance", 5]))
        if field == "drop":
            obj.pop(draw(st.sampled_from(sorted(ODD_FIELDS))), None)
        elif field == "gate":
            gates = obj.get("gates")
            if isinstance(gates, list) and gates:
                index = draw(st.integers(0, len(gates) - 1))
                key = draw(st.sampled_from(["id", "in", "out", "drop", "whole"]))
                if key == "whole":
                    gates[index] = draw(st.sampled_from(ODD_GATES))
                elif key == "drop" and isinstance(gates[index], dict):
                    gates[index].pop(draw(st.sampled_from(["id", "in", "out"])), None)
                elif isinstance(gates[index], dict):
                    strategy = GATE_IDS if key == "id" else COUNTS
                    gates[index][key] = draw(strategy)
        else:
            obj[field] = draw(ODD_FIELDS[field])
    return obj


INSTANCES = st.lists(instances(), max_size=4)


def answer(instances: list[Any]) -> dict[str, Any]:
    """A hub answer around ``instances``."""
    return {
        "current": 3,
        "threshold": 10,
        "reset_time": None,
        "status": "ok",
        "instances": instances,
    }


def reference(value: dict[str, Any]) -> HubState:
    """Parse an answer with the full parser only, one instance at a time."""
    instances: dict[InstanceKey, Instance] = {}
    for index, raw in enumerate(value["instances"]):
        instance = parse_instance(raw, f"instance #{index}")
        if instance.key in instances:
            msg = f"instance {instance.boxid}/{instance.number} is listed twice"
            raise VidiGatesInvalidResponseError(msg)
        instances[instance.key] = instance
    return HubState(
        current=value["current"],
        threshold=value["threshold"],
        reset_time=None,
        limit_reached=False,
        instances=instances,
        entries=sum(instance.entries for instance in instances.values()),
        exits=sum(instance.exits for instance in instances.values()),
    )


def outcome(parse: Any, value: dict[str, Any]) -> HubState | str:
    """The snapshot, or the error message."""
    try:
        result: HubState = parse(value)
    except VidiGatesInvalidResponseError as err:
        return str(err)
    return result


def order(state: HubState | str) -> Any:
    """What equality does not see: the order of instances and gates."""
    if isinstance(state, str):
        return state
    return [(key, list(inst.gates)) for key, inst in state.instances.items()]


@settings(max_examples=250, suppress_health_check=[HealthCheck.too_slow])
@given(instances=INSTANCES, before=INSTANCES)
def test_same_reading_as_the_full_parser(
    instances: list[Any], before: list[Any]
) -> None:
    """Same snapshot (or same error) as the full parser, whatever came before."""
    value = answer(instances)
    expected = outcome(reference, value)
    assert outcome(parse_hub_state, value) == expected
    assert order(outcome(parse_hub_state, value)) == order(expected)

    previous = outcome(parse_hub_state, answer(before))
    if isinstance(previous, HubState):
        shared = outcome(lambda v: parse_hub_state(v, previous), value)
        assert shared == expected
        assert order(shared) == order(expected)


SPELLINGS = [
    *(status.value for status in InstanceStatus),
    *(status.value.replace("_", "-") for status in InstanceStatus),
    *(status.value.upper() for status in InstanceStatus),
    " ok ",
    "Not Capturing",
    "not-configured",
    "brand-new",
    "",
]


@pytest.mark.parametrize("field", ["status", "gate_type"])
def test_every_spelling_reads_as_the_full_parser_reads_it(field: str) -> None:
    """Statuses and gate types: one table for the fast path, parse() for the rest."""
    for text in (*SPELLINGS, "in", "out", "both", "OUT", " in", "Both"):
        data = hub(1)
        data["instances"][0][field] = text
        assert outcome(parse_hub_state, data) == outcome(reference, data), text


def hub(instances: int = 3) -> dict[str, Any]:
    """A hub of ``instances`` usual instances with two gates each."""
    return answer(
        [
            {
                "boxid": 100 + index,
                "number": 0,
                "name": f"Door {index}",
                "host": "",
                "gate_type": "both",
                "status": "ok",
                "gates": [{"id": 1, "in": 5, "out": 2}, {"id": 2, "in": 7, "out": 1}],
            }
            for index in range(instances)
        ]
    )


def test_shares_what_did_not_change() -> None:
    """Unchanged instances and gates are the previous snapshot's objects."""
    value = hub()
    first = parse_hub_state(value)
    value = copy.deepcopy(value)
    value["instances"][1]["gates"][0]["in"] = 6
    second = parse_hub_state(value, first)

    assert second == parse_hub_state(value)
    assert second.instances[(100, 0)] is first.instances[(100, 0)]
    assert second.instances[(102, 0)] is first.instances[(102, 0)]
    changed, before = second.instances[(101, 0)], first.instances[(101, 0)]
    assert changed is not before
    assert changed.gates[1].crossings_in == 6
    assert changed.gates[2] is before.gates[2]
    assert second.entries == first.entries + 1


@pytest.mark.parametrize(
    ("field", "value"),
    [("name", "Side door"), ("host", "10.0.0.9"), ("status", "unstable")],
)
def test_instance_fields_are_not_shared_when_they_change(
    field: str, value: str
) -> None:
    """A change of any instance field gives a new instance, with the new value."""
    data = hub(1)
    first = parse_hub_state(data)
    data = copy.deepcopy(data)
    data["instances"][0][field] = value
    second = parse_hub_state(data, first)
    assert second.instances[(100, 0)] is not first.instances[(100, 0)]
    assert second == parse_hub_state(data)


def test_gate_type_change_recounts_entries_and_exits() -> None:
    """The totals follow the new gate type even though every gate is shared."""
    data = hub(1)
    first = parse_hub_state(data)
    data = copy.deepcopy(data)
    data["instances"][0]["gate_type"] = "in"
    second = parse_hub_state(data, first)
    assert (first.entries, first.exits) == (12, 3)
    assert (second.entries, second.exits) == (12, 0)
    assert second.instances[(100, 0)].gates[1] is first.instances[(100, 0)].gates[1]


def test_reordered_gates_follow_the_hub() -> None:
    """Gates in a new order give a new instance in that order."""
    data = hub(1)
    first = parse_hub_state(data)
    data = copy.deepcopy(data)
    data["instances"][0]["gates"].reverse()
    second = parse_hub_state(data, first)
    assert list(second.instances[(100, 0)].gates) == [2, 1]
    assert second.instances[(100, 0)] is not first.instances[(100, 0)]
