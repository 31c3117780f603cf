"""An asyncio client for the VidiAccess hub's local HTTP API.

Nothing here imports Home Assistant. The caller owns the aiohttp session (Home
Assistant shares one across integrations); every request has a timeout and a
cap on the size of the answer, and every failure ends in one of the errors of
:mod:`.exceptions` with a message that says what was wrong.
"""

from __future__ import annotations

from enum import Enum
from typing import Any, Final

import aiohttp
import orjson
from yarl import URL

from .exceptions import (
    VidiGatesConnectionError,
    VidiGatesHTTPError,
    VidiGatesInvalidResponseError,
    VidiGatesTimeoutError,
)
from .models import (
    MAX_COUNT,
    GateType,
    HubState,
    InstanceMemo,
    ResetTime,
    SetResult,
    parse_hub_state,
    parse_set_result,
)

DEFAULT_PORT: Final = 8080
DEFAULT_TIMEOUT: Final = 5.0
# The whole state of a large hub (50 instances of 4 gates) is about 30 KiB; a
# megabyte is never a hub talking.
MAX_RESPONSE_BYTES: Final = 1024 * 1024

PATH_INSTANCES: Final = "/api/v1/instances"
PATH_SET: Final = "/api/v1/set"
PATH_SET_TYPE: Final = "/api/v1/set_type"


class Unset(Enum):
    """The type of :data:`UNSET`."""

    UNSET = "unset"


UNSET: Final = Unset.UNSET
"""Leave a value of ``/set`` unchanged (``None`` means "no daily reset")."""


def build_base_url(host: str, port: int) -> URL:
    """Return the hub's base URL; IPv6 addresses get their brackets."""
    return URL.build(scheme="http", host=host, port=port)


class VidiGatesClient:
    """Talks to one VidiAccess hub."""

    def __init__(
        self,
        host: str,
        port: int = DEFAULT_PORT,
        *,
        session: aiohttp.ClientSession,
        request_timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        """Create a client for the hub at ``host:port`` using ``session``."""
        self.host = host
        self.port = port
        self.base_url = build_base_url(host, port)
        self._session = session
        self._timeout = aiohttp.ClientTimeout(total=request_timeout)
        # The last answer of GET /api/v1/instances, and the snapshot made of it.
        self._last_answer: tuple[bytes, HubState] | None = None
        self._instance_memo: InstanceMemo = {}

    async def instances(self, previous: HubState | None = None) -> HubState:
        """Read the hub's whole state (``GET /api/v1/instances``).

        Given the previous snapshot, what did not change is shared with it,
        which makes comparing the two cheap (see :func:`parse_hub_state`);
        and when the hub sends the very bytes that made ``previous``, that is
        the answer: an idle hub's poll is read, compared and done.
        """
        raw, content_type = await self._fetch("GET", PATH_INSTANCES)
        if (
            previous is not None
            and (last := self._last_answer) is not None
            and last[1] is previous
            and last[0] == raw
        ):
            return previous
        where = f"{self.base_url}{PATH_INSTANCES}"
        state = parse_hub_state(
            _decode(raw, content_type, where), previous, self._instance_memo
        )
        self._last_answer = (raw, state)
        return state

    async def set(
        self,
        *,
        occupancy: int | Unset = UNSET,
        threshold: int | Unset = UNSET,
        reset_time: ResetTime | Unset | None = UNSET,
    ) -> SetResult:
        """Change occupancy, threshold and/or daily reset (``POST /api/v1/set``).

        Returns the values the hub says are now in force. Raises ``ValueError``
        before sending anything when an argument is impossible.
        """
        body: dict[str, Any] = {}
        if occupancy is not UNSET:
            body["occupancy"] = _checked_count(occupancy, "occupancy")
        if threshold is not UNSET:
            body["threshold"] = _checked_count(threshold, "threshold")
        if reset_time is not UNSET:
            body["reset_time"] = None if reset_time is None else reset_time.as_json()
        if not body:
            msg = "set() needs at least one of occupancy, threshold, reset_time"
            raise ValueError(msg)
        return parse_set_result(await self._request("POST", PATH_SET, body))

    async def set_type(self, boxid: int, number: int, gate_type: GateType) -> None:
        """Set which crossings of an instance count (``POST /api/v1/set_type``)."""
        body = {
            "boxid": _checked_count(boxid, "boxid"),
            "number": _checked_count(number, "number"),
            "gate_type": GateType(gate_type).value,
        }
        answer = await self._request("POST", PATH_SET_TYPE, body)
        if not isinstance(answer, dict):
            msg = "the answer to set_type is not a JSON object"
            raise VidiGatesInvalidResponseError(msg)

    async def _request(
        self, method: str, path: str, body: dict[str, Any] | None = None
    ) -> Any:
        raw, content_type = await self._fetch(method, path, body)
        return _decode(raw, content_type, f"{self.base_url}{path}")

    async def _fetch(
        self, method: str, path: str, body: dict[str, Any] | None = None
    ) -> tuple[bytes, str]:
        """Send a request; return the body of a successful answer, and its type."""
        url = self.base_url.with_path(path)
        try:
            async with self._session.request(
                method,
                url,
                json=body,
                timeout=self._timeout,
                headers={"Accept": "application/json"},
                allow_redirects=False,
            ) as response:
                raw = await _read_capped(response)
                status = response.status
                content_type = response.content_type
        except TimeoutError as err:
            msg = f"{self.base_url} did not answer within {self._timeout.total:g} s"
            raise VidiGatesTimeoutError(msg) from err
        except aiohttp.ClientConnectorError as err:
            msg = f"cannot connect to {self.base_url}: {err.os_error or err}"
            raise VidiGatesConnectionError(msg) from err
        except (aiohttp.ClientPayloadError, aiohttp.ClientResponseError) as err:
            msg = f"{self.base_url} sent a broken HTTP answer: {_reason(err)}"
            raise VidiGatesInvalidResponseError(msg) from err
        except aiohttp.ServerDisconnectedError as err:
            # Its text is the repr of the half-read answer when the hub hangs
            # up inside the headers: say what happened instead.
            msg = f"{self.base_url} closed the connection before answering"
            raise VidiGatesConnectionError(msg) from err
        except (aiohttp.ClientError, OSError) as err:
            # An exception is always truthy: test its text, some have none.
            reason = str(err) or type(err).__name__
            msg = f"connection to {self.base_url} failed: {reason}"
            raise VidiGatesConnectionError(msg) from err

        if status >= 300:
            msg = f"{self.base_url}{path} answered HTTP {status}"
            raise VidiGatesHTTPError(status, msg)
        return raw, content_type


async def _read_capped(response: aiohttp.ClientResponse) -> bytes:
    """Read the body, refusing more than MAX_RESPONSE_BYTES."""
    declared = response.headers.get(aiohttp.hdrs.CONTENT_LENGTH, "")
    if declared.isdigit() and int(declared) > MAX_RESPONSE_BYTES:
        msg = f"the answer is {declared} bytes, more than a hub ever sends"
        raise VidiGatesInvalidResponseError(msg)
    # Read at most one byte past the cap: enough to know it is too big without
    # holding a hostile body in memory.
    stream = response.content
    chunks: list[bytes] = []
    size = 0
    while size <= MAX_RESPONSE_BYTES and (
        chunk := await stream.read(MAX_RESPONSE_BYTES + 1 - size)
    ):
        size += len(chunk)
        chunks.append(chunk)
    if size > MAX_RESPONSE_BYTES:
        msg = f"the answer is over {MAX_RESPONSE_BYTES} bytes, more than a hub sends"
        raise VidiGatesInvalidResponseError(msg)
    return b"".join(chunks)


def _decode(raw: bytes, content_type: str | None, where: str) -> Any:
    # RFC 8259 lets a parser ignore a UTF-8 byte order mark, and Windows tools
    # write one; orjson refuses it.
    raw = raw.removeprefix(b"\xef\xbb\xbf")
    if not raw.strip():
        msg = f"{where} answered with an empty body"
        raise VidiGatesInvalidResponseError(msg)
    try:
        return orjson.loads(raw)
    except (orjson.JSONDecodeError, RecursionError):
        pass
    if content_type == "text/html" or raw.lstrip()[:1] == b"<":
        msg = f"{where} answered with an HTML page, not JSON"
    else:
        kind = _shorten(content_type or "no content type", 60)
        msg = f"{where} answered with something that is not JSON ({kind})"
    raise VidiGatesInvalidResponseError(msg)


def _reason(err: aiohttp.ClientError) -> str:
    """Say why aiohttp refused an answer, in one short line.

    Its parser quotes the bytes it choked on, up to a whole read buffer
    (128 KiB seen): that text would become a log line and an entity's error.
    """
    text = err.message if isinstance(err, aiohttp.ClientResponseError) else str(err)
    lines = text.strip().splitlines()
    return _shorten(lines[0] if lines else type(err).__name__, 120)


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else f"{text[: limit - 3]}..."


def _checked_count(value: int, what: str) -> int:
    if type(value) is not int or not 0 <= value <= MAX_COUNT:
        msg = f"{what} must be a whole number from 0 to {MAX_COUNT}, not {value!r}"
        raise ValueError(msg)
    return value
