"""The state of a simulated VidiAccess hub, with no I/O.

Everything here is plain, deterministic Python: the server in :mod:`.server`
turns HTTP requests into calls on :class:`Hub`, and tests may drive a ``Hub``
directly. Time only moves when :meth:`Hub.advance` is called, and all the
randomness comes from one ``random.Random`` seeded by the constructor, so the
same seed and the same sequence of calls always give the same hub.
"""

from __future__ import annotations

from collections import Counter
import copy
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
import json
import random
from typing import Any, Final, Literal, cast

type InstanceKey = tuple[int, int]
"""An instance's identity on the hub: ``(boxid, number)``."""

type GateType = Literal["in", "out", "both"]
type Status = Literal[
    "ok", "unstable", "not-capturing", "disabled", "restricted", "no-gates"
]

GATE_TYPES: Final[frozenset[str]] = frozenset({"in", "out", "both"})
STATUSES: Final[frozenset[str]] = frozenset(
    {"ok", "unstable", "not-capturing", "disabled", "restricted", "no-gates"}
)

# The API does not document limits; a 32-bit signed int is the most likely
# backend type, and it keeps absurd values from reaching the model.
MAX_INT: Final = 2**31 - 1

PATH_INSTANCES: Final = "/api/v1/instances"
PATH_SET: Final = "/api/v1/set"
PATH_SET_TYPE: Final = "/api/v1/set_type"

DEFAULT_DELAY: Final = 5.0
DEFAULT_HUGE_SIZE: Final = 8 * 1024 * 1024

# The vendor's sample answer to GET /api/v1/instances, made into valid JSON as in
# docs/vidiaccess-api.md. Its first instance has no "status" but the older
# "state"/"restricted"/"enabled"/"stable" fields, which clients must survive.
# Treat it as read-only: Hub.set_fixed_payload() stores a deep copy.
VENDOR_SAMPLE: Final[dict[str, Any]] = {
    "instances": [
        {
            "gates": [{"id": 1, "in": 0, "out": 0}],
            "boxid": 74117,
            "name": "Box #74117",
            "state": "not_configured",
            "restricted": True,
            "enabled": True,
            "stable": False,
            "host": "",
            "number": 1,
            "gate_type": "both",
        },
        {
            "gates": [
                {"id": 1, "in": 10, "out": 30},
                {"id": 2, "in": 30, "out": 20},
            ],
            "boxid": 52190,
            "name": "Box #52190",
            "host": "",
            "number": 0,
            "gate_type": "in",
            "status": "ok",
        },
    ],
    "current": 40,
    "threshold": 50,
    "reset_time": {"hour": 23, "minute": 0},
    "status": "ok",
}


class InvalidRequestError(ValueError):
    """A request body or argument the simulator refuses; the server answers 400."""


class Fault(StrEnum):
    """A way for the hub to misbehave on one request."""

    HTTP_500 = "http_500"
    """HTTP 500 with a plain-text body."""
    GARBAGE = "garbage"
    """HTTP 200 labelled application/json whose body is binary junk."""
    HTML = "html"
    """An HTML error page (text/html), HTTP 200 unless ``status`` says otherwise."""
    TRUNCATED = "truncated"
    """HTTP 200, application/json, but only the first half of the document."""
    DELAY = "delay"
    """Wait ``delay`` seconds (``None``: until released), then answer normally.

    A client that gives up meanwhile takes the request with it: the hub never
    processes it. See :meth:`SimulatorServer.release_delayed`.
    """
    DROP = "drop"
    """Close the connection without answering."""
    HUGE = "huge"
    """HTTP 200, a valid hub-shaped JSON document of ``size`` bytes, chunked."""


@dataclass(frozen=True, slots=True)
class FaultSpec:
    """One fault and its parameters."""

    kind: Fault
    delay: float | None = DEFAULT_DELAY
    """Seconds to wait, for :attr:`Fault.DELAY`; ``None``: until released."""
    status: int = 200
    """HTTP status, for :attr:`Fault.HTML`."""
    size: int = DEFAULT_HUGE_SIZE
    """Approximate body size in bytes, for :attr:`Fault.HUGE`."""
    path: str | None = None
    """Only requests to this exact path; ``None`` means any hub request."""

    def as_json(self) -> dict[str, Any]:
        """Describe the fault for the control API."""
        return {
            "kind": self.kind.value,
            "delay": self.delay,
            "status": self.status,
            "size": self.size,
            "path": self.path,
        }


@dataclass(slots=True)
class _QueuedFault:
    spec: FaultSpec
    remaining: int


@dataclass(frozen=True, slots=True)
class ReceivedRequest:
    """A request the hub received (control requests under /_sim/ excluded)."""

    method: str
    path: str
    body: bytes
    fault: Fault | None
    """The fault applied to this request, if any."""

    def decoded(self) -> Any:
        """Return the body as JSON, its text if it is not JSON, ``None`` if empty."""
        if not self.body:
            return None
        try:
            return json.loads(self.body)
        except ValueError:
            return self.body.decode("utf-8", errors="replace")


@dataclass(slots=True)
class Instance:
    """One VidiGates instance (a camera) and its gates."""

    boxid: int
    number: int
    name: str
    host: str
    gate_type: GateType
    gates: dict[int, list[int]]
    """Gate id -> ``[in, out]`` crossings since the last reset."""
    status: Status
    unstable_until: datetime | None = None
    """When an ``unstable`` instance becomes ``ok`` by itself."""

    @property
    def key(self) -> InstanceKey:
        """``(boxid, number)``."""
        return (self.boxid, self.number)

    @property
    def counts_in(self) -> bool:
        """Whether this instance's ``in`` crossings add to ``current``."""
        return self.gate_type in ("in", "both")

    @property
    def counts_out(self) -> bool:
        """Whether this instance's ``out`` crossings subtract from ``current``."""
        return self.gate_type in ("out", "both")

    def as_json(self) -> dict[str, Any]:
        """Return the instance as GET /api/v1/instances shows it."""
        return {
            "gates": [
                {"id": gate_id, "in": counts[0], "out": counts[1]}
                for gate_id, counts in self.gates.items()
            ],
            "boxid": self.boxid,
            "name": self.name,
            "host": self.host,
            "number": self.number,
            "gate_type": self.gate_type,
            "status": self.status,
        }


@dataclass(slots=True)
class _Faults:
    queue: list[_QueuedFault] = field(default_factory=list)
    always: FaultSpec | None = None


class Hub:
    """A simulated VidiAccess hub.

    ``current`` is never stored: it is always derived from the gate counters as
    the API document says (entries of in/both instances minus exits of
    out/both instances) plus ``correction``, the offset a ``/set`` of
    ``occupancy`` leaves behind. That way the relation cannot drift, whatever
    tests do to the counters.
    """

    def __init__(
        self,
        *,
        instances: int = 2,
        gates_per_instance: int = 2,
        seed: int = 0,
        threshold: int = 50,
        reset_time: tuple[int, int] | None = (23, 0),
        unstable_seconds: float = 60.0,
        arrival_rate: float = 0.2,
        mean_stay_seconds: float = 240.0,
        start: datetime | None = None,
    ) -> None:
        """Create a hub with ``instances`` instances of ``gates_per_instance`` gates.

        ``arrival_rate`` is people per simulated second; each person inside
        leaves after ``mean_stay_seconds`` on average. ``start`` is the
        simulated wall-clock time (naive or aware); by default the real local
        time now. Instances start ``unstable`` for ``unstable_seconds``.
        """
        if instances < 0 or gates_per_instance < 0 or threshold < 0:
            msg = "instances, gates_per_instance and threshold must be >= 0"
            raise ValueError(msg)
        if arrival_rate < 0 or mean_stay_seconds <= 0 or unstable_seconds < 0:
            msg = "rates and durations must be positive"
            raise ValueError(msg)
        self.seed = seed
        self.threshold = threshold
        self.reset_time = reset_time
        self.unstable_seconds = unstable_seconds
        self.arrival_rate = arrival_rate
        self.mean_stay_seconds = mean_stay_seconds
        self.gates_per_instance = gates_per_instance
        self.correction = 0
        self.instances: dict[InstanceKey, Instance] = {}
        self.requests: Counter[tuple[str, str]] = Counter()
        self.received: list[ReceivedRequest] = []
        if start is None:
            # Local time, as the hub's reset_time is a local time of day.
            start = datetime.now(UTC).astimezone().replace(microsecond=0)
        self._now = start
        self._rng = random.Random(seed)
        # BoxIDs come from their own generator so that adding an instance does
        # not change the stream of arrivals and departures, and vice versa.
        self._id_rng = random.Random(f"vidiaccess-boxids-{seed}")
        self._fixed_payload: Any = None
        self._faults = _Faults()
        self._churn = 0.0
        for _ in range(instances):
            self.add_instance()

    # --- state --------------------------------------------------------------

    @property
    def now(self) -> datetime:
        """The simulated wall-clock time."""
        return self._now

    @property
    def current(self) -> int:
        """People inside: the documented relation over the gates, plus correction."""
        total = self.correction
        for instance in self.instances.values():
            for count_in, count_out in instance.gates.values():
                if instance.counts_in:
                    total += count_in
                if instance.counts_out:
                    total -= count_out
        return total

    @current.setter
    def current(self, value: int) -> None:
        # Like /set: the counters keep their history, the offset absorbs the rest.
        self.correction += value - self.current

    @property
    def status(self) -> Literal["ok", "ko"]:
        """``ok`` while ``current`` is below ``threshold``."""
        return "ok" if self.current < self.threshold else "ko"

    @property
    def fixed_payload(self) -> Any:
        """The payload GET answers instead of the model, or ``None``."""
        return self._fixed_payload

    def instance(self, boxid: int, number: int) -> Instance:
        """Return the instance ``(boxid, number)``; ``KeyError`` if there is none."""
        try:
            return self.instances[(boxid, number)]
        except KeyError:
            msg = f"no instance with boxid {boxid} and number {number}"
            raise KeyError(msg) from None

    def snapshot(self) -> dict[str, Any]:
        """Return the model as GET /api/v1/instances shows it (no fixed payload)."""
        return {
            "instances": [instance.as_json() for instance in self.instances.values()],
            "current": self.current,
            "threshold": self.threshold,
            "reset_time": _reset_time_json(self.reset_time),
            "status": self.status,
        }

    def payload(self) -> Any:
        """Return what GET /api/v1/instances answers: fixed payload or snapshot."""
        if self._fixed_payload is not None:
            return copy.deepcopy(self._fixed_payload)
        return self.snapshot()

    def set_fixed_payload(self, payload: Any) -> None:
        """Make GET answer exactly ``payload`` (any JSON value); ``None`` undoes it.

        The model keeps running behind it, and /set still answers from the
        model: this is for feeding clients documents the model cannot produce,
        such as :data:`VENDOR_SAMPLE` or deliberately malformed ones.
        """
        self._fixed_payload = copy.deepcopy(payload)

    # --- the hub API --------------------------------------------------------

    def apply_set(self, body: Any) -> dict[str, Any]:
        """POST /api/v1/set. Validates everything before changing anything.

        Raises ``ValueError`` for a body that is not an object, an unknown key,
        or a value of the wrong type or range.
        """
        if not isinstance(body, dict):
            msg = "the body must be a JSON object"
            raise InvalidRequestError(msg)
        unknown = set(body) - {"occupancy", "threshold", "reset_time"}
        if unknown:
            # The real hub's reaction is undocumented; refusing surfaces client
            # typos in tests instead of silently doing nothing.
            msg = f"unknown keys: {', '.join(sorted(unknown))}"
            raise InvalidRequestError(msg)
        occupancy = threshold = None
        if "occupancy" in body:
            occupancy = _checked_int(body["occupancy"], "occupancy")
        if "threshold" in body:
            threshold = _checked_int(body["threshold"], "threshold")
        reset_time: tuple[int, int] | None = None
        if "reset_time" in body:
            reset_time = _checked_reset_time(body["reset_time"])

        if occupancy is not None:
            self.current = occupancy
        if threshold is not None:
            self.threshold = threshold
        if "reset_time" in body:
            self.reset_time = reset_time
        return {
            "current": self.current,
            "threshold": self.threshold,
            "reset_time": _reset_time_json(self.reset_time),
        }

    def apply_set_type(self, body: Any) -> dict[str, Any]:
        """POST /api/v1/set_type.

        Raises ``ValueError`` for a malformed body and ``KeyError`` for an
        unknown ``(boxid, number)``. ``current`` follows the documented
        relation, so it jumps (and may even go negative) when the gate type
        changes which counters count.
        """
        if not isinstance(body, dict):
            msg = "the body must be a JSON object"
            raise InvalidRequestError(msg)
        missing = {"boxid", "number", "gate_type"} - set(body)
        if missing:
            msg = f"missing keys: {', '.join(sorted(missing))}"
            raise InvalidRequestError(msg)
        boxid = _checked_int(body["boxid"], "boxid")
        number = _checked_int(body["number"], "number")
        gate_type = _checked_gate_type(body["gate_type"])
        self.instance(boxid, number).gate_type = gate_type
        return {}

    # --- simulation ---------------------------------------------------------

    def advance(self, seconds: float) -> None:
        """Move simulated time forward by ``seconds``.

        People arrive (an ``in`` crossing on a random gate of a counting
        in/both instance) as a Poisson process of ``arrival_rate``, and each
        person inside leaves (an ``out`` crossing on an out/both instance) at
        rate ``1 / mean_stay_seconds``. Only instances whose status is ``ok``
        count: a camera that is unstable, disabled or not capturing sees
        nobody. Unstable instances turn ``ok`` when their time is up, and the
        daily reset happens every time the clock passes ``reset_time``.
        """
        if seconds < 0:
            msg = "time only moves forward"
            raise InvalidRequestError(msg)
        end = self._now + timedelta(seconds=seconds)
        while True:
            # Scheduled changes alter the event rates, so simulate up to the
            # next one, apply it, and continue. Exponential waits are
            # memoryless, so starting a fresh draw at a checkpoint is exact.
            reset_at = self._next_reset()
            checkpoint = min(
                [end, *self._unstable_deadlines(), *([reset_at] if reset_at else [])]
            )
            self._simulate_crossings_until(checkpoint)
            self._now = checkpoint
            self._stabilise()
            if reset_at is not None and self._now >= reset_at:
                self.daily_reset()
            if self._now >= end:
                return

    def _unstable_deadlines(self) -> list[datetime]:
        return [
            instance.unstable_until
            for instance in self.instances.values()
            if instance.status == "unstable" and instance.unstable_until is not None
        ]

    def _next_reset(self) -> datetime | None:
        # The first reset strictly after now: a reset at exactly ``now`` is past,
        # or a hub sitting on its reset minute would reset on every advance.
        if self.reset_time is None:
            return None
        hour, minute = self.reset_time
        candidate = self._now.replace(hour=hour, minute=minute, second=0, microsecond=0)
        if candidate <= self._now:
            candidate += timedelta(days=1)
        return candidate

    def _stabilise(self) -> None:
        for instance in self.instances.values():
            if (
                instance.status == "unstable"
                and instance.unstable_until is not None
                and instance.unstable_until <= self._now
            ):
                instance.status = "ok"
                instance.unstable_until = None

    def daily_reset(self) -> None:
        """Zero every gate counter and ``current``, as the hub does at reset_time."""
        for instance in self.instances.values():
            for counts in instance.gates.values():
                counts[0] = counts[1] = 0
        self.correction = 0

    def _simulate_crossings_until(self, until: datetime) -> None:
        """Draw the crossings between now and ``until``; the caller moves the clock.

        Nothing else changes before ``until`` (statuses and the reset only
        change at checkpoints), so the gate lists are built once and
        ``current`` is tracked incrementally: this loop runs per person.
        """
        entries = [
            counts
            for instance in self.instances.values()
            if instance.status == "ok" and instance.counts_in
            for counts in instance.gates.values()
        ]
        exits = [
            counts
            for instance in self.instances.values()
            if instance.status == "ok" and instance.counts_out
            for counts in instance.gates.values()
        ]
        rate_in = self.arrival_rate if entries else 0.0
        per_person_out = 1.0 / self.mean_stay_seconds if exits else 0.0
        current = self.current
        span = (until - self._now).total_seconds()
        elapsed = 0.0
        while True:
            # Nobody leaves an empty venue: this is what keeps current >= 0.
            rate_out = max(current, 0) * per_person_out
            total = rate_in + rate_out
            if total <= 0:
                return
            elapsed += self._rng.expovariate(total)
            if elapsed > span:
                return
            if self._rng.random() * total < rate_in:
                self._rng.choice(entries)[0] += 1
                current += 1
            else:
                self._rng.choice(exits)[1] += 1
                current -= 1

    @property
    def primary_values(self) -> int:
        """How many values the hub reports per se: statuses and gate counters.

        Each instance's status and each gate's ``in`` and ``out``; ``current``
        and the hub's ``status`` derive from them.
        """
        return sum(1 + 2 * len(instance.gates) for instance in self.instances.values())

    def values_per_change(self, share: float) -> int:
        """How many primary values :meth:`change_values` changes for ``share``."""
        if not 0 <= share <= 1:
            msg = f"share must be a number from 0 to 1, not {share!r}"
            raise InvalidRequestError(msg)
        return max(1, round(self.primary_values * share)) if share else 0

    def change_values(self, share: float) -> int:
        """Change ``share`` of the primary values now (at least one); return how many.

        The values are drawn, each once, from the seeded generator: a chosen
        counter gains one crossing, a chosen status turns from ``ok`` to
        ``not-capturing`` and from anything else to ``ok``. Time does not
        move. ``current`` follows the counters, so exits can take it below
        zero: set an occupancy first where that matters. For benchmarks, which
        need the same amount of change on every poll, whatever the clock says.
        """
        count = self.values_per_change(share)
        slots: list[Instance | tuple[list[int], int]] = []
        for instance in self.instances.values():
            slots.append(instance)
            slots.extend(
                (counts, side) for counts in instance.gates.values() for side in (0, 1)
            )
        for slot in self._rng.sample(slots, count):
            if isinstance(slot, Instance):
                status = "not-capturing" if slot.status == "ok" else "ok"
                self.set_status(slot.boxid, slot.number, status)
            else:
                counts, side = slot
                counts[side] += 1
        return count

    @property
    def churn(self) -> float:
        """The share of primary values changed before each GET of the instances.

        The server calls :meth:`change_values` with it before answering
        ``GET /api/v1/instances``: a busy hub whose every answer differs.
        ``0`` (the default) changes nothing.
        """
        return self._churn

    @churn.setter
    def churn(self, share: float) -> None:
        self.values_per_change(share)  # checks the share
        self._churn = share

    # --- instances ----------------------------------------------------------

    def add_instance(
        self,
        *,
        boxid: int | None = None,
        number: int = 0,
        name: str | None = None,
        host: str | None = None,
        gate_type: str = "both",
        gates: int | None = None,
        status: str | None = None,
    ) -> InstanceKey:
        """Add an instance and return its ``(boxid, number)``.

        By default: a fresh 5-digit BoxID, name ``Box #<boxid>``, a 192.168.1.x
        host, ``gates_per_instance`` gates numbered from 1, and status
        ``unstable`` (``ok`` after ``unstable_seconds``), or ``no-gates`` when
        it has no gate. Raises ``ValueError`` for bad values or a duplicate key.
        """
        if boxid is None:
            boxid = self._new_boxid()
        boxid = _checked_int(boxid, "boxid")
        number = _checked_int(number, "number")
        if (boxid, number) in self.instances:
            msg = f"instance ({boxid}, {number}) already exists"
            raise InvalidRequestError(msg)
        gate_count = _checked_int(
            self.gates_per_instance if gates is None else gates, "gates"
        )
        if status is None:
            if gate_count == 0:
                status = "no-gates"
            else:
                status = "unstable" if self.unstable_seconds > 0 else "ok"
        checked_status = _checked_status(status)
        if name is None:
            name = f"Box #{boxid}"
        if host is None:
            host = f"192.168.1.{100 + len(self.instances) % 150}"  # stays < 255
        instance = Instance(
            boxid=boxid,
            number=number,
            name=_checked_str(name, "name"),
            host=_checked_str(host, "host"),
            gate_type=_checked_gate_type(gate_type),
            gates={gate_id: [0, 0] for gate_id in range(1, gate_count + 1)},
            status=checked_status,
        )
        self._schedule_stability(instance)
        self.instances[instance.key] = instance
        return instance.key

    def remove_instance(self, boxid: int, number: int) -> None:
        """Remove an instance (``KeyError`` if unknown); its counts leave current."""
        del self.instances[self.instance(boxid, number).key]

    def set_status(self, boxid: int, number: int, status: str) -> None:
        """Force an instance's status; ``unstable`` heals after unstable_seconds.

        Raises ``KeyError`` for an unknown instance, ``ValueError`` for a status
        the API does not document.
        """
        instance = self.instance(boxid, number)
        instance.status = _checked_status(status)
        self._schedule_stability(instance)

    def _schedule_stability(self, instance: Instance) -> None:
        instance.unstable_until = (
            self._now + timedelta(seconds=self.unstable_seconds)
            if instance.status == "unstable"
            else None
        )

    def _new_boxid(self) -> int:
        used = {boxid for boxid, _ in self.instances}
        while (boxid := self._id_rng.randrange(10000, 100000)) in used:
            pass
        return boxid

    # --- faults -------------------------------------------------------------

    def inject(
        self,
        fault: Fault,
        count: int = 1,
        *,
        delay: float | None = DEFAULT_DELAY,
        status: int = 200,
        size: int = DEFAULT_HUGE_SIZE,
        path: str | None = None,
    ) -> None:
        """Apply ``fault`` to the next ``count`` hub requests (to ``path`` if set).

        Queued faults are used in the order they were injected, before any
        :meth:`fail_always` fault. Requests under ``/_sim/`` are never faulted.
        """
        if count < 1:
            msg = "count must be at least 1"
            raise InvalidRequestError(msg)
        spec = _fault_spec(fault, delay=delay, status=status, size=size, path=path)
        self._faults.queue.append(_QueuedFault(spec, count))

    def fail_always(
        self,
        fault: Fault | None,
        *,
        delay: float | None = DEFAULT_DELAY,
        status: int = 200,
        size: int = DEFAULT_HUGE_SIZE,
        path: str | None = None,
    ) -> None:
        """Apply ``fault`` to every hub request from now on; ``None`` stops it."""
        self._faults.always = (
            None
            if fault is None
            else _fault_spec(fault, delay=delay, status=status, size=size, path=path)
        )

    def clear_faults(self) -> None:
        """Forget queued faults and the :meth:`fail_always` fault."""
        self._faults = _Faults()

    def take_fault(self, path: str) -> FaultSpec | None:
        """Return the fault due for a request to ``path``, using up one count."""
        for queued in self._faults.queue:
            if queued.spec.path in (None, path):
                queued.remaining -= 1
                if queued.remaining == 0:
                    self._faults.queue.remove(queued)
                return queued.spec
        always = self._faults.always
        if always is not None and always.path in (None, path):
            return always
        return None

    # --- bookkeeping --------------------------------------------------------

    def record_request(
        self, method: str, path: str, body: bytes, fault: Fault | None
    ) -> None:
        """Remember a received hub request, for tests to assert on."""
        self.requests[(method, path)] += 1
        self.received.append(ReceivedRequest(method, path, body, fault))

    def last_body(self, path: str) -> Any:
        """Return the decoded body of the latest request to ``path``, or ``None``."""
        for request in reversed(self.received):
            if request.path == path:
                return request.decoded()
        return None

    @property
    def last_set_body(self) -> Any:
        """The decoded body of the latest POST /api/v1/set, or ``None``."""
        return self.last_body(PATH_SET)

    @property
    def last_set_type_body(self) -> Any:
        """The decoded body of the latest POST /api/v1/set_type, or ``None``."""
        return self.last_body(PATH_SET_TYPE)

    def debug_state(self) -> dict[str, Any]:
        """Everything a test or a demo may want to see, for GET /_sim/state."""
        return {
            "now": self._now.isoformat(),
            "correction": self.correction,
            "model": self.snapshot(),
            "fixed_payload": self._fixed_payload,
            "faults": [
                {**queued.spec.as_json(), "remaining": queued.remaining}
                for queued in self._faults.queue
            ],
            "fail_always": (
                None if self._faults.always is None else self._faults.always.as_json()
            ),
            "requests": [
                {"method": method, "path": path, "count": count}
                for (method, path), count in self.requests.items()
            ],
            "last_set_body": self.last_set_body,
            "last_set_type_body": self.last_set_type_body,
        }


def _reset_time_json(reset_time: tuple[int, int] | None) -> dict[str, int] | None:
    if reset_time is None:
        return None
    return {"hour": reset_time[0], "minute": reset_time[1]}


def _checked_int(value: Any, what: str) -> int:
    # bool is an int subclass, but True is not a count.
    if type(value) is not int or not 0 <= value <= MAX_INT:
        msg = f"{what} must be an integer from 0 to {MAX_INT}, not {value!r}"
        raise InvalidRequestError(msg)
    return value


def _checked_str(value: object, what: str) -> str:
    if not isinstance(value, str):
        msg = f"{what} must be a string, not {value!r}"
        raise InvalidRequestError(msg)
    return value


def _checked_reset_time(value: Any) -> tuple[int, int] | None:
    if value is None:
        return None
    if not isinstance(value, dict) or set(value) != {"hour", "minute"}:
        msg = 'reset_time must be null or {"hour": H, "minute": M}'
        raise InvalidRequestError(msg)
    hour, minute = value["hour"], value["minute"]
    if type(hour) is not int or not 0 <= hour <= 23:
        msg = f"reset_time hour must be an integer from 0 to 23, not {hour!r}"
        raise InvalidRequestError(msg)
    if type(minute) is not int or not 0 <= minute <= 59:
        msg = f"reset_time minute must be an integer from 0 to 59, not {minute!r}"
        raise InvalidRequestError(msg)
    return (hour, minute)


def _checked_gate_type(value: Any) -> GateType:
    if not isinstance(value, str) or value not in GATE_TYPES:
        msg = f"gate_type must be one of in, out, both, not {value!r}"
        raise InvalidRequestError(msg)
    return cast("GateType", value)


def _checked_status(value: Any) -> Status:
    if not isinstance(value, str) or value not in STATUSES:
        msg = f"status must be one of {', '.join(sorted(STATUSES))}, not {value!r}"
        raise InvalidRequestError(msg)
    return cast("Status", value)


def _fault_spec(
    fault: Fault | str,
    *,
    delay: float | None,
    status: int,
    size: int,
    path: str | None,
) -> FaultSpec:
    if (delay is not None and delay < 0) or size < 0 or not 100 <= status <= 599:
        msg = "delay and size must be >= 0 and status a valid HTTP status"
        raise InvalidRequestError(msg)
    return FaultSpec(Fault(fault), delay=delay, status=status, size=size, path=path)
