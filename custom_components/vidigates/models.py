"""Typed, immutable models of a VidiAccess hub's answers, and their parser.

Nothing here imports Home Assistant: the client and its models could be
published as a library. Every model is a frozen, slotted dataclass that
compares by value, so two snapshots of an idle hub are equal and the
coordinator can skip all work for them.

The parser treats the hub's answer as untrusted input. It accepts the
documented traps (instances without ``status``, hyphen or underscore
spellings, unknown extra fields, ``reset_time: null``) and rejects anything
that would produce a wrong number with :class:`VidiGatesInvalidResponseError`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import time
from enum import StrEnum
from operator import attrgetter
from typing import Any, Final

import orjson

from .exceptions import VidiGatesInvalidResponseError

# A hub counts people through doors: a billion crossings is already absurd, and
# a bound keeps a hostile answer from feeding Home Assistant giant integers.
MAX_COUNT: Final = 1_000_000_000
# Each instance and gate becomes a device and entities. A venue has tens of
# cameras; a megabyte of hostile answer would otherwise be some 18 000
# instances, and Home Assistant would spend minutes creating 90 000 entities.
MAX_INSTANCES: Final = 500
MAX_GATES: Final = 2000
"""Gates over all instances of a hub."""

type InstanceKey = tuple[int, int]
"""An instance's identity on its hub: ``(boxid, number)``."""


class InstanceStatus(StrEnum):
    """The health of one VidiGates instance, in one spelling."""

    OK = "ok"
    NOT_CAPTURING = "not_capturing"
    DISABLED = "disabled"
    RESTRICTED = "restricted"
    NO_GATES = "no_gates"
    UNSTABLE = "unstable"
    NOT_CONFIGURED = "not_configured"
    UNKNOWN = "unknown"
    """A status this client does not know yet (newer hub firmware)."""

    @classmethod
    def parse(cls, value: str) -> InstanceStatus:
        """Map the hub's spelling (``no-gates`` or ``no_gates``) to a member."""
        if (member := cls._value2member_map_.get(value)) is not None:
            return member  # type: ignore[return-value]
        normalized = value.strip().lower().replace("-", "_").replace(" ", "_")
        try:
            return cls(normalized)
        except ValueError:
            return cls.UNKNOWN


class GateType(StrEnum):
    """Which crossings of an instance's gates count as entries and exits."""

    IN = "in"
    OUT = "out"
    BOTH = "both"

    @property
    def counts_entries(self) -> bool:
        """Whether crossings in the ``in`` direction count as entries."""
        return self is not GateType.OUT

    @property
    def counts_exits(self) -> bool:
        """Whether crossings in the ``out`` direction count as exits."""
        return self is not GateType.IN


@dataclass(frozen=True, slots=True)
class ResetTime:
    """The time of day at which the hub brings its counters back to 0."""

    hour: int
    minute: int

    def __post_init__(self) -> None:
        """Refuse impossible times, whoever builds one."""
        if not (0 <= self.hour <= 23 and 0 <= self.minute <= 59):
            msg = f"reset time {self.hour}:{self.minute} is not a time of day"
            raise ValueError(msg)

    @classmethod
    def from_time(cls, value: time) -> ResetTime:
        """Build from a ``datetime.time`` (seconds are dropped: the hub has none)."""
        return cls(value.hour, value.minute)

    def as_time(self) -> time:
        """Return the reset time as a ``datetime.time``."""
        return time(self.hour, self.minute)

    def as_json(self) -> dict[str, int]:
        """Return the hub's representation."""
        return {"hour": self.hour, "minute": self.minute}


@dataclass(frozen=True, slots=True)
class Gate:
    """One virtual tripwire and its crossings since the last reset."""

    id: int
    crossings_in: int
    crossings_out: int


_CROSSINGS_IN: Final = attrgetter("crossings_in")
_CROSSINGS_OUT: Final = attrgetter("crossings_out")


@dataclass(frozen=True, slots=True)
class Instance:
    """One VidiGates instance (a camera's counting process) on the hub."""

    boxid: int
    number: int
    name: str
    host: str
    gate_type: GateType
    status: InstanceStatus
    gates: Mapping[int, Gate] = field(default_factory=dict)
    """Gates by id, in the hub's order."""

    @property
    def key(self) -> InstanceKey:
        """Return the instance's identity on its hub."""
        return (self.boxid, self.number)

    @property
    def entries(self) -> int:
        """People who entered through this instance's gates."""
        if not self.gate_type.counts_entries:
            return 0
        return sum(map(_CROSSINGS_IN, self.gates.values()))

    @property
    def exits(self) -> int:
        """People who left through this instance's gates."""
        if not self.gate_type.counts_exits:
            return 0
        return sum(map(_CROSSINGS_OUT, self.gates.values()))


@dataclass(frozen=True, slots=True)
class HubState:
    """Everything ``GET /api/v1/instances`` says, at one moment."""

    current: int
    threshold: int
    reset_time: ResetTime | None
    limit_reached: bool
    instances: Mapping[InstanceKey, Instance]
    """Instances by ``(boxid, number)``, in the hub's order."""
    entries: int
    """Entries across all instances, honouring each instance's gate type."""
    exits: int
    """Exits across all instances, honouring each instance's gate type."""

    @property
    def remaining_capacity(self) -> int:
        """How many more people may come in (never below 0)."""
        return max(self.threshold - self.current, 0)

    @property
    def occupancy_ratio(self) -> float | None:
        """Occupancy as a percentage of the limit; None when there is no limit."""
        if self.threshold <= 0:
            return None
        # A negative occupancy (exits after the daily reset) fills nothing.
        return round(max(self.current, 0) * 100 / self.threshold, 1)

    def replace_settings(self, result: SetResult) -> HubState:
        """Return a copy with the values a ``/set`` answer says are in force."""
        return HubState(
            current=result.current,
            threshold=result.threshold,
            reset_time=result.reset_time,
            limit_reached=result.current >= result.threshold,
            instances=self.instances,
            entries=self.entries,
            exits=self.exits,
        )


class Direction(StrEnum):
    """A way through a gate: ``in`` crossings are entries, ``out`` exits."""

    IN = "in"
    OUT = "out"

    def crossings(self, gate: Gate) -> int:
        """The gate's counter of crossings this way."""
        return gate.crossings_in if self is Direction.IN else gate.crossings_out


type GateKey = tuple[int, int, int]
"""A gate's identity on its hub: ``(boxid, number, gate_id)``."""


type Counters = tuple[int | None, int | None]
"""A gate's ``in`` and ``out`` counters as last seen; None: never seen."""


@dataclass(frozen=True, slots=True)
class Tally:
    """People who crossed each way since the hub's daily reset, counted for good.

    The hub's sums (:attr:`HubState.entries`, :attr:`HubState.exits`) count
    each instance's gates as its gate type says *now*: changing a type adds
    or takes away every crossing of the day at once, which long-term
    statistics would take for people (or for a new cycle). A tally adds, poll
    after poll, what each counted gate counter grew by, so a gate type only
    decides whether the crossings that come after it count. A total drops
    only when the hub's counters of its way went back down together: the
    daily reset.

    ``Tally(0, 0)`` has seen nothing: every crossing of the first state it
    sees is of this cycle, so it begins with the hub's own sums.
    ``snapshot`` is the last hub state seen. ``elsewhere`` keeps the counters
    of each gate known but not in it: gates that left the hub this cycle (so
    that one coming back counts from where it left), and after a restart all
    of them until the next poll.
    """

    entries: int
    exits: int
    snapshot: HubState | None = None
    elsewhere: Mapping[GateKey, Counters] = field(default_factory=dict)

    def total(self, direction: Direction) -> int:
        """The people who crossed ``direction``: entries or exits."""
        return self.entries if direction is Direction.IN else self.exits

    def gate_counters(self, direction: Direction) -> dict[GateKey, int]:
        """Each known gate's counter one way, to carry the tally across restarts."""
        index = 0 if direction is Direction.IN else 1
        counters = {
            key: count
            for key, both in self.elsewhere.items()
            if (count := both[index]) is not None
        }
        if self.snapshot is not None:
            crossings = direction.crossings
            for instance in self.snapshot.instances.values():
                for gate in instance.gates.values():
                    counters[instance.boxid, instance.number, gate.id] = crossings(gate)
        return counters

    def restored(
        self, direction: Direction, total: int, counters: Mapping[GateKey, int]
    ) -> Tally:
        """Return this tally with one way's count as it was kept before a restart.

        Each gate's stored counter stands for the last snapshot of that way;
        the other way goes on from what this tally knows.
        """
        ins = self.gate_counters(Direction.IN)
        outs = self.gate_counters(Direction.OUT)
        if direction is Direction.IN:
            ins, entries, exits = dict(counters), total, self.exits
        else:
            outs, entries, exits = dict(counters), self.entries, total
        return Tally(
            entries,
            exits,
            elsewhere={key: (ins.get(key), outs.get(key)) for key in ins | outs},
        )

    def advance(self, hub: HubState) -> Tally:
        """Return the tally after ``hub``, the next state the hub reported."""
        if hub is self.snapshot:
            return self
        previous = {} if self.snapshot is None else self.snapshot.instances
        elsewhere = dict(self.elsewhere)
        # What the counters seen before grew by, and what of it counts, each way.
        grown_in = grown_out = counted_in = counted_out = 0
        for key, instance in hub.instances.items():
            before = previous.get(key)
            # Unchanged instances are the previous snapshot's own objects: a
            # busy hub's poll costs what changed, not every gate.
            if before is not instance:
                g_in, g_out, c_in, c_out = _tally_changes(before, instance, elsewhere)
                grown_in += g_in
                grown_out += g_out
                counted_in += c_in
                counted_out += c_out
        for key in previous.keys() - hub.instances.keys():
            for gate in previous[key].gates.values():
                elsewhere[key[0], key[1], gate.id] = (
                    gate.crossings_in,
                    gate.crossings_out,
                )
        if grown_in < 0 or grown_out < 0:
            # The counters seen before went down taken together: the daily
            # reset of that way. The new cycle holds what the hub counts from
            # it on, and gates that left start again from 0 too.
            elsewhere = {
                key: both
                for key, (was_in, was_out) in elsewhere.items()
                if (
                    both := (
                        None if grown_in < 0 else was_in,
                        None if grown_out < 0 else was_out,
                    )
                )
                != (None, None)
            }
        return Tally(
            hub.entries if grown_in < 0 else self.entries + counted_in,
            hub.exits if grown_out < 0 else self.exits + counted_out,
            hub,
            elsewhere,
        )


def _tally_changes(
    before: Instance | None, instance: Instance, elsewhere: dict[GateKey, Counters]
) -> tuple[int, int, int, int]:
    """How much one instance's known counters grew, and how much counts, each way.

    Gates that left the instance go to ``elsewhere``; gates found there are
    taken back.
    """
    counts_in = instance.gate_type.counts_entries
    counts_out = instance.gate_type.counts_exits
    old_gates = {} if before is None else before.gates
    grown_in = grown_out = counted_in = counted_out = 0
    for gate_id, gate in instance.gates.items():
        old_gate = old_gates.get(gate_id)
        # Unchanged gates are shared objects too.
        if old_gate is gate:
            continue
        was: Counters = (
            (old_gate.crossings_in, old_gate.crossings_out)
            if old_gate is not None
            else elsewhere.pop((instance.boxid, instance.number, gate_id), (None, None))
        )
        grown, counted = _counter_change(was[0], gate.crossings_in, counts_in)
        grown_in += grown
        counted_in += counted
        grown, counted = _counter_change(was[1], gate.crossings_out, counts_out)
        grown_out += grown
        counted_out += counted
    for gate_id in old_gates.keys() - instance.gates.keys():
        gate = old_gates[gate_id]
        elsewhere[instance.boxid, instance.number, gate_id] = (
            gate.crossings_in,
            gate.crossings_out,
        )
    return grown_in, grown_out, counted_in, counted_out


def _counter_change(was: int | None, now: int, counts: bool) -> tuple[int, int]:
    """How much one counter grew (0 if never seen), and how much of it counts."""
    if was is None:
        # Never seen: its crossings are all of this cycle.
        return 0, now if counts else 0
    # A counter below its last value began again from 0.
    return now - was, (now - was if now >= was else now) if counts else 0


@dataclass(frozen=True, slots=True)
class SetResult:
    """The values in force after ``POST /api/v1/set``."""

    current: int
    threshold: int
    reset_time: ResetTime | None


# --- parsing -----------------------------------------------------------------


def _require(obj: Mapping[str, Any], key: str, where: str) -> Any:
    try:
        return obj[key]
    except KeyError:
        msg = f"{where} has no '{key}'"
        raise VidiGatesInvalidResponseError(msg) from None


def _count(value: Any, what: str) -> int:
    # bool is an int in Python; a hub that says `true` people is broken.
    if type(value) is not int:
        msg = f"{what} is {_describe(value)}, not a whole number"
        raise VidiGatesInvalidResponseError(msg)
    if not 0 <= value <= MAX_COUNT:
        msg = f"{what} is {value}, outside 0..{MAX_COUNT}"
        raise VidiGatesInvalidResponseError(msg)
    return value


def _occupancy(value: Any, what: str) -> int:
    # current = entries - exits + manual correction, and the daily reset zeroes
    # the counters while people are still inside: those who leave afterwards
    # take it below 0. That is the hub's real reading, not a broken answer.
    if type(value) is not int:
        msg = f"{what} is {_describe(value)}, not a whole number"
        raise VidiGatesInvalidResponseError(msg)
    if not -MAX_COUNT <= value <= MAX_COUNT:
        msg = f"{what} is {value}, outside -{MAX_COUNT}..{MAX_COUNT}"
        raise VidiGatesInvalidResponseError(msg)
    return value


def _identifier(value: Any, what: str) -> int:
    if type(value) is not int or value < 0:
        msg = f"{what} is {_describe(value)}, not a whole number of 0 or more"
        raise VidiGatesInvalidResponseError(msg)
    return value


def _text(value: Any, what: str, default: str) -> str:
    if value is None:
        return default
    if not isinstance(value, str):
        msg = f"{what} is {_describe(value)}, not text"
        raise VidiGatesInvalidResponseError(msg)
    return value


def _object(value: Any, what: str) -> Mapping[str, Any]:
    if not isinstance(value, dict):
        msg = f"{what} is {_describe(value)}, not an object"
        raise VidiGatesInvalidResponseError(msg)
    return value


def _list(value: Any, what: str) -> list[Any]:
    if not isinstance(value, list):
        msg = f"{what} is {_describe(value)}, not a list"
        raise VidiGatesInvalidResponseError(msg)
    return value


MAX_NAME_LENGTH: Final = 100


def display_name(name: str, boxid: int) -> str:
    """Return an instance's name fit to name a device.

    Control characters and runaway lengths would end up in the device registry
    and on every dashboard; an empty name falls back to the hub's own default.
    """
    if not name.isprintable():
        name = "".join(char if char.isprintable() else " " for char in name)
    name = " ".join(name.split())[:MAX_NAME_LENGTH].strip()
    return name or f"Box #{boxid}"


def _describe(value: Any) -> str:  # noqa: PLR0911 - one return per JSON type
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, str):
        return "text"
    if isinstance(value, float):
        return "a decimal number"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__  # pragma: no cover - JSON has no other types


def parse_reset_time(value: Any, where: str = "reset_time") -> ResetTime | None:
    """Parse ``{"hour": H, "minute": M}`` or null."""
    if value is None:
        return None
    obj = _object(value, where)
    hour = _require(obj, "hour", where)
    minute = _require(obj, "minute", where)
    if type(hour) is not int or not 0 <= hour <= 23:
        msg = f"{where}.hour is {_describe(hour)}, not an hour (0-23)"
        raise VidiGatesInvalidResponseError(msg)
    if type(minute) is not int or not 0 <= minute <= 59:
        msg = f"{where}.minute is {_describe(minute)}, not a minute (0-59)"
        raise VidiGatesInvalidResponseError(msg)
    return ResetTime(hour, minute)


def _derive_status(obj: Mapping[str, Any], has_gates: bool) -> InstanceStatus:
    """Work out a status for an instance that reports none.

    Firmware seen in the vendor's own sample sends ``state`` and the booleans
    ``enabled``, ``restricted`` and ``stable`` instead of ``status``. The ones
    that need the vendor's support come first, as they are what the user must
    act on.
    """
    if obj.get("enabled") is False:
        return InstanceStatus.DISABLED
    if obj.get("restricted") is True:
        return InstanceStatus.RESTRICTED
    state = obj.get("state")
    if isinstance(state, str):
        parsed = InstanceStatus.parse(state)
        if parsed is not InstanceStatus.OK:
            return parsed
    if not has_gates:
        return InstanceStatus.NO_GATES
    if obj.get("stable") is False:
        return InstanceStatus.UNSTABLE
    return InstanceStatus.OK


# Below, instances and gates are read with messages relative to them (".in is
# text, ..."); the `except` clauses, which cost nothing until something is
# wrong, put in front where it was: "instance 52190/0 gate #1".


def _gate_fields(value: Any) -> tuple[int, int, int]:
    obj = _object(value, "")
    gate_id = _identifier(_require(obj, "id", ""), ".id")
    crossings_in = _count(_require(obj, "in", ""), ".in")
    crossings_out = _count(_require(obj, "out", ""), ".out")
    return gate_id, crossings_in, crossings_out


def _within(where: str, err: VidiGatesInvalidResponseError) -> Exception:
    return VidiGatesInvalidResponseError(f"{where}{err}")


def _parse_instance(
    value: Any, index: int, previous: Mapping[InstanceKey, Instance]
) -> tuple[Instance, int, int]:
    # The usual instance's key is checked inline; the calls below read any
    # other and say what is wrong.
    if (
        type(value) is dict
        and type(boxid := value.get("boxid")) is int
        and boxid >= 0
        and type(number := value.get("number")) is int
        and number >= 0
    ):
        try:
            return _read_instance(value, (boxid, number), previous.get((boxid, number)))
        except VidiGatesInvalidResponseError as err:
            raise _within(f"instance {boxid}/{number}", err) from None
    try:
        obj = _object(value, "")
        boxid = _identifier(_require(obj, "boxid", ""), ".boxid")
    except VidiGatesInvalidResponseError as err:
        raise _within(f"instance #{index}", err) from None
    try:
        # The number tells instances on one box apart; boxes run one by
        # default. Like every optional field, null reads as missing.
        raw_number = obj.get("number")
        number = 0 if raw_number is None else _identifier(raw_number, ".number")
    except VidiGatesInvalidResponseError as err:
        raise _within(f"instance {boxid}", err) from None
    try:
        key = (boxid, number)
        return _read_instance(obj, key, previous.get(key))
    except VidiGatesInvalidResponseError as err:
        raise _within(f"instance {boxid}/{number}", err) from None


def _read_instance(
    obj: Mapping[str, Any],
    key: InstanceKey,
    before: Instance | None,
) -> tuple[Instance, int, int]:
    old_gates = _NO_GATES if before is None else before.gates
    old_ids = iter(old_gates)
    gates: dict[int, Gate] = {}
    total_in = total_out = 0
    raw_gates = obj.get("gates")
    gate_list = () if raw_gates is None else _list(raw_gates, ".gates")
    # Whether every gate is one of before's, in before's order: only then can
    # the instance be before.
    same_gates = before is not None and len(gate_list) == len(old_gates)
    for index, raw_gate in enumerate(gate_list):
        # The usual gate is checked inline, which costs a fraction of the
        # calls below; anything else is read by them, which say what is wrong.
        if type(raw_gate) is dict:
            gate_id = raw_gate.get("id")
            crossings_in = raw_gate.get("in")
            crossings_out = raw_gate.get("out")
        if not (
            type(raw_gate) is dict
            and type(gate_id) is int
            and gate_id >= 0
            and type(crossings_in) is int
            and 0 <= crossings_in <= MAX_COUNT
            and type(crossings_out) is int
            and 0 <= crossings_out <= MAX_COUNT
        ):
            try:
                gate_id, crossings_in, crossings_out = _gate_fields(raw_gate)
            except VidiGatesInvalidResponseError as err:
                raise _within(f" gate #{index}", err) from None
        if gate_id in gates:
            msg = f" lists gate {gate_id} twice"
            raise VidiGatesInvalidResponseError(msg)
        total_in += crossings_in
        total_out += crossings_out
        # The previous snapshot's gate when equal: cheap to compare (by identity).
        old = old_gates.get(gate_id)
        if (
            old is not None
            and old.crossings_in == crossings_in
            and old.crossings_out == crossings_out
        ):
            gates[gate_id] = old
            same_gates = same_gates and next(old_ids, None) == gate_id
        else:
            gates[gate_id] = Gate(gate_id, crossings_in, crossings_out)
            same_gates = False

    raw_status = obj.get("status")
    if raw_status is None:
        status = _derive_status(obj, bool(gates))
    elif isinstance(raw_status, str):
        status = InstanceStatus.parse(raw_status)
    else:
        msg = f".status is {_describe(raw_status)}, not text"
        raise VidiGatesInvalidResponseError(msg)

    boxid, number = key
    name = _name(obj.get("name"), boxid, before)
    raw_host = obj.get("host")
    host = raw_host if type(raw_host) is str else _text(raw_host, ".host", "")
    gate_type = _gate_type(obj.get("gate_type"))
    if (
        same_gates
        and before is not None
        and before.name == name
        and before.host == host
        and before.gate_type is gate_type
        and before.status is status
    ):
        # The previous snapshot's instance, to compare by identity; its gates
        # are shared above, which settles those that did not change.
        instance = before
    else:
        instance = Instance(boxid, number, name, host, gate_type, status, gates)
    return (
        instance,
        total_in if gate_type.counts_entries else 0,
        total_out if gate_type.counts_exits else 0,
    )


def _name(value: Any, boxid: int, before: Instance | None) -> str:
    # A name already clean is its own display name: most reads skip the work.
    if before is not None and value == before.name:
        return before.name
    return display_name(_text(value, ".name", ""), boxid)


def _gate_type(value: Any) -> GateType:
    if value is None:
        return GateType.BOTH
    if not isinstance(value, str):
        msg = f".gate_type is {_describe(value)}, not in/out/both"
        raise VidiGatesInvalidResponseError(msg)
    if (member := GateType._value2member_map_.get(value)) is not None:
        return member  # type: ignore[return-value]
    try:
        return GateType(value.strip().lower())
    except ValueError:
        msg = f".gate_type is '{value[:40]}', not in/out/both"
        raise VidiGatesInvalidResponseError(msg) from None


_NO_GATES: Final[Mapping[int, Gate]] = {}
_NO_INSTANCES: Final[Mapping[InstanceKey, Instance]] = {}


def _json_text(value: Any) -> bytes | None:
    try:
        return orjson.dumps(value)
    except orjson.JSONEncodeError:
        # Not from a JSON text (a test's own objects): read it in full.
        return None


type InstanceMemo = dict[bytes, tuple[Instance, int, int]]
"""Instances, with their entries and exits, by the JSON text they were read
from (see :func:`parse_hub_state`)."""


def parse_hub_state(
    value: Any, previous: HubState | None = None, memo: InstanceMemo | None = None
) -> HubState:
    """Parse the answer of ``GET /api/v1/instances``.

    With the previous snapshot, the instances and gates that did not change
    are its own objects: equal by value as ever, and cheap to compare. With a
    memo of the last good answer's instances, one whose JSON text is the same
    again is taken as it is, unread; the memo then holds this answer's.
    """
    obj = _object(value, "the answer")
    current = _occupancy(_require(obj, "current", "the answer"), "current")
    threshold = _count(_require(obj, "threshold", "the answer"), "threshold")
    reset_time = parse_reset_time(obj.get("reset_time"))

    raw_status = obj.get("status")
    if raw_status is None:
        limit_reached = current >= threshold
    elif raw_status in ("ok", "ko"):
        limit_reached = raw_status == "ko"
    else:
        msg = f"status is {_describe(raw_status)}, not 'ok' or 'ko'"
        raise VidiGatesInvalidResponseError(msg)

    raw_instances = _list(_require(obj, "instances", "the answer"), "instances")
    if len(raw_instances) > MAX_INSTANCES:
        msg = f"the answer lists {len(raw_instances)} instances, over {MAX_INSTANCES}"
        raise VidiGatesInvalidResponseError(msg)
    known = _NO_INSTANCES if previous is None else previous.instances
    instances: dict[InstanceKey, Instance] = {}
    entries = exits = gates = 0
    last: InstanceMemo = {} if memo is None else memo
    seen: InstanceMemo = {}
    for index, raw_instance in enumerate(raw_instances):
        # The text, not the objects: True == 1 and 1.0 == 1 in Python, so
        # equal dicts could hide a boolean or a decimal where a count was.
        text = None if memo is None else _json_text(raw_instance)
        if text is None or (read := last.get(text)) is None:
            read = _parse_instance(raw_instance, index, known)
        if text is not None:
            seen[text] = read
        instance, instance_entries, instance_exits = read
        key = instance.key
        if key in instances:
            msg = f"instance {instance.boxid}/{instance.number} is listed twice"
            raise VidiGatesInvalidResponseError(msg)
        instances[key] = instance
        entries += instance_entries
        exits += instance_exits
        gates += len(instance.gates)
    if gates > MAX_GATES:
        msg = f"the answer lists {gates} gates, over {MAX_GATES}"
        raise VidiGatesInvalidResponseError(msg)

    if memo is not None:
        memo.clear()
        memo.update(seen)
    return HubState(
        current=current,
        threshold=threshold,
        reset_time=reset_time,
        limit_reached=limit_reached,
        instances=instances,
        entries=entries,
        exits=exits,
    )


def parse_set_result(value: Any) -> SetResult:
    """Parse the answer of ``POST /api/v1/set``."""
    obj = _object(value, "the answer")
    return SetResult(
        current=_occupancy(_require(obj, "current", "the answer"), "current"),
        threshold=_count(_require(obj, "threshold", "the answer"), "threshold"),
        # Unlike a poll, this answer must say: a missing key read as null would
        # show the daily reset as switched off.
        reset_time=parse_reset_time(_require(obj, "reset_time", "the answer")),
    )
