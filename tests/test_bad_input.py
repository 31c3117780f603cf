"""Hostile hub answers: each ends in a clear error or a documented reading.

Every case is served over a real socket on 127.0.0.1 by a tiny server that
writes exactly the bytes of the case (status line, headers, body), so the HTTP
layer (Content-Length, chunking, compression, content type) is part of what is
tested, not mocked away. Each case runs through the client and through a loaded
config entry. docs/hub-input.md explains every reading.

The clock, the event loop's too, is frozen: a request times out only when the
test moves the clock, which it does only for the hub that never finishes. A
slow machine cannot turn a good answer into a timeout.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
import copy
from dataclasses import dataclass, field
from datetime import timedelta
import functools
import gzip
import json
import logging
import re
from typing import Any, Literal
from unittest.mock import patch

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import CONF_HOST, CONF_PORT, STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)

from custom_components.vidigates.api import MAX_RESPONSE_BYTES, VidiGatesClient
from custom_components.vidigates.const import DOMAIN
from custom_components.vidigates.exceptions import (
    VidiGatesError,
    VidiGatesHTTPError,
    VidiGatesInvalidResponseError,
    VidiGatesTimeoutError,
)
from custom_components.vidigates.models import (
    MAX_NAME_LENGTH,
    Direction,
    HubState,
    InstanceStatus,
    Tally,
    parse_hub_state,
)

from .conftest import load_fixture

HOST = "127.0.0.1"
DOMAIN_LOGGER = "custom_components.vidigates"
# Of the frozen test clock.
TIMEOUT = 0.5
SAMPLE: dict[str, Any] = load_fixture("vendor_sample.json")

# Frozen before the hub and Home Assistant start. The timeout stops only a
# hung test; it decides nothing.
pytestmark = [pytest.mark.usefixtures("freezer"), pytest.mark.timeout(300)]


# --- the hostile server -------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    """One HTTP answer, written byte for byte."""

    body: bytes | Callable[[], bytes] = b""
    status: str = "200 OK"
    content_type: str | None = "application/json"
    framing: Literal["length", "close", "chunked"] = "length"
    """How the body's end is marked: Content-Length, closing, or chunks."""
    headers: tuple[str, ...] = ()
    declared_length: int | None = None
    """A Content-Length that lies about the body."""
    raw: bytes | None = None
    """The whole answer verbatim, when it is not HTTP at all."""
    dribble: float = 0.0
    """Seconds (of the loop's clock) between the body's bytes: a hub that
    never finishes. See :func:`_finish`."""

    def head_and_body(self) -> tuple[bytes, bytes]:
        """Return the status line and headers, and the body as framed."""
        body = self.body() if callable(self.body) else self.body
        lines = [f"HTTP/1.1 {self.status}", "Connection: close"]
        if self.content_type is not None:
            lines.append(f"Content-Type: {self.content_type}")
        lines.extend(self.headers)
        if self.framing == "length":
            length = len(body) if self.declared_length is None else self.declared_length
            lines.append(f"Content-Length: {length}")
        elif self.framing == "chunked":
            lines.append("Transfer-Encoding: chunked")
            step = 65536
            body = (
                b"".join(
                    b"%x\r\n%s\r\n" % (len(body[i : i + step]), body[i : i + step])
                    for i in range(0, len(body), step)
                )
                + b"0\r\n\r\n"
            )
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        return head, body


class RawHub:
    """Answers every request on 127.0.0.1 with the bytes of ``answer``."""

    def __init__(self) -> None:
        """Start with the vendor's sample."""
        self._answer = Answer(body=_json(SAMPLE))
        self._rendered = self._answer.head_and_body()
        self.port = 0
        self.requests = 0
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._sent = asyncio.Event()

    @property
    def answer(self) -> Answer:
        """What every request gets."""
        return self._answer

    @answer.setter
    def answer(self, answer: Answer) -> None:
        # Rendered now, so that a slow body (the gzip bomb) costs no request time.
        self._answer = answer
        self._rendered = answer.head_and_body()

    async def sent(self) -> None:
        """Return once a dribbled byte was sent since the last call."""
        await self._sent.wait()
        self._sent.clear()

    async def start(self) -> None:
        """Listen on a free port."""
        self._server = await asyncio.start_server(self._serve, HOST, 0)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        """Stop listening and end every connection still open (dribbling ones)."""
        assert self._server is not None
        self._server.close()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self._server.wait_closed()

    async def _serve(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        answer = self.answer
        head, body = self._rendered
        try:
            await reader.readuntil(b"\r\n\r\n")
            self.requests += 1
            if answer.raw is not None:
                writer.write(answer.raw)
            else:
                writer.write(head)
                if answer.dribble:
                    for index in range(len(body)):
                        writer.write(body[index : index + 1])
                        await writer.drain()
                        self._sent.set()
                        await asyncio.sleep(answer.dribble)
                else:
                    writer.write(body)
            await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.CancelledError):
            pass
        finally:
            writer.transport.abort()
            self._tasks.discard(task)


async def _finish[T](
    raw_hub: RawHub, freezer: FrozenDateTimeFactory, work: Awaitable[T]
) -> T:
    """Await ``work``, moving the test clock on while the hub dribbles.

    Nothing else moves the clock. The hub sends a byte each time it moves by
    the dribble (a little more: at the loop clock's size, a tick of exactly
    the dribble can round to just before the hub's timer), so bytes keep
    coming, and the client gives up only once the clock passes its request
    timeout: it times the whole request, not each read.
    """
    task = asyncio.ensure_future(work)
    while not task.done() and raw_hub.answer.dribble:
        sent = asyncio.ensure_future(raw_hub.sent())
        await asyncio.wait({task, sent}, return_when=asyncio.FIRST_COMPLETED)
        sent.cancel()
        if not task.done():
            freezer.tick(raw_hub.answer.dribble * 1.5)
    return await task


@pytest.fixture
async def raw_hub(socket_enabled: None) -> AsyncIterator[RawHub]:
    """A hostile hub on 127.0.0.1."""
    hub = RawHub()
    await hub.start()
    yield hub
    await hub.stop()


# --- the table ----------------------------------------------------------------


def _json(value: Any) -> bytes:
    return json.dumps(value).encode()


def _sample(**changes: Any) -> dict[str, Any]:
    """The vendor's sample with top-level keys replaced (None: removed)."""
    doc = copy.deepcopy(SAMPLE)
    for key, value in changes.items():
        if value is None:
            del doc[key]
        else:
            doc[key] = value
    return doc


def _with_instance(index: int, **changes: Any) -> dict[str, Any]:
    """The sample with one instance's keys replaced (None: removed)."""
    doc = copy.deepcopy(SAMPLE)
    for key, value in changes.items():
        if value is None:
            del doc["instances"][index][key]
        else:
            doc["instances"][index][key] = value
    return doc


def _with_gate(**changes: Any) -> dict[str, Any]:
    """The sample with the first gate of instance 52190/0 changed."""
    doc = copy.deepcopy(SAMPLE)
    gate = doc["instances"][1]["gates"][0]
    for key, value in changes.items():
        if value is None:
            del gate[key]
        else:
            gate[key] = value
    return doc


def _sample_text(replace: str, by: str) -> bytes:
    """The sample's text with one piece replaced: for what json.dumps cannot write."""
    text = json.dumps(SAMPLE)
    assert replace in text
    return text.replace(replace, by, 1).encode()


def _padded(size: int) -> bytes:
    """A valid sample padded with an unknown field to exactly ``size`` bytes."""
    base = _json(_sample(padding=""))
    return _json(_sample(padding="x" * (size - len(base))))


@functools.cache
def _gzip_bomb() -> bytes:
    """16 MiB of valid, padded JSON in about 16 KiB of gzip."""
    return gzip.compress(_padded(16 * 1024 * 1024), compresslevel=9)


@dataclass(frozen=True)
class Rejected:
    """The client raises ``error``, whose message matches ``match``."""

    match: str
    error: type[VidiGatesError] = VidiGatesInvalidResponseError


@dataclass(frozen=True)
class Read:
    """The answer is read, with these values (the sample's unless said)."""

    current: int = 40
    threshold: int = 50
    entries: int = 40
    exits: int = 0
    instances: int = 2
    check: Callable[[HubState], object] | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Case:
    """One hostile answer and what must come of it."""

    id: str
    answer: Answer
    outcome: Rejected | Read


def _json_answer(doc: Any, **kwargs: Any) -> Answer:
    return Answer(body=_json(doc), **kwargs)


DUPLICATE_INSTANCE = copy.deepcopy(SAMPLE)
DUPLICATE_INSTANCE["instances"].append(copy.deepcopy(SAMPLE["instances"][1]))
DUPLICATE_GATE = _with_instance(
    1, gates=[{"id": 1, "in": 10, "out": 30}, {"id": 1, "in": 30, "out": 20}]
)
SAME_BOX_TWO_NUMBERS = copy.deepcopy(SAMPLE)
SAME_BOX_TWO_NUMBERS["instances"].append(
    {**copy.deepcopy(SAMPLE["instances"][1]), "number": 1}
)
EXTRA_FIELDS = copy.deepcopy(SAMPLE)
EXTRA_FIELDS["firmware"] = {"version": "9.9", "flags": [1, 2, {"x": None}]}
EXTRA_FIELDS["instances"][1]["temperature"] = 41.5
EXTRA_FIELDS["instances"][1]["gates"][0]["confidence"] = "high"
LONG_NAME = "N" * 100_000

CASES: tuple[Case, ...] = (
    # Wrong types.
    Case(
        "current_as_text",
        _json_answer(_sample(current="40")),
        Rejected(r"^current is text, not a whole number$"),
    ),
    Case(
        "current_as_decimal",
        _json_answer(_sample(current=40.5)),
        Rejected(r"^current is a decimal number, not a whole number$"),
    ),
    Case(
        # 40.0 is 40 to JavaScript, but a hub that writes it is not the
        # documented one: refused like any other decimal.
        "current_as_whole_decimal",
        Answer(body=_sample_text('"current": 40', '"current": 40.0')),
        Rejected(r"^current is a decimal number"),
    ),
    Case(
        "current_as_exponent",
        Answer(body=_sample_text('"current": 40', '"current": 4e1')),
        Rejected(r"^current is a decimal number"),
    ),
    Case(
        "current_as_boolean",
        _json_answer(_sample(current=True)),
        Rejected(r"^current is a boolean, not a whole number$"),
    ),
    Case(
        "threshold_null",
        Answer(body=_sample_text('"threshold": 50', '"threshold": null')),
        Rejected(r"^threshold is null, not a whole number$"),
    ),
    Case(
        "threshold_as_object",
        _json_answer(_sample(threshold={"value": 50})),
        Rejected(r"^threshold is an object, not a whole number$"),
    ),
    Case(
        # People who leave after the daily reset take the hub below 0: read
        # as the hub says, with no remaining capacity lost.
        "current_negative",
        _json_answer(_sample(current=-3)),
        Read(current=-3, check=lambda state: state.remaining_capacity == 53),
    ),
    Case(
        "current_huge",
        _json_answer(_sample(current=10**12)),
        Rejected(r"^current is 1000000000000, outside -1000000000\.\.1000000000$"),
    ),
    Case(
        # Past 64 bits the JSON parser reads a float: refused as a decimal.
        "current_beyond_64_bits",
        _json_answer(_sample(current=2**64)),
        Rejected(r"^current is a decimal number"),
    ),
    Case(
        "gate_in_negative",
        _json_answer(_with_gate(**{"in": -5})),
        Rejected(r"^instance 52190/0 gate #0\.in is -5, outside"),
    ),
    Case(
        "gate_out_as_text",
        _json_answer(_with_gate(out="30")),
        Rejected(r"^instance 52190/0 gate #0\.out is text, not a whole number$"),
    ),
    Case(
        "gate_id_decimal",
        _json_answer(_with_gate(id=1.5)),
        Rejected(r"^instance 52190/0 gate #0\.id is a decimal number"),
    ),
    Case(
        "gate_id_boolean",
        _json_answer(_with_gate(id=True)),
        Rejected(r"^instance 52190/0 gate #0\.id is a boolean"),
    ),
    Case(
        "boxid_as_text",
        _json_answer(_with_instance(1, boxid="52190")),
        Rejected(r"^instance #1\.boxid is text"),
    ),
    Case(
        "boxid_negative",
        _json_answer(_with_instance(1, boxid=-52190)),
        Rejected(r"^instance #1\.boxid is -52190, not a whole number of 0 or more$"),
    ),
    Case(
        "number_boolean",
        _json_answer(_with_instance(1, number=False)),
        Rejected(r"^instance 52190\.number is a boolean"),
    ),
    Case(
        "name_as_list",
        _json_answer(_with_instance(1, name=["Box"])),
        Rejected(r"^instance 52190/0\.name is a list, not text$"),
    ),
    Case(
        "gate_type_unknown",
        _json_answer(_with_instance(1, gate_type="sideways")),
        Rejected(r"^instance 52190/0\.gate_type is 'sideways', not in/out/both$"),
    ),
    Case(
        "gate_type_as_number",
        _json_answer(_with_instance(1, gate_type=1)),
        Rejected(r"^instance 52190/0\.gate_type is 1, not in/out/both$"),
    ),
    Case(
        "instance_status_as_number",
        _json_answer(_with_instance(1, status=0)),
        Rejected(r"^instance 52190/0\.status is 0, not text$"),
    ),
    Case(
        "hub_status_unknown",
        _json_answer(_sample(status="full")),
        Rejected(r"^status is text, not 'ok' or 'ko'$"),
    ),
    Case(
        "reset_time_as_text",
        _json_answer(_sample(reset_time="23:00")),
        Rejected(r"^reset_time is text, not an object$"),
    ),
    Case(
        "reset_time_hour_24",
        _json_answer(_sample(reset_time={"hour": 24, "minute": 0})),
        Rejected(r"^reset_time\.hour is 24, not an hour \(0-23\)$"),
    ),
    Case(
        "reset_time_without_minute",
        _json_answer(_sample(reset_time={"hour": 23})),
        Rejected(r"^reset_time has no 'minute'$"),
    ),
    # Duplicates.
    Case(
        "duplicate_instance",
        _json_answer(DUPLICATE_INSTANCE),
        Rejected(r"^instance 52190/0 is listed twice$"),
    ),
    Case(
        "duplicate_gate",
        _json_answer(DUPLICATE_GATE),
        Rejected(r"^instance 52190/0 lists gate 1 twice$"),
    ),
    Case(
        # boxid and number identify an instance: a second number is a second
        # instance, not a duplicate.
        "same_box_two_numbers",
        _json_answer(SAME_BOX_TWO_NUMBERS),
        Read(entries=80, instances=3),
    ),
    Case(
        # JSON leaves duplicate keys undefined; like every common parser, the
        # last one wins.
        "duplicate_key_last_wins",
        Answer(body=_sample_text('"current": 40', '"current": 39, "current": 41')),
        Read(current=41),
    ),
    # Shape.
    Case(
        "top_level_null",
        Answer(body=b"null"),
        Rejected(r"^the answer is null, not an object$"),
    ),
    Case(
        "top_level_list",
        _json_answer([SAMPLE]),
        Rejected(r"^the answer is a list, not an object$"),
    ),
    Case(
        "top_level_text",
        _json_answer("ok"),
        Rejected(r"^the answer is text, not an object$"),
    ),
    Case(
        "instances_as_object",
        _json_answer(_sample(instances={"52190": SAMPLE["instances"][1]})),
        Rejected(r"^instances is an object, not a list$"),
    ),
    Case(
        "instance_as_text",
        _json_answer(_sample(instances=["Box #52190"])),
        Rejected(r"^instance #0 is text, not an object$"),
    ),
    Case(
        "gates_as_text",
        _json_answer(_with_instance(1, gates="1,2")),
        Rejected(r"^instance 52190/0\.gates is text, not a list$"),
    ),
    # Missing and extra fields.
    Case(
        "missing_current",
        _json_answer(_sample(current=None)),
        Rejected(r"^the answer has no 'current'$"),
    ),
    Case(
        "missing_instances",
        _json_answer(_sample(instances=None)),
        Rejected(r"^the answer has no 'instances'$"),
    ),
    Case(
        "missing_boxid",
        _json_answer(_with_instance(1, boxid=None)),
        Rejected(r"^instance #1 has no 'boxid'$"),
    ),
    Case(
        "missing_gate_out",
        _json_answer(_with_gate(out=None)),
        Rejected(r"^instance 52190/0 gate #0 has no 'out'$"),
    ),
    Case(
        # No daily reset is what a missing reset_time can only mean.
        "missing_reset_time",
        _json_answer(_sample(reset_time=None)),
        Read(check=lambda state: state.reset_time is None),
    ),
    Case(
        # Without its status the limit is where the numbers say it is.
        "missing_hub_status",
        _json_answer(_sample(status=None, current=50)),
        Read(current=50, check=lambda state: state.limit_reached),
    ),
    Case(
        "missing_optional_instance_fields",
        _json_answer(
            _sample(instances=[{"boxid": 1, "gates": [{"id": 1, "in": 3, "out": 1}]}])
        ),
        Read(
            entries=3,
            exits=1,
            instances=1,
            check=lambda state: state.instances[(1, 0)].name == "Box #1",
        ),
    ),
    Case(
        "extra_fields_everywhere",
        _json_answer(EXTRA_FIELDS),
        Read(),
    ),
    Case(
        "unknown_instance_status",
        _json_answer(_with_instance(1, status="rebooting")),
        Read(
            check=lambda state: (
                state.instances[(52190, 0)].status is InstanceStatus.UNKNOWN
            )
        ),
    ),
    Case(
        # The hub's own total is shown as it is: /set corrections make it
        # legitimately differ from the gates' sums.
        "current_disagrees_with_gates",
        _json_answer(_sample(current=7)),
        Read(current=7),
    ),
    # Not JSON, or not the JSON a hub writes.
    Case(
        "empty_body",
        Answer(body=b""),
        Rejected(r"answered with an empty body$"),
    ),
    Case(
        "whitespace_body",
        Answer(body=b" \r\n\t "),
        Rejected(r"answered with an empty body$"),
    ),
    Case(
        "no_content_204",
        Answer(status="204 No Content", framing="close", content_type=None),
        Rejected(r"answered with an empty body$"),
    ),
    Case(
        "nan_token",
        Answer(body=_sample_text('"current": 40', '"current": NaN')),
        Rejected(r"answered with something that is not JSON \(application/json\)$"),
    ),
    Case(
        "infinity_token",
        Answer(body=_sample_text('"threshold": 50', '"threshold": -Infinity')),
        Rejected(r"answered with something that is not JSON"),
    ),
    Case(
        "invalid_utf8",
        Answer(body=_sample_text("Box #52190", "Bo\xff #52190").replace(b"\xc3", b"")),
        Rejected(r"answered with something that is not JSON"),
    ),
    Case(
        # JSON is UTF-8 (RFC 8259); a declared charset does not change that.
        "latin1_declared_charset",
        Answer(
            body=_sample_text("Box #52190", "Caf\xe9").replace(b"\xc3\xa9", b"\xe9"),
            content_type="application/json; charset=iso-8859-1",
        ),
        Rejected(r"answered with something that is not JSON"),
    ),
    Case(
        # The label is ignored (RFC 8259 defines none): ASCII reads the same.
        "ascii_declared_latin1",
        _json_answer(SAMPLE, content_type="application/json; charset=iso-8859-1"),
        Read(),
    ),
    Case(
        "lone_surrogate_escape",
        Answer(body=_sample_text('"Box #52190"', r'"Box \ud800"')),
        Rejected(r"answered with something that is not JSON"),
    ),
    Case(
        # RFC 8259 lets a parser ignore a byte order mark; Windows tools write one.
        "utf8_byte_order_mark",
        Answer(body=b"\xef\xbb\xbf" + _json(SAMPLE)),
        Read(),
    ),
    Case(
        "byte_order_mark_only",
        Answer(body=b"\xef\xbb\xbf"),
        Rejected(r"answered with an empty body$"),
    ),
    Case(
        "trailing_garbage",
        Answer(body=_json(SAMPLE) + b" ok"),
        Rejected(r"answered with something that is not JSON"),
    ),
    Case(
        "two_documents",
        Answer(body=_json(SAMPLE) + b"\n" + _json(SAMPLE)),
        Rejected(r"answered with something that is not JSON"),
    ),
    Case(
        "deeply_nested_100k",
        Answer(body=b"[" * 100_000 + b"]" * 100_000),
        Rejected(r"answered with something that is not JSON"),
    ),
    Case(
        "deeply_nested_in_a_field",
        Answer(
            body=_sample_text(
                '"current": 40', '"x": ' + "{" * 5000 + "}" * 5000 + ', "current": 40'
            )
        ),
        Rejected(r"answered with something that is not JSON"),
    ),
    Case(
        # Nested deep, but within the parser's limit, in a field we ignore.
        "nested_500_in_an_extra_field",
        Answer(
            body=_sample_text(
                '"current": 40', '"x": ' + "[" * 500 + "]" * 500 + ', "current": 40'
            )
        ),
        Read(),
    ),
    # Content types: the body is parsed whatever the header claims.
    Case(
        "json_as_text_html",
        _json_answer(SAMPLE, content_type="text/html"),
        Read(),
    ),
    Case(
        "json_as_text_plain",
        _json_answer(SAMPLE, content_type="text/plain; charset=utf-8"),
        Read(),
    ),
    Case(
        "json_without_content_type",
        _json_answer(SAMPLE, content_type=None),
        Read(),
    ),
    Case(
        "html_as_json",
        Answer(body=b"<!DOCTYPE html><html><body>Starting</body></html>"),
        Rejected(r"answered with an HTML page, not JSON$"),
    ),
    Case(
        "long_content_type_not_json",
        Answer(body=b"hello", content_type="text/" + "x" * 5000),
        Rejected(r"answered with something that is not JSON \(text/x+\.\.\.\)$"),
    ),
    Case(
        "html_page",
        Answer(body=b"<html><body>Login</body></html>", content_type="text/html"),
        Rejected(r"answered with an HTML page, not JSON$"),
    ),
    # Size.
    Case(
        "exactly_the_size_limit",
        Answer(body=_padded(MAX_RESPONSE_BYTES)),
        Read(),
    ),
    Case(
        "huge_with_content_length",
        Answer(body=_padded(MAX_RESPONSE_BYTES + 1)),
        Rejected(r"^the answer is 1048577 bytes, more than a hub ever sends$"),
    ),
    Case(
        "huge_chunked",
        Answer(body=_padded(3 * MAX_RESPONSE_BYTES), framing="chunked"),
        Rejected(r"^the answer is over 1048576 bytes, more than a hub sends$"),
    ),
    Case(
        "huge_until_close",
        Answer(body=_padded(3 * MAX_RESPONSE_BYTES), framing="close"),
        Rejected(r"^the answer is over 1048576 bytes, more than a hub sends$"),
    ),
    Case(
        # The limit counts what the body becomes, not what crossed the wire.
        "gzip_bomb",
        Answer(body=_gzip_bomb, headers=("Content-Encoding: gzip",)),
        Rejected(r"^the answer is over 1048576 bytes, more than a hub sends$"),
    ),
    Case(
        "gzip_valid",
        Answer(body=gzip.compress(_json(SAMPLE)), headers=("Content-Encoding: gzip",)),
        Read(),
    ),
    Case(
        "gzip_corrupt",
        Answer(body=b"\x1f\x8b not gzip", headers=("Content-Encoding: gzip",)),
        Rejected(r"sent a broken HTTP answer"),
    ),
    Case(
        # Each instance becomes a device with entities: a hostile megabyte of
        # them would keep Home Assistant busy for minutes.
        "too_many_instances",
        _json_answer(_sample(instances=[{"boxid": i} for i in range(501)])),
        Rejected(r"^the answer lists 501 instances, over 500$"),
    ),
    Case(
        "too_many_gates",
        _json_answer(
            _sample(
                instances=[
                    {
                        "boxid": box,
                        "gates": [{"id": i, "in": 0, "out": 0} for i in range(1001)],
                    }
                    for box in (1, 2)
                ]
            )
        ),
        Rejected(r"^the answer lists 2002 gates, over 2000$"),
    ),
    Case(
        "the_most_instances_and_gates",
        _json_answer(
            _sample(
                instances=[
                    {
                        "boxid": box,
                        "gates": [{"id": i, "in": 1, "out": 0} for i in range(4)],
                    }
                    for box in range(500)
                ]
            )
        ),
        Read(entries=2000, instances=500),
    ),
    Case(
        "long_name",
        _json_answer(_with_instance(1, name=LONG_NAME)),
        # Cut to fit a device name.
        Read(
            check=lambda state: (
                state.instances[(52190, 0)].name == LONG_NAME[:MAX_NAME_LENGTH]
            )
        ),
    ),
    # HTTP itself.
    Case(
        "http_500_with_valid_json",
        _json_answer(SAMPLE, status="500 Internal Server Error"),
        Rejected(r"answered HTTP 500$", VidiGatesHTTPError),
    ),
    Case(
        "redirect_not_followed",
        Answer(
            status="302 Found",
            headers=("Location: http://192.0.2.99/api/v1/instances",),
        ),
        Rejected(r"answered HTTP 302$", VidiGatesHTTPError),
    ),
    Case(
        # More bytes than declared, then the close: the HTTP layer refuses,
        # and its message (which quotes them all) is cut to one short line.
        "content_length_too_short",
        Answer(body=_padded(200_000), declared_length=40),
        Rejected(r"sent a broken HTTP answer: Data after `Connection: close`:$"),
    ),
    Case(
        # Past Home Assistant's session limit (64 KiB), whatever that is.
        "header_too_long",
        Answer(body=_json(SAMPLE), headers=("X-Padding: " + "x" * 200_000,)),
        Rejected(
            # aiohttp before Home Assistant 2026.6 adds "(<bytes read>)".
            r"sent a broken HTTP answer: "
            r"Got more than \d+ bytes (\(\d+\) )?when reading.{0,100}$"
        ),
    ),
    Case(
        "content_length_too_long",
        Answer(body=_json(SAMPLE), declared_length=100_000),
        Rejected(r"sent a broken HTTP answer"),
    ),
    Case(
        "bad_chunk_size",
        Answer(
            raw=b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n"
        ),
        Rejected(r"sent a broken HTTP answer"),
    ),
    Case(
        "not_http",
        Answer(raw=b"SSH-2.0-OpenSSH_9.6\r\n"),
        Rejected(r"sent a broken HTTP answer"),
    ),
    Case(
        "never_finishes",
        Answer(body=_json(SAMPLE), dribble=0.05),
        Rejected(r"did not answer within 0\.5 s$", VidiGatesTimeoutError),
    ),
)


def _ids() -> list[str]:
    return [case.id for case in CASES]


def test_table_is_large_and_unique() -> None:
    """The issue asks for at least 30 hostile answers; ids must not collide."""
    assert len(CASES) >= 30
    assert len(set(_ids())) == len(CASES)


# --- through the client ----------------------------------------------------------


@pytest.mark.parametrize("case", CASES, ids=_ids())
async def test_client(
    hass: HomeAssistant, raw_hub: RawHub, freezer: FrozenDateTimeFactory, case: Case
) -> None:
    """The client ends every case in its own error or the documented reading."""
    raw_hub.answer = case.answer
    client = VidiGatesClient(
        HOST,
        raw_hub.port,
        session=async_get_clientsession(hass),
        request_timeout=TIMEOUT,
    )
    if isinstance(case.outcome, Rejected):
        with pytest.raises(VidiGatesError, match=case.outcome.match) as caught:
            await _finish(raw_hub, freezer, client.instances())
        assert type(caught.value) is case.outcome.error
        assert len(str(caught.value)) < 300
    else:
        state = await _finish(raw_hub, freezer, client.instances())
        _assert_read(state, case.outcome)


def _assert_read(state: HubState, expected: Read) -> None:
    assert (state.current, state.threshold, state.entries, state.exits) == (
        expected.current,
        expected.threshold,
        expected.entries,
        expected.exits,
    )
    assert len(state.instances) == expected.instances
    if expected.check is not None:
        assert expected.check(state)


# --- through a loaded config entry ---------------------------------------------


async def _poll(
    hass: HomeAssistant, raw_hub: RawHub, freezer: FrozenDateTimeFactory
) -> None:
    """Let the coordinator poll once."""
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=10))
    await _finish(
        raw_hub, freezer, hass.async_block_till_done(wait_background_tasks=True)
    )


@pytest.fixture
async def loaded_entry(hass: HomeAssistant, raw_hub: RawHub) -> MockConfigEntry:
    """A config entry for the hostile hub, loaded while it still answered well."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        title=f"VidiAccess hub {HOST}",
        data={CONF_HOST: HOST, CONF_PORT: raw_hub.port},
    )
    entry.add_to_hass(hass)
    with patch("custom_components.vidigates.REQUEST_TIMEOUT", TIMEOUT):
        assert await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED
    return entry


def _state(hass: HomeAssistant, unique_id: str) -> str:
    entity_id = er.async_get(hass).async_get_entity_id("sensor", DOMAIN, unique_id)
    assert entity_id is not None
    state = hass.states.get(entity_id)
    assert state is not None
    return state.state


def _entity_states(hass: HomeAssistant, entry: MockConfigEntry) -> dict[str, str]:
    registry = er.async_get(hass)
    states = {}
    for reg in er.async_entries_for_config_entry(registry, entry.entry_id):
        if reg.disabled:
            continue
        state = hass.states.get(reg.entity_id)
        assert state is not None
        states[reg.entity_id] = state.state
    return states


def _problems(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    """Errors from anywhere, warnings from the integration.

    Other warnings (asyncio's slow-step notes under debug mode, Home
    Assistant's deprecation notes) say nothing about how a bad answer is read.
    """
    return [
        record
        for record in caplog.records
        if record.levelno >= logging.ERROR
        or (record.levelno >= logging.WARNING and record.name.startswith(DOMAIN_LOGGER))
    ]


@pytest.mark.parametrize("case", CASES, ids=_ids())
async def test_loaded_entry(
    hass: HomeAssistant,
    raw_hub: RawHub,
    loaded_entry: MockConfigEntry,
    *,
    freezer: FrozenDateTimeFactory,
    case: Case,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A running hub that turns hostile: one log line, no crash, no wrong number."""
    entry_id = loaded_entry.entry_id
    caplog.clear()
    raw_hub.answer = case.answer
    await _poll(hass, raw_hub, freezer)

    if isinstance(case.outcome, Read):
        assert not _problems(caplog)
        assert _state(hass, f"{entry_id}-occupancy") == str(case.outcome.current)
        assert _state(hass, f"{entry_id}-threshold") == str(case.outcome.threshold)
        # The totals go on from the sample's by what its gates grew, and count
        # new gates in full (test_statistics.py): the reading's own sums are
        # checked in test_client.
        reading = await VidiGatesClient(
            HOST,
            raw_hub.port,
            session=async_get_clientsession(hass),
            request_timeout=TIMEOUT,
        ).instances()
        for direction, key in ((Direction.IN, "entries"), (Direction.OUT, "exits")):
            tally = Tally(0, 0).advance(parse_hub_state(SAMPLE)).advance(reading)
            assert _state(hass, f"{entry_id}-{key}") == str(tally.total(direction))
        return

    # Every entity goes unavailable: none keeps showing a number.
    states = _entity_states(hass, loaded_entry)
    assert states
    assert set(states.values()) == {STATE_UNAVAILABLE}
    [record] = _problems(caplog)
    assert record.name == DOMAIN_LOGGER
    assert record.levelno == logging.ERROR
    assert record.exc_info is None
    message = record.getMessage()
    assert "Unexpected" not in message
    assert len(message) < 400
    # It ends with the client's message, which says what was wrong.
    assert re.search(case.outcome.match.removeprefix("^"), message)

    # Failing again says nothing more; the first good answer brings all back.
    caplog.clear()
    await _poll(hass, raw_hub, freezer)
    assert not _problems(caplog)
    raw_hub.answer = Answer(body=_json(SAMPLE))
    await _poll(hass, raw_hub, freezer)
    assert not _problems(caplog)
    assert _state(hass, f"{entry_id}-occupancy") == "40"
    assert STATE_UNAVAILABLE not in _entity_states(hass, loaded_entry).values()
    recovered = [r for r in caplog.records if "recovered" in r.getMessage()]
    assert len(recovered) == 1


REJECTED = [case for case in CASES if isinstance(case.outcome, Rejected)]


@pytest.mark.parametrize("case", REJECTED[::4], ids=[c.id for c in REJECTED[::4]])
async def test_set_up_against_hostile_hub(
    hass: HomeAssistant, raw_hub: RawHub, freezer: FrozenDateTimeFactory, case: Case
) -> None:
    """A hub hostile from the start: the entry retries later, nothing is created."""
    raw_hub.answer = case.answer
    entry = MockConfigEntry(
        domain=DOMAIN,
        title=f"VidiAccess hub {HOST}",
        data={CONF_HOST: HOST, CONF_PORT: raw_hub.port},
    )
    entry.add_to_hass(hass)
    with patch("custom_components.vidigates.REQUEST_TIMEOUT", TIMEOUT):
        await _finish(raw_hub, freezer, hass.config_entries.async_setup(entry.entry_id))
        await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.SETUP_RETRY
    assert not er.async_entries_for_config_entry(er.async_get(hass), entry.entry_id)
