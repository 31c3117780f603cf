"""Tests of the hub's HTTP client against real servers on 127.0.0.1.

The clock, the event loop's too, is frozen for every test here: a request
times out only when a test moves the clock past its timeout, so a slow
machine cannot turn an answer into a timeout, and no test waits on real time.
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
from yarl import URL

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

from .conftest import load_fixture

type Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
type RawHandler = Callable[
    [asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]
]

SET_ANSWER = {"current": 12, "threshold": 50, "reset_time": {"hour": 23, "minute": 0}}
# Of the frozen test clock: it passes only when a test moves the clock.
TIMEOUT = 3.0

# Frozen before the servers and the session start. The timeout stops only a
# hung test; it decides nothing.
pytestmark = [pytest.mark.usefixtures("freezer"), pytest.mark.timeout(120)]


@dataclass(frozen=True)
class Received:
    """One request as the fake hub saw it."""

    method: str
    path: str
    content_type: str
    accept: str | None
    body: bytes


async def _not_found(request: web.Request) -> web.StreamResponse:
    return web.json_response({"error": "no handler"}, status=404)


@dataclass
class FakeHub:
    """An aiohttp server standing in for the hub; it records every request."""

    port: int = 0
    handler: Handler = _not_found
    requests: list[Received] = field(default_factory=list)

    def answer(self, body: Any, status: int = 200) -> None:
        """Answer every request with this JSON body."""

        async def handler(request: web.Request) -> web.StreamResponse:
            return web.json_response(body, status=status)

        self.handler = handler

    def answer_raw(
        self,
        body: bytes,
        content_type: str | None = "application/json",
        status: int = 200,
        headers: dict[str, str] | None = None,
    ) -> None:
        """Answer every request with these bytes and headers."""
        headers = dict(headers or {})
        if content_type is not None:
            headers["Content-Type"] = content_type

        async def handler(request: web.Request) -> web.StreamResponse:
            return web.Response(body=body, status=status, headers=headers)

        self.handler = handler

    async def dispatch(self, request: web.Request) -> web.StreamResponse:
        """Record the request, then answer it with the current handler."""
        self.requests.append(
            Received(
                method=request.method,
                path=request.path,
                content_type=request.content_type,
                accept=request.headers.get("Accept"),
                body=await request.read(),
            )
        )
        return await self.handler(request)


@pytest.fixture
def headers_read() -> asyncio.Event:
    """Set once the client has read an answer's status line and headers."""
    return asyncio.Event()


@pytest.fixture
async def session(headers_read: asyncio.Event) -> AsyncIterator[ClientSession]:
    """A real aiohttp session, as Home Assistant would share one.

    It only reports (to ``headers_read``) when an answer's headers are in.
    """

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
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    fake.port = runner.addresses[0][1]
    yield fake
    await runner.cleanup()


@pytest.fixture
def client(hub: FakeHub, session: ClientSession) -> VidiGatesClient:
    """A client for the fake hub."""
    return VidiGatesClient(
        "127.0.0.1", hub.port, session=session, request_timeout=TIMEOUT
    )


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


def raw_client(
    session: ClientSession, port: int, timeout: float = TIMEOUT
) -> VidiGatesClient:
    """A client for a raw hub."""
    return VidiGatesClient("127.0.0.1", port, session=session, request_timeout=timeout)


# --- reading the hub ---------------------------------------------------------

SAMPLE_JSON = json.dumps(load_fixture("vendor_sample.json")).encode()


def _sample_text(replace: bytes, by: bytes) -> bytes:
    """The vendor sample's JSON text with one piece replaced."""
    assert SAMPLE_JSON.count(replace) == 1
    return SAMPLE_JSON.replace(replace, by)


def _named(name: bytes) -> bytes:
    """The vendor sample, instance 52190/0 named by ``name`` (JSON text)."""
    return _sample_text(b'"Box #52190"', name)


async def test_instances(hub: FakeHub, client: VidiGatesClient) -> None:
    """GET /api/v1/instances is sent and its answer parsed."""
    sample = load_fixture("vendor_sample.json")
    hub.answer(sample)

    state = await client.instances()

    assert state == parse_hub_state(sample)
    assert state.current == 40
    assert hub.requests == [
        Received(
            "GET", PATH_INSTANCES, "application/octet-stream", "application/json", b""
        )
    ]


async def test_instances_shares_previous_snapshot(
    hub: FakeHub, client: VidiGatesClient
) -> None:
    """Given the last snapshot, what did not change is shared with it."""
    sample = load_fixture("vendor_sample.json")
    hub.answer(sample)
    first = await client.instances()
    sample["instances"][0]["gates"][0]["in"] = 1
    hub.answer(sample)

    second = await client.instances(first)

    assert second == parse_hub_state(sample)
    assert second.instances[52190, 0] is first.instances[52190, 0]
    assert second.instances[74117, 1] != first.instances[74117, 1]


@pytest.mark.parametrize(
    ("body", "headers", "name"),
    [
        # The body is read whatever the label says: hubs mislabel it.
        pytest.param(SAMPLE_JSON, {"Content-Type": "text/html"}, None, id="html"),
        pytest.param(SAMPLE_JSON, {}, None, id="no-label"),
        pytest.param(
            gzip.compress(SAMPLE_JSON),
            {"Content-Type": "application/json", "Content-Encoding": "gzip"},
            None,
            id="gzip",
        ),
        # A UTF-8 byte order mark before the JSON is allowed (RFC 8259).
        pytest.param(b"\xef\xbb\xbf" + SAMPLE_JSON, {}, None, id="byte-order-mark"),
        # JSON leaves duplicate keys undefined; like every common parser, the
        # last one wins.
        pytest.param(
            _sample_text(b'"current": 40', b'"current": 39, "current": 40'),
            {},
            None,
            id="duplicate-key",
        ),
        # Nested deep, but within the decoder's limit, in a field we ignore.
        pytest.param(
            _sample_text(
                b'"current": 40',
                b'"x": ' + b"[" * 500 + b"]" * 500 + b', "current": 40',
            ),
            {},
            None,
            id="nested-500",
        ),
        # RFC 8259 requires UTF-8 between systems (8.1) and defines no charset
        # parameter (11): embedded servers label answers with their
        # framework's default, so a declared charset is ignored.
        pytest.param(
            _named('"Caf\u00e9 \u00e0 c\u00f4t\u00e9"'.encode()),
            {"Content-Type": "application/json; charset=iso-8859-1"},
            "Caf\u00e9 \u00e0 c\u00f4t\u00e9",
            id="utf-8-labelled-latin-1",
        ),
        # One that would garble even ASCII.
        pytest.param(
            _named(b'"Back door"'),
            {"Content-Type": "application/json; charset=utf-16"},
            "Back door",
            id="ascii-labelled-utf-16",
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


@pytest.mark.parametrize(
    ("body", "content_type", "message"),
    [
        pytest.param(
            b"<!DOCTYPE html><html><body>Login</body></html>",
            "text/html",
            "answered with an HTML page, not JSON",
            id="html",
        ),
        # The label lies, the body tells.
        pytest.param(b"  <html>oops</html>", None, "an HTML page", id="html-body"),
        pytest.param(b"Service starting", "text/html", "an HTML page", id="html-label"),
        pytest.param(b"Starting", "text/plain", r"not JSON \(text/plain\)$", id="text"),
        pytest.param(b"{}{}", None, r"not JSON \(application/json\)$", id="two-docs"),
        pytest.param(b" \r\n\t ", None, "answered with an empty body", id="blank"),
        pytest.param(b"\xef\xbb\xbf", None, "an empty body$", id="byte-order-mark"),
        pytest.param(b"NaN", None, "not JSON", id="nan"),
        pytest.param(b"[" * 100_000, None, "not JSON", id="deeply-nested"),
        pytest.param(b'{"name": "Box \\ud800"}', None, "not JSON", id="surrogate"),
        # The content type is quoted, cut to a short line.
        pytest.param(
            b"hello", "text/" + "x" * 5000, r"not JSON \(text/x{52}\.\.\.\)$", id="long"
        ),
        # A number written as a decimal (or past 64 bits, read as one).
        pytest.param(
            _sample_text(b'"current": 40', b'"current": 4e1'),
            None,
            "current is a decimal",
            id="decimal",
        ),
        pytest.param(
            _sample_text(b'"current": 40', b'"current": %d' % 2**64),
            None,
            "current is a decimal",
            id="past-64-bits",
        ),
        # Well-formed JSON with the wrong content.
        pytest.param(
            _sample_text(b'"current": 40', b'"current": "forty"'),
            None,
            "current is text",
            id="wrong-content",
        ),
        # Another encoding, even when its charset says so: \xe9 is not UTF-8.
        pytest.param(
            _named(b'"Caf\xe9"'),
            "application/json; charset=iso-8859-1",
            "not JSON",
            id="latin-1",
        ),
        pytest.param(
            _named(b'"Box"').decode().encode("utf-16"),
            "application/json; charset=utf-16",
            "not JSON",
            id="utf-16",
        ),
    ],
)
async def test_answer_refused(
    hub: FakeHub,
    client: VidiGatesClient,
    body: bytes,
    content_type: str | None,
    message: str,
) -> None:
    """A 200 answer that is no hub's state is an invalid response that says why."""
    hub.answer_raw(body, content_type or "application/json")

    with pytest.raises(VidiGatesInvalidResponseError, match=message) as caught:
        await client.instances()

    assert not isinstance(caught.value, VidiGatesHTTPError)
    if "current is" not in message:  # The parser's own refusals name no URL.
        assert f"http://127.0.0.1:{hub.port}{PATH_INSTANCES} answered" in str(
            caught.value
        )


async def test_no_content(hub: FakeHub, client: VidiGatesClient) -> None:
    """A 204 carries no state: an empty body, where the message names the URL."""
    hub.answer_raw(b"", None, 204)

    with pytest.raises(VidiGatesInvalidResponseError) as caught:
        await client.instances()

    assert str(caught.value) == (
        f"http://127.0.0.1:{hub.port}{PATH_INSTANCES} answered with an empty body"
    )


# --- writing --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "body"),
    [
        pytest.param({"occupancy": 0}, {"occupancy": 0}, id="occupancy-zero"),
        pytest.param({"threshold": MAX_COUNT}, {"threshold": MAX_COUNT}, id="max"),
        pytest.param({"reset_time": None}, {"reset_time": None}, id="no-reset"),
        pytest.param(
            {"occupancy": 3, "threshold": 50, "reset_time": ResetTime(6, 30)},
            {"occupancy": 3, "threshold": 50, "reset_time": {"hour": 6, "minute": 30}},
            id="everything",
        ),
        pytest.param(
            {"occupancy": 3, "threshold": UNSET, "reset_time": UNSET},
            {"occupancy": 3},
            id="explicit-unset",
        ),
    ],
)
async def test_set_sends_only_given_keys(
    hub: FakeHub,
    client: VidiGatesClient,
    kwargs: dict[str, Any],
    body: dict[str, Any],
) -> None:
    """/set receives exactly the keys given: the others stay unchanged."""
    hub.answer(SET_ANSWER)

    result = await client.set(**kwargs)

    assert result == SetResult(current=12, threshold=50, reset_time=ResetTime(23, 0))
    (request,) = hub.requests
    assert (request.method, request.path) == ("POST", PATH_SET)
    assert request.content_type == "application/json"
    assert json.loads(request.body) == body


@pytest.mark.parametrize("gate_type", [GateType.BOTH, "out"])
async def test_set_type(
    hub: FakeHub, client: VidiGatesClient, gate_type: GateType
) -> None:
    """/set_type receives the instance and its new gate type."""
    hub.answer({})

    await client.set_type(52190, 0, gate_type)

    (request,) = hub.requests
    assert (request.method, request.path) == ("POST", PATH_SET_TYPE)
    assert request.content_type == "application/json"
    assert json.loads(request.body) == {
        "boxid": 52190,
        "number": 0,
        "gate_type": GateType(gate_type).value,
    }


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
    hub: FakeHub, client: VidiGatesClient, call: Any, message: str
) -> None:
    """Impossible arguments raise ValueError and nothing reaches the hub."""
    hub.answer(SET_ANSWER)
    write = client.set(**call) if isinstance(call, dict) else client.set_type(*call)

    with pytest.raises(ValueError, match=message):
        await write

    assert hub.requests == []


@pytest.mark.parametrize("answer", [[], None])
async def test_set_type_answer_not_an_object(
    hub: FakeHub, client: VidiGatesClient, answer: Any
) -> None:
    """/set_type must answer a JSON object."""
    hub.answer(answer)

    with pytest.raises(
        VidiGatesInvalidResponseError, match="answer to set_type is not a JSON object"
    ):
        await client.set_type(52190, 0, GateType.IN)


# --- HTTP errors and redirects -----------------------------------------------


@pytest.mark.parametrize(
    ("status", "body", "content_type"),
    [
        (404, b"404: Not Found", "text/plain"),
        (503, b'{"error": "busy"}', "application/json"),
        # Even a valid state: an error status is never read as one.
        (500, SAMPLE_JSON, "application/json"),
    ],
)
async def test_http_error_status(
    hub: FakeHub,
    client: VidiGatesClient,
    status: int,
    body: bytes,
    content_type: str,
) -> None:
    """An HTTP error status ends in VidiGatesHTTPError, keeping the status."""
    hub.answer_raw(body, content_type, status)

    with pytest.raises(VidiGatesHTTPError) as caught:
        await client.instances()

    assert caught.value.status == status
    assert isinstance(caught.value, VidiGatesInvalidResponseError)
    assert str(caught.value) == (
        f"http://127.0.0.1:{hub.port}{PATH_INSTANCES} answered HTTP {status}"
    )


async def test_redirect_not_followed(hub: FakeHub, client: VidiGatesClient) -> None:
    """A hub does not redirect: a redirect is an error and is not followed."""

    async def handler(request: web.Request) -> web.StreamResponse:
        if request.path == "/elsewhere":
            return web.json_response(load_fixture("vendor_sample.json"))
        return web.Response(status=307, headers={"Location": "/elsewhere"})

    hub.handler = handler

    with pytest.raises(VidiGatesHTTPError) as caught:
        await client.instances()

    assert caught.value.status == 307
    assert [request.path for request in hub.requests] == [PATH_INSTANCES]


# --- size caps ----------------------------------------------------------------------


def _padded_sample(size: int) -> bytes:
    """Return the vendor sample padded with spaces to exactly `size` bytes."""
    return SAMPLE_JSON + b" " * (size - len(SAMPLE_JSON))


@pytest.mark.parametrize(
    ("size", "chunked"),
    [
        pytest.param(MAX_RESPONSE_BYTES, False, id="at-the-cap"),
        pytest.param(MAX_RESPONSE_BYTES + 1, False, id="length"),
        pytest.param(MAX_RESPONSE_BYTES + 1, True, id="chunked"),
    ],
)
async def test_body_size_cap(
    hub: FakeHub, client: VidiGatesClient, size: int, chunked: bool
) -> None:
    """Up to MAX_RESPONSE_BYTES is read; a byte more is refused, declared or not."""
    body = _padded_sample(size)

    async def handler(request: web.Request) -> web.StreamResponse:
        if not chunked:
            return web.Response(body=body, content_type="application/json")
        response = web.StreamResponse()
        response.enable_chunked_encoding()
        await response.prepare(request)
        for start in range(0, len(body), 65536):
            await response.write(body[start : start + 65536])
        await response.write_eof()
        return response

    hub.handler = handler

    if size == MAX_RESPONSE_BYTES:
        assert (await client.instances()).current == 40
        return
    with pytest.raises(VidiGatesInvalidResponseError, match="more than a hub"):
        await client.instances()


@pytest.mark.parametrize(
    ("head", "first_bytes"),
    [
        # Declared too big: refused before reading a byte of the body.
        (b"Content-Length: 1000000000000\r\n", b"{"),
        # Delimited by the close: refused once past the cap.
        (b"Connection: close\r\n", b" " * (MAX_RESPONSE_BYTES + 1)),
    ],
    ids=["content-length", "until-close"],
)
async def test_endless_body_refused_without_reading_it(
    socket_enabled: None, session: ClientSession, head: bytes, first_bytes: bytes
) -> None:
    """A body that never ends is refused at the cap, not read until a timeout.

    The hub sends what is given, then never another byte: were the client to
    read to the end, the call would end in a timeout instead.
    """
    answer = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n" + head + b"\r\n"
    async with raw_hub(send(answer + first_bytes, then="hang")) as port:
        with pytest.raises(VidiGatesInvalidResponseError, match="more than a hub"):
            await raw_client(session, port).instances()


async def test_compressed_bomb_refused(hub: FakeHub, client: VidiGatesClient) -> None:
    """A small gzip body that inflates past the cap is refused too."""
    compressed = gzip.compress(b" " * (32 * MAX_RESPONSE_BYTES))
    assert len(compressed) < MAX_RESPONSE_BYTES
    hub.answer_raw(compressed, headers={"Content-Encoding": "gzip"})

    with pytest.raises(VidiGatesInvalidResponseError, match="more than a hub"):
        await client.instances()


@pytest.mark.parametrize(
    ("instances", "gates", "refused"),
    [
        (500, 4, None),
        (501, 0, "the answer lists 501 instances, over 500"),
        (2, 1001, "the answer lists 2002 gates, over 2000"),
    ],
)
async def test_instance_and_gate_caps(
    hub: FakeHub,
    client: VidiGatesClient,
    instances: int,
    gates: int,
    refused: str | None,
) -> None:
    """Each instance becomes a device with entities: a hub's worth and no more.

    A hostile megabyte of instances would keep Home Assistant busy for minutes.
    """
    answer = load_fixture("vendor_sample.json")
    answer["instances"] = [
        {"boxid": box, "gates": [{"id": i, "in": 1, "out": 0} for i in range(gates)]}
        for box in range(instances)
    ]
    hub.answer(answer)

    if refused is None:
        state = await client.instances()
        assert (len(state.instances), state.entries) == (500, 2000)
        return
    with pytest.raises(VidiGatesInvalidResponseError, match=f"^{refused}$"):
        await client.instances()


# --- timeouts and broken connections -----------------------------------------------


@pytest.mark.parametrize(
    "answer",
    [
        b"",
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n",
        b'HTTP/1.1 200 OK\r\nContent-Length: 500\r\n\r\n{"current": 40',
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
        await _loop_turns()
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


async def _loop_turns(turns: int = 20) -> None:
    """Let the event loop run whatever is ready, without time passing."""
    for _ in range(turns):
        await asyncio.sleep(0)


async def test_connection_refused(socket_enabled: None, session: ClientSession) -> None:
    """Nothing listening on the port ends in VidiGatesConnectionError."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = VidiGatesClient(
        "127.0.0.1", port, session=session, request_timeout=TIMEOUT
    )

    with pytest.raises(VidiGatesConnectionError) as caught:
        await client.instances()

    assert not isinstance(caught.value, VidiGatesTimeoutError)
    assert str(caught.value).startswith(f"cannot connect to http://127.0.0.1:{port}: ")


@pytest.mark.parametrize(
    ("answer", "then", "error", "message"),
    [
        # Nothing usable arrived: the hub could not be talked to.
        pytest.param(
            b"HTTP/1.1 200 OK\r\nContent-Type: appl",
            "close",
            VidiGatesConnectionError,
            "closed the connection before answering",
            id="closed-inside-headers",
        ),
        pytest.param(
            b"", "reset", VidiGatesConnectionError, "failed: .*reset", id="reset"
        ),
        # An answer arrived but broke off: it is not what a hub sends.
        pytest.param(
            b'HTTP/1.1 200 OK\r\nContent-Length: 500\r\n\r\n{"current": 40',
            "close",
            VidiGatesInvalidResponseError,
            "sent a broken HTTP answer: Response payload is not completed",
            id="closed-inside-body",
        ),
        pytest.param(
            b'HTTP/1.1 200 OK\r\nContent-Length: 500\r\n\r\n{"current": 40',
            "reset",
            VidiGatesInvalidResponseError,
            "sent a broken HTTP answer",
            id="reset-inside-body",
        ),
        pytest.param(
            b'HTTP/1.1 200 OK\r\n\r\n{"current": 40',
            "close",
            VidiGatesInvalidResponseError,
            "not JSON",
            id="closed-before-length-delimited-end",
        ),
        pytest.param(
            b"SSH-2.0-OpenSSH_9.6\r\n\r\n",
            "close",
            VidiGatesInvalidResponseError,
            # aiohttp before Home Assistant 2026.6 says "Expected HTTP/".
            "sent a broken HTTP answer: .*(Bad status line|Expected HTTP/)",
            id="not-http",
        ),
        # aiohttp quotes the bytes it choked on: that must not reach the log.
        pytest.param(
            b"HTTP/1.1 200 OK\r\nX-Junk: " + b"\x01\n" * 50_000 + b"\r\n\r\n",
            "close",
            VidiGatesInvalidResponseError,
            "sent a broken HTTP answer",
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
    assert build_base_url(host, port) == URL(url)
    assert str(build_base_url(host, port)) == url


async def test_client_defaults(session: ClientSession) -> None:
    """A client built from a host alone talks to port 8080 with a 5 s timeout."""
    client = VidiGatesClient("::1", session=session)

    assert (client.host, client.port) == ("::1", DEFAULT_PORT)
    assert str(client.base_url) == "http://[::1]:8080"
    assert client.base_url.with_path(PATH_INSTANCES) == URL(
        "http://[::1]:8080/api/v1/instances"
    )
    assert DEFAULT_TIMEOUT == 5.0
