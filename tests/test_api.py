"""Tests of the hub's HTTP client against real servers on 127.0.0.1.

The clock, the event loop's too, is frozen for every test here: a request
times out only when a test moves the clock past its timeout, so a slow
machine cannot turn an answer into a timeout, and no test waits on real time.
What the parser refuses is tested in test_models.py; here, how the client
reads answers over HTTP.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
import gzip
import json
import socket
import struct
from typing import Any

from aiohttp import ClientSession, TraceConfig, TraceRequestEndParams, web
from freezegun.api import FrozenDateTimeFactory
import pytest

from custom_components.vidigates.api import (
    DEFAULT_PORT,
    DEFAULT_TIMEOUT,
    MAX_RESPONSE_BYTES,
    PATH_INSTANCES,
    PATH_SET,
    PATH_SET_TYPE,
    UNSET,
    VidiGatesClient,
    build_base_url,
)
from custom_components.vidigates.exceptions import (
    VidiGatesConnectionError,
    VidiGatesError,
    VidiGatesHTTPError,
    VidiGatesInvalidResponseError,
    VidiGatesTimeoutError,
)
from custom_components.vidigates.models import (
    MAX_COUNT,
    GateType,
    ResetTime,
    SetResult,
    parse_hub_state,
)

from .conftest import async_spin, load_fixture

type RawHandler = Callable[
    [asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]
]

JSON = "application/json"
SET_ANSWER = {"current": 12, "threshold": 50, "reset_time": {"hour": 23, "minute": 0}}
SAMPLE_JSON = json.dumps(load_fixture("vendor_sample.json")).encode()
HALF_BODY = b'HTTP/1.1 200 OK\r\nContent-Length: 500\r\n\r\n{"current": 40'
# Of the frozen test clock: it passes only when a test moves the clock.
TIMEOUT = 3.0

# Frozen before the servers and the session start. The timeout stops only a
# hung test; it decides nothing.
pytestmark = [pytest.mark.usefixtures("freezer"), pytest.mark.timeout(120)]


# A request as the fake hub saw it: method, path, content type, Accept, body.
type Received = tuple[str, str, str, str | None, bytes]
GET: Received = ("GET", PATH_INSTANCES, "application/octet-stream", JSON, b"")


@dataclass
class FakeHub:
    """An aiohttp server standing in for the hub; it records every request."""

    port: int = 0
    requests: list[Received] = field(default_factory=list)
    # Every request's answer: its body, status and headers.
    answer_with: tuple[bytes, int, dict[str, str]] = (b"", 404, {})

    def answer(self, body: Any) -> None:
        """Answer every request with this JSON body."""
        self.answer_raw(json.dumps(body).encode())

    def answer_raw(
        self,
        body: bytes,
        content_type: str | None = JSON,
        status: int = 200,
        headers: dict[str, str] | None = None,
    ) -> None:
        """Answer every request with these bytes and headers."""
        headers = dict(headers or {})
        if content_type is not None:
            headers["Content-Type"] = content_type
        self.answer_with = (body, status, headers)

    async def dispatch(self, request: web.Request) -> web.StreamResponse:
        """Record the request, then answer it."""
        accept = request.headers.get("Accept")
        body = await request.read()
        self.requests.append(
            (request.method, request.path, request.content_type, accept, body)
        )
        body, status, headers = self.answer_with
        return web.Response(body=body, status=status, headers=headers)


@pytest.fixture
def headers_read() -> asyncio.Event:
    """Set once the client has read an answer's status line and headers."""
    return asyncio.Event()


@pytest.fixture
async def session(headers_read: asyncio.Event) -> AsyncIterator[ClientSession]:
    """A real aiohttp session that reports when an answer's headers are in."""

    async def on_request_end(
        session: ClientSession, context: Any, params: TraceRequestEndParams
    ) -> None:
        headers_read.set()

    trace = TraceConfig()
    trace.on_request_end.append(on_request_end)
    async with ClientSession(trace_configs=[trace]) as client_session:
        yield client_session


@pytest.fixture
async def hub(socket_enabled: None) -> AsyncIterator[FakeHub]:
    """A fake hub listening on 127.0.0.1, on a port of its own."""
    fake = FakeHub()
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", fake.dispatch)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    fake.port = runner.addresses[0][1]
    yield fake
    await runner.cleanup()


@pytest.fixture
def client(hub: FakeHub, session: ClientSession) -> VidiGatesClient:
    """A client for the fake hub."""
    return raw_client(session, hub.port)


def raw_client(
    session: ClientSession, port: int, timeout: float = TIMEOUT
) -> VidiGatesClient:
    """A client for the hub on ``port``."""
    return VidiGatesClient("127.0.0.1", port, session=session, request_timeout=timeout)


@asynccontextmanager
async def raw_hub(handler: RawHandler) -> AsyncIterator[int]:
    """Serve raw bytes: for answers no HTTP server would send.

    `handler` runs once the request's headers are read. Handlers still
    running when the block ends (those that hang on purpose) are cancelled.
    """
    tasks: set[asyncio.Task[Any]] = set()

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if task := asyncio.current_task():
            tasks.add(task)
        try:
            await reader.readuntil(b"\r\n\r\n")
            await handler(reader, writer)
        except (ConnectionError, asyncio.IncompleteReadError):
            pass  # The client gave up first: what some tests want.
        finally:
            writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    try:
        yield server.sockets[0].getsockname()[1]
    finally:
        server.close()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        server.close_clients()
        await server.wait_closed()


def send(
    data: bytes,
    *,
    then: str = "close",
    after: asyncio.Event | None = None,
    sent: asyncio.Event | None = None,
) -> RawHandler:
    """Return a raw handler that sends `data`, then closes, resets or hangs.

    It sets `sent` once `data` is sent, and resets only once `after` is set.
    """

    async def handler(
        reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        writer.write(data)
        await writer.drain()
        if sent is not None:
            sent.set()
        if then == "hang":
            await asyncio.Event().wait()
        elif then == "reset":
            if after is not None:
                await after.wait()
            sock = writer.get_extra_info("socket")
            sock.setsockopt(
                socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
            )
            writer.transport.abort()

    return handler


def _sample_text(replace: bytes, by: bytes) -> bytes:
    """The vendor sample's JSON text with one piece replaced."""
    assert SAMPLE_JSON.count(replace) == 1
    return SAMPLE_JSON.replace(replace, by)


def _named(name: bytes) -> bytes:
    """The vendor sample, instance 52190/0 named by ``name`` (JSON text)."""
    return _sample_text(b'"Box #52190"', name)


# --- reading the hub ---------------------------------------------------------


async def test_same_answer_gives_the_previous_snapshot(
    hub: FakeHub, client: VidiGatesClient
) -> None:
    """The hub is asked every time; the bytes that made ``previous`` give it back.

    Unparsed: on an idle hub that was most of a poll (see ``scripts/bench``).
    A failed poll in between does not change what the same bytes mean.
    """
    hub.answer_raw(SAMPLE_JSON)
    first = await client.instances()
    assert first == parse_hub_state(load_fixture("vendor_sample.json"))
    assert (await client.instances(first)) is first
    hub.answer_raw(SAMPLE_JSON, status=500)
    with pytest.raises(VidiGatesHTTPError):
        await client.instances(first)
    hub.answer_raw(SAMPLE_JSON)
    assert (await client.instances(first)) is first
    assert hub.requests == [GET] * 4


async def test_other_answers_are_read(hub: FakeHub, client: VidiGatesClient) -> None:
    """Other bytes are parsed, sharing what did not change with ``previous``.

    Equal values in other bytes make a new, equal snapshot. The same bytes are
    read again for a snapshot they did not make: after a /set the coordinator
    holds one with the hub's new values, and the hub's old answer is the truth.
    """
    sample = load_fixture("vendor_sample.json")
    hub.answer(sample)
    first = await client.instances()
    sample["instances"][0]["gates"][0]["in"] = 1
    hub.answer(sample)

    second = await client.instances(first)

    assert second == parse_hub_state(sample)
    assert second.instances[52190, 0] is first.instances[52190, 0]
    assert second.instances[74117, 1] != first.instances[74117, 1]
    hub.answer_raw(json.dumps(sample, indent=2).encode())
    third = await client.instances(second)
    assert third == second
    assert third is not second
    after_set = third.replace_settings(SetResult(3, 50, None))
    assert after_set != third
    assert (await client.instances(after_set)) == third


CAFE = "Caf\u00e9 \u00e0 c\u00f4t\u00e9"
LATIN_1 = "application/json; charset=iso-8859-1"
UTF_16 = "application/json; charset=utf-16"
# JSON leaves duplicate keys undefined; like every common parser, the last wins.
DUPLICATE_KEY = _sample_text(b'"current": 40', b'"current": 39, "current": 40')
# Nested deep, but within the decoder's limit, in a field we ignore.
NESTED = _sample_text(
    b'"current":', b'"x": ' + b"[" * 500 + b"]" * 500 + b', "current":'
)


@pytest.mark.parametrize(
    ("body", "headers", "name"),
    [
        # The body is read whatever the label says: hubs mislabel it.
        pytest.param(SAMPLE_JSON, {"Content-Type": "text/html"}, None, id="html"),
        pytest.param(SAMPLE_JSON, {}, None, id="no-label"),
        pytest.param(
            gzip.compress(SAMPLE_JSON), {"Content-Encoding": "gzip"}, None, id="gzip"
        ),
        # A UTF-8 byte order mark before the JSON is allowed (RFC 8259).
        pytest.param(b"\xef\xbb\xbf" + SAMPLE_JSON, {}, None, id="byte-order-mark"),
        pytest.param(DUPLICATE_KEY, {}, None, id="duplicate-key"),
        pytest.param(NESTED, {}, None, id="nested-500"),
        # RFC 8259 requires UTF-8 between systems (8.1) and defines no charset
        # parameter (11): embedded servers label answers with their
        # framework's default, so a declared charset is ignored.
        pytest.param(
            _named(f'"{CAFE}"'.encode()), {"Content-Type": LATIN_1}, CAFE, id="latin-1"
        ),
        # One that would garble even ASCII.
        pytest.param(
            _named(b'"Back door"'), {"Content-Type": UTF_16}, "Back door", id="utf-16"
        ),
    ],
)
async def test_answer_read(
    hub: FakeHub,
    client: VidiGatesClient,
    body: bytes,
    headers: dict[str, str],
    name: str | None,
) -> None:
    """A hub's JSON is read however it is labelled or encoded for the wire."""
    hub.answer_raw(body, None, headers=headers)

    state = await client.instances()

    assert state.current == 40
    assert state.instances[52190, 0].name == (name or "Box #52190")


NOT_JSON = "{url} answered with something that is not JSON (application/json)"
HTML = "{url} answered with an HTML page, not JSON"
EMPTY = "{url} answered with an empty body"


@pytest.mark.parametrize(
    ("status", "body", "content_type", "message"),
    [
        # The label lies, the body tells.
        pytest.param(200, b"  <html>oops</html>", JSON, HTML, id="html-body"),
        pytest.param(200, b"Service starting", "text/html", HTML, id="html-label"),
        pytest.param(200, b"{}{}", JSON, NOT_JSON, id="two-docs"),
        pytest.param(200, b" \r\n\t ", JSON, EMPTY, id="blank"),
        pytest.param(200, b"\xef\xbb\xbf", JSON, EMPTY, id="byte-order-mark"),
        # A 204 carries no state.
        pytest.param(204, b"", None, EMPTY, id="no-content"),
        pytest.param(200, b"NaN", JSON, NOT_JSON, id="nan"),
        pytest.param(200, b"[" * 100_000, JSON, NOT_JSON, id="deeply-nested"),
        pytest.param(200, b'{"name": "Box \\ud800"}', JSON, NOT_JSON, id="surrogate"),
        # Another encoding, even when its charset says so: \xe9 is not UTF-8.
        pytest.param(200, _named(b'"Caf\xe9"'), LATIN_1, NOT_JSON, id="latin-1"),
        pytest.param(
            200,
            _named(b'"Box"').decode().encode("utf-16"),
            UTF_16,
            NOT_JSON,
            id="utf-16",
        ),
        # The content type is quoted, cut to a short line.
        pytest.param(
            200,
            b"Starting",
            "text/" + "x" * 5000,
            NOT_JSON.replace(JSON, f"text/{'x' * 52}..."),
            id="long",
        ),
        # Past 64 bits, a number is read as a decimal: the parser names it.
        pytest.param(
            200,
            _sample_text(b'"current": 40', b'"current": %d' % 2**64),
            JSON,
            "current is a decimal number, not a whole number",
            id="past-64-bits",
        ),
        # An error status keeps its status; even a valid state is not read.
        pytest.param(404, b"404: Not Found", "text/plain", None, id="404"),
        pytest.param(503, b'{"error": "busy"}', JSON, None, id="503"),
        pytest.param(500, SAMPLE_JSON, JSON, None, id="500-with-a-state"),
        # A hub does not redirect: a redirect is an error, not followed.
        pytest.param(307, b"", None, None, id="redirect"),
    ],
)
async def test_answer_refused(
    hub: FakeHub,
    client: VidiGatesClient,
    *,
    status: int,
    body: bytes,
    content_type: str | None,
    message: str | None,
) -> None:
    """An answer that is no hub's state is an invalid response that says why."""
    # Every answer carries a Location: none is followed.
    hub.answer_raw(body, content_type, status, headers={"Location": "/elsewhere"})

    with pytest.raises(VidiGatesInvalidResponseError) as caught:
        await client.instances()

    url = f"http://127.0.0.1:{hub.port}{PATH_INSTANCES}"
    expected = message or f"{url} answered HTTP {status}"
    assert str(caught.value) == expected.format(url=url)
    # Only an error status is an HTTP error, and it keeps its status.
    assert getattr(caught.value, "status", None) == (status if status >= 300 else None)
    assert hub.requests == [GET]


# --- writing --------------------------------------------------------------------

type Write = dict[str, Any] | tuple[Any, Any, Any]


def _write(client: VidiGatesClient, call: Write) -> Awaitable[SetResult | None]:
    """``client.set(**call)`` for a dict, ``client.set_type(*call)`` otherwise."""
    if isinstance(call, dict):
        return client.set(**call)
    return client.set_type(*call)


@pytest.mark.parametrize(
    ("call", "path", "body"),
    [
        pytest.param({"occupancy": 0}, PATH_SET, {"occupancy": 0}, id="zero"),
        pytest.param(
            {"threshold": MAX_COUNT}, PATH_SET, {"threshold": MAX_COUNT}, id="max"
        ),
        pytest.param({"reset_time": None}, PATH_SET, {"reset_time": None}, id="none"),
        pytest.param(
            {"occupancy": 3, "threshold": 50, "reset_time": ResetTime(6, 30)},
            PATH_SET,
            {"occupancy": 3, "threshold": 50, "reset_time": {"hour": 6, "minute": 30}},
            id="everything",
        ),
        pytest.param(
            {"occupancy": 3, "threshold": UNSET, "reset_time": UNSET},
            PATH_SET,
            {"occupancy": 3},
            id="explicit-unset",
        ),
        pytest.param(
            (52190, 0, GateType.BOTH),
            PATH_SET_TYPE,
            {"boxid": 52190, "number": 0, "gate_type": "both"},
            id="set-type",
        ),
        pytest.param(
            (52190, 0, "out"),
            PATH_SET_TYPE,
            {"boxid": 52190, "number": 0, "gate_type": "out"},
            id="set-type-text",
        ),
    ],
)
async def test_write_sends_exactly(
    hub: FakeHub,
    client: VidiGatesClient,
    call: Write,
    path: str,
    body: dict[str, Any],
) -> None:
    """/set receives exactly the keys given (the others stay unchanged), and
    /set_type the instance and its new gate type."""
    hub.answer(SET_ANSWER)

    result = await _write(client, call)

    set_result = SetResult(current=12, threshold=50, reset_time=ResetTime(23, 0))
    assert result == (set_result if path == PATH_SET else None)
    ((method, sent_to, content_type, accept, sent),) = hub.requests
    assert (method, sent_to, content_type, accept) == ("POST", path, JSON, JSON)
    assert json.loads(sent) == body


@pytest.mark.parametrize(
    ("call", "message"),
    [
        ({}, "needs at least one of occupancy, threshold, reset_time"),
        ({"occupancy": UNSET, "threshold": UNSET}, "needs at least one"),
        ({"occupancy": -1}, "occupancy must be a whole number from 0 to"),
        ({"occupancy": MAX_COUNT + 1}, "occupancy must be"),
        ({"occupancy": True}, "occupancy must be .* not True"),
        ({"threshold": 1.0}, "threshold must be .* not 1.0"),
        # One bad value stops the whole call, good ones included.
        ({"occupancy": 5, "threshold": -1, "reset_time": None}, "threshold must be"),
        ((-1, 0, GateType.IN), "boxid must be"),
        ((True, 0, GateType.IN), "boxid must be"),
        ((1, 0.0, GateType.IN), "number must be"),
        ((1, 0, "sideways"), "'sideways' is not a valid GateType"),
    ],
)
async def test_write_refused_before_sending(
    hub: FakeHub, client: VidiGatesClient, call: Write, message: str
) -> None:
    """Impossible arguments raise ValueError and nothing reaches the hub."""
    hub.answer(SET_ANSWER)

    with pytest.raises(ValueError, match=message):
        await _write(client, call)

    assert hub.requests == []


@pytest.mark.parametrize("answer", [[], None])
async def test_set_type_answer_not_an_object(
    hub: FakeHub, client: VidiGatesClient, answer: Any
) -> None:
    hub.answer(answer)

    with pytest.raises(
        VidiGatesInvalidResponseError, match="answer to set_type is not a JSON object"
    ):
        await client.set_type(52190, 0, GateType.IN)


# --- size caps ----------------------------------------------------------------------

CAP = MAX_RESPONSE_BYTES
DECLARED = "the answer is {} bytes, more than a hub ever sends"
OVER = f"the answer is over {CAP} bytes, more than a hub sends"
BOMB = gzip.compress(b" " * (32 * CAP))


def _padded_sample(size: int) -> bytes:
    """Return the vendor sample padded with spaces to exactly `size` bytes."""
    return SAMPLE_JSON + b" " * (size - len(SAMPLE_JSON))


@pytest.mark.parametrize(
    ("head", "body", "refused"),
    [
        pytest.param(
            b"Content-Length: %d\r\n" % CAP, _padded_sample(CAP), None, id="at-cap"
        ),
        pytest.param(
            b"Content-Length: %d\r\n" % (CAP + 1),
            _padded_sample(CAP + 1),
            DECLARED.format(CAP + 1),
            id="length",
        ),
        # Declared too big: refused before reading a byte of the body.
        pytest.param(
            b"Content-Length: 1000000000000\r\n",
            b"{",
            DECLARED.format(1000000000000),
            id="content-length",
        ),
        # Delimited by the close: refused once past the cap.
        pytest.param(
            b"Connection: close\r\n", b" " * (CAP + 1), OVER, id="until-close"
        ),
        pytest.param(
            b"Transfer-Encoding: chunked\r\n",
            b"%x\r\n%s\r\n0\r\n\r\n" % (CAP + 1, _padded_sample(CAP + 1)),
            OVER,
            id="chunked",
        ),
        # A small body that inflates past the cap.
        pytest.param(
            b"Content-Encoding: gzip\r\nContent-Length: %d\r\n" % len(BOMB),
            BOMB,
            OVER,
            id="compressed-bomb",
        ),
    ],
)
async def test_body_size_cap(
    socket_enabled: None,
    session: ClientSession,
    head: bytes,
    body: bytes,
    refused: str | None,
) -> None:
    """Up to MAX_RESPONSE_BYTES is read; a byte more is refused, declared or not.

    The hub sends the answer, then never another byte: were the client to read
    a body that never ends to its end, the call would end in a timeout instead.
    """
    answer = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n" + head + b"\r\n"
    async with raw_hub(send(answer + body, then="hang")) as port:
        call = raw_client(session, port).instances()
        if refused is None:
            assert (await call).current == 40
            return
        with pytest.raises(VidiGatesInvalidResponseError) as caught:
            await call

    assert str(caught.value) == refused


@pytest.mark.parametrize(
    ("instances", "gates", "refused"),
    [
        (500, 4, None),
        (501, 0, "the answer lists 501 instances, over 500"),
        (2, 1001, "the answer lists 2002 gates, over 2000"),
    ],
)
def test_instance_and_gate_caps(
    instances: int, gates: int, refused: str | None
) -> None:
    """Each instance becomes a device with entities: a hub's worth and no more.

    A hostile megabyte of instances would keep Home Assistant busy for minutes.
    (The parser's: the rest of its refusals are in test_models.py.)
    """
    answer = load_fixture("vendor_sample.json")
    answer["instances"] = [
        {"boxid": box, "gates": [{"id": i, "in": 1, "out": 0} for i in range(gates)]}
        for box in range(instances)
    ]

    if refused is None:
        state = parse_hub_state(answer)
        assert (len(state.instances), state.entries) == (500, 2000)
        return
    with pytest.raises(VidiGatesInvalidResponseError, match=f"^{refused}$"):
        parse_hub_state(answer)


# --- timeouts and broken connections -----------------------------------------------


@pytest.mark.parametrize(
    "answer",
    [
        b"",
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n",
        HALF_BODY,
    ],
    ids=["before-headers", "inside-headers", "inside-body"],
)
async def test_slow_hub_times_out(
    socket_enabled: None,
    session: ClientSession,
    freezer: FrozenDateTimeFactory,
    answer: bytes,
) -> None:
    """A hub that stops answering ends in VidiGatesTimeoutError, on time."""
    sent = asyncio.Event()
    async with raw_hub(send(answer, then="hang", sent=sent)) as port:
        call = asyncio.ensure_future(raw_client(session, port, timeout=0.2).instances())
        await sent.wait()
        freezer.tick(0.15)
        await async_spin(20)
        assert not call.done()
        freezer.tick(0.1)
        with pytest.raises(VidiGatesTimeoutError) as caught:
            await call

    assert str(caught.value) == f"http://127.0.0.1:{port} did not answer within 0.2 s"
    assert isinstance(caught.value, VidiGatesConnectionError)


async def test_dribbling_hub_times_out(
    socket_enabled: None, session: ClientSession, freezer: FrozenDateTimeFactory
) -> None:
    """The timeout is the whole request's: a byte now and then does not extend it."""
    sent = asyncio.Event()

    async def dribble(
        reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n")
        while True:
            writer.write(b" ")
            await writer.drain()
            sent.set()
            await asyncio.sleep(0.05)

    ticks = 0
    async with raw_hub(dribble) as port:
        call = asyncio.ensure_future(raw_client(session, port, timeout=0.2).instances())
        # A little more than the dribble each time (see DEVELOPERS.md): one
        # byte a tick, and the clock past 0.2 s on the third.
        while not call.done() and ticks < 10:
            byte = asyncio.ensure_future(sent.wait())
            await asyncio.wait({call, byte}, return_when=asyncio.FIRST_COMPLETED)
            byte.cancel()
            sent.clear()
            if not call.done():
                freezer.tick(0.075)
                ticks += 1
        if not call.done():
            call.cancel()
            pytest.fail("still reading after 0.75 s: the timeout is per read")
        with pytest.raises(VidiGatesTimeoutError):
            await call

    assert ticks == 3


async def test_connection_refused(socket_enabled: None, session: ClientSession) -> None:
    """Nothing listening on the port ends in VidiGatesConnectionError."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]

    with pytest.raises(VidiGatesConnectionError) as caught:
        await raw_client(session, port).instances()

    assert not isinstance(caught.value, VidiGatesTimeoutError)
    assert str(caught.value).startswith(f"cannot connect to http://127.0.0.1:{port}: ")


UNREACHABLE = VidiGatesConnectionError
INVALID = VidiGatesInvalidResponseError
BROKEN = "sent a broken HTTP answer"


@pytest.mark.parametrize(
    ("answer", "then", "error", "message"),
    [
        # Nothing usable arrived: the hub could not be talked to.
        pytest.param(
            b"HTTP/1.1 200 OK\r\nContent-Type: appl",
            "close",
            UNREACHABLE,
            "closed the connection before answering",
            id="closed-inside-headers",
        ),
        pytest.param(b"", "reset", UNREACHABLE, "failed: .*reset", id="reset"),
        # An answer arrived but broke off: it is not what a hub sends.
        pytest.param(
            HALF_BODY,
            "close",
            INVALID,
            f"{BROKEN}: Response payload is not completed",
            id="closed-inside-body",
        ),
        pytest.param(HALF_BODY, "reset", INVALID, BROKEN, id="reset-inside-body"),
        pytest.param(
            b'HTTP/1.1 200 OK\r\n\r\n{"current": 40',
            "close",
            INVALID,
            "not JSON",
            id="closed-before-length-delimited-end",
        ),
        pytest.param(
            b"SSH-2.0-OpenSSH_9.6\r\n\r\n",
            "close",
            INVALID,
            # aiohttp before Home Assistant 2026.6 says "Expected HTTP/".
            f"{BROKEN}: .*(Bad status line|Expected HTTP/)",
            id="not-http",
        ),
        # aiohttp quotes the bytes it choked on: that must not reach the log.
        pytest.param(
            b"HTTP/1.1 200 OK\r\nX-Junk: " + b"\x01\n" * 50_000 + b"\r\n\r\n",
            "close",
            INVALID,
            BROKEN,
            id="long-garbage-headers",
        ),
    ],
)
@pytest.mark.usefixtures("socket_enabled")
async def test_broken_connection(
    session: ClientSession,
    *,
    headers_read: asyncio.Event,
    answer: bytes,
    then: str,
    error: type[VidiGatesError],
    message: str,
) -> None:
    """A dropped connection ends in a clear VidiGatesError, never a crash.

    No answer at all is a connection error (the hub may come back); half an
    answer is an invalid response. A reset inside the body comes once the
    client has read the headers, as it would from a hub that dies mid-answer.
    """
    after = headers_read if b"\r\n\r\n" in answer else None
    async with raw_hub(send(answer, then=then, after=after)) as port:
        with pytest.raises(VidiGatesError, match=message) as caught:
            await raw_client(session, port).instances()

    assert type(caught.value) is error
    assert f"http://127.0.0.1:{port}" in str(caught.value)
    # One short line: it becomes a log line and an entity's error.
    assert "RawResponseMessage" not in str(caught.value)
    assert "\n" not in str(caught.value)
    assert len(str(caught.value)) < 300


# --- addressing --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("host", "port", "url"),
    [
        ("::1", 8080, "http://[::1]:8080"),
        ("vidiaccess.local", 8080, "http://vidiaccess.local:8080"),
        ("192.0.2.10", 80, "http://192.0.2.10"),
    ],
)
def test_build_base_url(host: str, port: int, url: str) -> None:
    """IPv6 addresses get brackets; the port is kept unless it is HTTP's own."""
    assert str(build_base_url(host, port)) == url


async def test_client_defaults(session: ClientSession) -> None:
    """A client built from a host alone talks to port 8080 with a 5 s timeout."""
    client = VidiGatesClient("::1", session=session)

    assert (client.host, client.port, DEFAULT_PORT) == ("::1", 8080, 8080)
    assert str(client.base_url.with_path(PATH_INSTANCES)) == (
        "http://[::1]:8080/api/v1/instances"
    )
    assert DEFAULT_TIMEOUT == 5.0
