"""An aiohttp server that answers like a VidiAccess hub, plus a control API.

The hub API (``/api/v1/...``) is what the integration talks to. The control API
(``/_sim/...``) lets tests and demos move time, inject faults and reshape the
hub; it is never faulted, never counted in :attr:`Hub.requests`.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
import contextlib
import functools
import json
from types import TracebackType
from typing import Any, Final, Self

from aiohttp import web
from aiohttp.typedefs import Handler

from .hub import (
    DEFAULT_DELAY,
    DEFAULT_HUGE_SIZE,
    PATH_INSTANCES,
    PATH_SET,
    PATH_SET_TYPE,
    Fault,
    FaultSpec,
    Hub,
    InvalidRequestError,
)

HUB_KEY: Final = web.AppKey("hub", Hub)
SIM_PREFIX: Final = "/_sim/"

# In-flight requests (say, a DELAY fault) get this long to finish when the
# server closes; tests should not wait a minute, aiohttp's default.
_SHUTDOWN_TIMEOUT: Final = 0.5

# Binary junk under a JSON content type: a client must not trust the header,
# and the invalid UTF-8 makes naive text decoding fail too.
_GARBAGE_BODY: Final = b"\x89PNG\r\n\x1a\n\x00\xff\xfe garbage, not JSON {{{\x00"

_HTML_PAGE: Final = """<!DOCTYPE html>
<html>
<head><title>Service Unavailable</title></head>
<body>
<h1>Service Unavailable</h1>
<p>The VidiAccess service is starting. Please try again later.</p>
</body>
</html>
"""

_PAD_CHUNK: Final = b"x" * 65536

_ADD_INSTANCE_KEYS: Final = frozenset(
    {"boxid", "number", "name", "host", "gate_type", "gates", "status"}
)


class DelayedRequests:
    """The hub requests a DELAY fault holds: they can be waited for and released."""

    def __init__(self) -> None:
        """Hold nothing yet."""
        self._releases: set[asyncio.Future[None]] = set()
        self._changed = asyncio.Event()

    def __len__(self) -> int:
        """How many requests are held now."""
        return len(self._releases)

    async def hold[T](
        self, seconds: float | None, handle: Callable[[], Awaitable[T]]
    ) -> T:
        """Wait ``seconds`` (``None``: until released), then ``handle``.

        The request counts as held until it is handled, so once none is held
        none can still change the hub. Cancelled (its client gave up, and the
        server cancels the handler), it is never handled.
        """
        release = asyncio.get_running_loop().create_future()
        self._releases.add(release)
        self._signal()
        try:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(seconds):
                    await release
            return await handle()
        finally:
            self._releases.discard(release)
            self._signal()

    def release(self) -> None:
        """Let every held request go on now."""
        for release in self._releases:
            if not release.done():
                release.set_result(None)

    async def wait(self, count: int) -> None:
        """Return once exactly ``count`` requests are held (or being handled)."""
        while len(self._releases) != count:
            await self._changed.wait()

    def _signal(self) -> None:
        # Wakes every waiter once; each one checks again on a fresh event.
        self._changed.set()
        self._changed = asyncio.Event()


DELAYED_KEY: Final = web.AppKey("delayed", DelayedRequests)


def create_app(
    hub: Hub, *, real_time: bool = False, tick_seconds: float = 1.0
) -> web.Application:
    """Build the hub and control API for ``hub``.

    With ``real_time``, a background task advances the hub by the real time
    elapsed, every ``tick_seconds``, from startup until cleanup.
    """
    app = web.Application(middlewares=[_hub_middleware])
    app[HUB_KEY] = hub
    app[DELAYED_KEY] = DelayedRequests()
    app.add_routes(
        [
            web.get(PATH_INSTANCES, _get_instances),
            web.post(PATH_SET, _post_set),
            web.post(PATH_SET_TYPE, _post_set_type),
            web.get("/_sim/state", _sim_state),
            web.post("/_sim/advance", _sim_advance),
            web.post("/_sim/daily_reset", _sim_daily_reset),
            web.post("/_sim/fault", _sim_fault),
            web.post("/_sim/fault/clear", _sim_fault_clear),
            web.post("/_sim/release", _sim_release),
            web.post("/_sim/instances", _sim_add_instance),
            web.delete("/_sim/instances/{boxid}/{number}", _sim_remove_instance),
            web.post("/_sim/status", _sim_status),
            web.post("/_sim/payload", _sim_payload),
            web.post("/_sim/churn", _sim_churn),
        ]
    )
    if real_time:
        app.cleanup_ctx.append(_real_time_clock(tick_seconds))
    return app


def _real_time_clock(
    tick_seconds: float,
) -> Callable[[web.Application], AsyncIterator[None]]:
    async def clock(app: web.Application) -> AsyncIterator[None]:
        task = asyncio.create_task(_tick(app[HUB_KEY], tick_seconds))
        yield
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    return clock


async def _tick(hub: Hub, tick_seconds: float) -> None:
    loop = asyncio.get_running_loop()
    last = loop.time()
    while True:
        await asyncio.sleep(tick_seconds)
        # Advance by the time that really passed, not by tick_seconds: sleeps
        # overshoot, and a busy loop must not slow the simulated clock down.
        now = loop.time()
        hub.advance(now - last)
        last = now


# --- faults and bookkeeping -------------------------------------------------


@web.middleware
async def _hub_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Record every hub request, then apply the fault due, if any."""
    if request.path.startswith(SIM_PREFIX):
        return await handler(request)
    hub = request.app[HUB_KEY]
    # aiohttp caches the body, so the handler can still read it afterwards.
    body = await request.read()
    fault = hub.take_fault(request.path)
    hub.record_request(
        request.method, request.path, body, None if fault is None else fault.kind
    )
    if fault is None:
        return await handler(request)
    return await _misbehave(request, handler, hub, fault)


async def _misbehave(
    request: web.Request, handler: Handler, hub: Hub, fault: FaultSpec
) -> web.StreamResponse:
    """Answer with ``fault``. Only DELAY lets the request take effect."""
    if fault.kind is Fault.DELAY:
        return await request.app[DELAYED_KEY].hold(
            fault.delay, functools.partial(handler, request)
        )
    if fault.kind is Fault.DROP:
        return _drop(request)
    if fault.kind is Fault.HUGE:
        return await _huge(request, hub, fault.size)
    return _bad_response(hub, fault)


def _bad_response(hub: Hub, fault: FaultSpec) -> web.Response:
    """Return the complete but wrong answer of HTTP_500, GARBAGE, HTML, TRUNCATED."""
    match fault.kind:
        case Fault.HTTP_500:
            response = web.Response(
                status=500, text="500 Internal Server Error\n\nServer got in trouble"
            )
        case Fault.GARBAGE:
            response = web.Response(body=_GARBAGE_BODY, content_type="application/json")
        case Fault.HTML:
            response = web.Response(
                status=fault.status, text=_HTML_PAGE, content_type="text/html"
            )
        case _:
            # TRUNCATED: a correct Content-Length for a document cut in half, so
            # the HTTP layer is happy and only JSON decoding fails.
            document = json.dumps(hub.payload()).encode()
            response = web.Response(
                body=document[: len(document) // 2], content_type="application/json"
            )
    return response


def _drop(request: web.Request) -> web.StreamResponse:
    # Closing the transport before anything is written makes the client see the
    # connection end with no status line (ServerDisconnectedError). aiohttp's
    # later attempt to send the response below fails with a ConnectionError
    # it swallows, so nothing reaches the client.
    transport = request.transport
    if transport is not None:
        transport.close()
    return web.Response(status=500)


async def _huge(request: web.Request, hub: Hub, size: int) -> web.StreamResponse:
    # A valid, hub-shaped document with a giant "padding" field: a client
    # without a size limit would accept it, which is what a test should catch.
    # Chunked, so there is no Content-Length to check before reading.
    payload = hub.payload()
    if isinstance(payload, dict) and payload:
        tail = b'",' + json.dumps(payload).encode()[1:]
    elif isinstance(payload, dict):
        tail = b'"}'
    else:
        tail = b'","payload":' + json.dumps(payload).encode() + b"}"
    response = web.StreamResponse()
    response.content_type = "application/json"
    response.enable_chunked_encoding()
    await response.prepare(request)
    try:
        await response.write(b'{"padding":"')
        remaining = size
        while remaining > 0:
            chunk = _PAD_CHUNK[:remaining]
            await response.write(chunk)
            remaining -= len(chunk)
        await response.write(tail)
        await response.write_eof()
    except ConnectionError:
        pass  # The client stopped reading, as a careful client should.
    return response


# --- the hub API ------------------------------------------------------------


async def _get_instances(request: web.Request) -> web.Response:
    hub = request.app[HUB_KEY]
    if hub.churn:
        hub.change_values(hub.churn)
    return web.json_response(hub.payload())


async def _post_set(request: web.Request) -> web.Response:
    hub = request.app[HUB_KEY]
    try:
        return web.json_response(hub.apply_set(await _json_body(request)))
    except ValueError as err:
        return _error(400, str(err))


async def _post_set_type(request: web.Request) -> web.Response:
    hub = request.app[HUB_KEY]
    try:
        return web.json_response(hub.apply_set_type(await _json_body(request)))
    except ValueError as err:
        return _error(400, str(err))
    except KeyError as err:
        # Undocumented on the real hub; a 400 like any other bad input.
        return _error(400, err.args[0])


# --- the control API --------------------------------------------------------


async def _sim_state(request: web.Request) -> web.Response:
    return web.json_response(request.app[HUB_KEY].debug_state())


async def _sim_advance(request: web.Request) -> web.Response:
    hub = request.app[HUB_KEY]
    try:
        seconds = _number(_field(await _json_object(request), "seconds"), "seconds")
        hub.advance(seconds)
    except (ValueError, OverflowError) as err:
        return _error(400, str(err))
    return web.json_response(hub.debug_state())


async def _sim_daily_reset(request: web.Request) -> web.Response:
    hub = request.app[HUB_KEY]
    hub.daily_reset()
    return web.json_response(hub.debug_state())


async def _sim_fault(request: web.Request) -> web.Response:
    """Queue a fault; with ``"always": true``, set (kind null: end) the lasting one."""
    hub = request.app[HUB_KEY]
    try:
        body = await _json_object(request)
        kind: Any = body.get("kind")
        delay = body.get("delay", DEFAULT_DELAY)
        # null: hold the requests until POST /_sim/release.
        delay = None if delay is None else _number(delay, "delay")
        status = _integer(body.get("status", 200), "status")
        size = _integer(body.get("size", DEFAULT_HUGE_SIZE), "size")
        path = _optional_str(body.get("path"), "path")
        if body.get("always", False) is True:
            fault = None if kind is None else Fault(kind)
            hub.fail_always(fault, delay=delay, status=status, size=size, path=path)
        else:
            count = _integer(body.get("count", 1), "count")
            hub.inject(
                Fault(kind), count, delay=delay, status=status, size=size, path=path
            )
    except ValueError as err:
        return _error(400, str(err))
    return web.json_response(hub.debug_state())


async def _sim_fault_clear(request: web.Request) -> web.Response:
    hub = request.app[HUB_KEY]
    hub.clear_faults()
    return web.json_response(hub.debug_state())


async def _sim_release(request: web.Request) -> web.Response:
    delayed = request.app[DELAYED_KEY]
    held = len(delayed)
    delayed.release()
    return web.json_response({"released": held})


async def _sim_add_instance(request: web.Request) -> web.Response:
    hub = request.app[HUB_KEY]
    try:
        body = await _json_object(request, empty_ok=True)
        _refuse_unknown_keys(body, _ADD_INSTANCE_KEYS)
        boxid, number = hub.add_instance(**body)
    except ValueError as err:
        return _error(400, str(err))
    return web.json_response({"boxid": boxid, "number": number}, status=201)


async def _sim_remove_instance(request: web.Request) -> web.Response:
    hub = request.app[HUB_KEY]
    try:
        hub.remove_instance(
            int(request.match_info["boxid"]), int(request.match_info["number"])
        )
    except ValueError as err:
        return _error(400, str(err))
    except KeyError as err:
        return _error(404, err.args[0])
    return web.json_response({})


async def _sim_status(request: web.Request) -> web.Response:
    hub = request.app[HUB_KEY]
    try:
        body = await _json_object(request)
        hub.set_status(
            _integer(_field(body, "boxid"), "boxid"),
            _integer(_field(body, "number"), "number"),
            _field(body, "status"),
        )
    except ValueError as err:
        return _error(400, str(err))
    except KeyError as err:
        return _error(404, err.args[0])
    return web.json_response({})


async def _sim_payload(request: web.Request) -> web.Response:
    hub = request.app[HUB_KEY]
    try:
        hub.set_fixed_payload(await _json_body(request))
    except ValueError as err:
        return _error(400, str(err))
    return web.json_response({})


async def _sim_churn(request: web.Request) -> web.Response:
    """Set the share of values changed before each GET; answer what it means."""
    hub = request.app[HUB_KEY]
    try:
        hub.churn = _number(_field(await _json_object(request), "share"), "share")
    except ValueError as err:
        return _error(400, str(err))
    return web.json_response(
        {
            "share": hub.churn,
            "primary_values": hub.primary_values,
            "changed_per_get": hub.values_per_change(hub.churn),
        }
    )


# --- helpers ----------------------------------------------------------------


async def _json_body(request: web.Request) -> Any:
    """Return the request's JSON body, whatever its content type claims."""
    raw = await request.read()
    try:
        return json.loads(raw)
    except ValueError:
        msg = "the body is not valid JSON"
        raise InvalidRequestError(msg) from None


async def _json_object(
    request: web.Request, *, empty_ok: bool = False
) -> dict[str, Any]:
    if empty_ok and not (await request.read()).strip():
        return {}
    body = await _json_body(request)
    if not isinstance(body, dict):
        msg = "the body must be a JSON object"
        raise InvalidRequestError(msg)
    return body


def _field(body: dict[str, Any], key: str) -> Any:
    try:
        return body[key]
    except KeyError:
        msg = f"missing key: {key}"
        raise InvalidRequestError(msg) from None


def _integer(value: Any, what: str) -> int:
    # bool is an int subclass, but true is not a number here.
    if type(value) is not int:
        msg = f"{what} must be an integer, not {value!r}"
        raise InvalidRequestError(msg)
    return value


def _optional_str(value: Any, what: str) -> str | None:
    if value is not None and not isinstance(value, str):
        msg = f"{what} must be a string or null, not {value!r}"
        raise InvalidRequestError(msg)
    return value


def _refuse_unknown_keys(body: dict[str, Any], allowed: frozenset[str]) -> None:
    if unknown := set(body) - allowed:
        msg = f"unknown keys: {', '.join(sorted(unknown))}"
        raise InvalidRequestError(msg)


def _number(value: Any, what: str) -> float:
    if type(value) not in (int, float) or value < 0:
        msg = f"{what} must be a number >= 0, not {value!r}"
        raise InvalidRequestError(msg)
    return float(value)


def _error(status: int, message: str) -> web.Response:
    return web.json_response({"error": message}, status=status)


# --- running it -------------------------------------------------------------


class SimulatorServer:
    """A running simulator, bound to ``host`` only.

    ``async with SimulatorServer(hub) as server:`` then talk to ``server.url``.
    Port 0 picks a free port; :attr:`port` tells which.
    """

    def __init__(
        self,
        hub: Hub | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        real_time: bool = False,
        tick_seconds: float = 1.0,
    ) -> None:
        """Prepare a server for ``hub`` (a default :class:`Hub` if ``None``)."""
        self.hub = hub if hub is not None else Hub()
        self.host = host
        self._requested_port = port
        self._real_time = real_time
        self._tick_seconds = tick_seconds
        self._port: int | None = None
        self._runner: web.AppRunner | None = None
        self._delayed = DelayedRequests()

    @property
    def port(self) -> int:
        """The port the server listens on."""
        if self._port is None:
            msg = "the server is not running"
            raise RuntimeError(msg)
        return self._port

    @property
    def delayed(self) -> int:
        """How many hub requests a DELAY fault holds now."""
        return len(self._delayed)

    async def wait_delayed(self, count: int = 1) -> None:
        """Return once exactly ``count`` hub requests are held by a DELAY fault.

        ``wait_delayed(1)`` after sending a request: it has arrived and waits.
        ``wait_delayed(0)``: every held request has ended (released, or its
        client gave up and the server cancelled it), so it can no longer
        change the hub.
        """
        await self._delayed.wait(count)

    def release_delayed(self) -> None:
        """Let every request a DELAY fault holds be answered now."""
        self._delayed.release()

    @property
    def url(self) -> str:
        """The base URL, e.g. ``http://127.0.0.1:54321``."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    async def start(self) -> None:
        """Start listening."""
        if self._runner is not None:
            msg = "the server is already running"
            raise RuntimeError(msg)
        app = create_app(
            self.hub, real_time=self._real_time, tick_seconds=self._tick_seconds
        )
        self._delayed = app[DELAYED_KEY]
        # handler_cancellation: a client that gives up on a DELAY cancels the
        # handler instead of leaving it sleeping until shutdown.
        runner = web.AppRunner(
            app, handler_cancellation=True, shutdown_timeout=_SHUTDOWN_TIMEOUT
        )
        await runner.setup()
        try:
            site = web.TCPSite(runner, self.host, self._requested_port)
            await site.start()
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner
        self._port = runner.addresses[0][1]

    async def close(self) -> None:
        """Stop listening and close every connection; safe to call twice."""
        runner, self._runner = self._runner, None
        self._port = None
        if runner is not None:
            # Held requests are answered, not left to the shutdown timeout.
            self._delayed.release()
            await runner.cleanup()

    async def __aenter__(self) -> Self:
        """Start the server."""
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        """Close the server."""
        await self.close()
