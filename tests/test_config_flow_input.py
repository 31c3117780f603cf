"""What the address field accepts: ``normalize_host``, one table.

Every spelling a user may type or paste comes out as one clean host and port,
or is refused: IPv6 in every form, pasted URLs, names that are numbers in
disguise, IDNA, control characters, overlong input. The flows that show the
outcome (form errors, duplicates, the request sent) are in
tests/test_config_flow.py; the port field and names that do not resolve are
flows, here.
"""

from __future__ import annotations

from collections.abc import Generator
import socket
from typing import Any
from unittest.mock import patch

from aiohttp.abc import AbstractResolver, ResolveResult
from homeassistant.config_entries import SOURCE_USER
from homeassistant.const import CONF_HOST, CONF_PORT
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType, InvalidData
import pytest
from pytest_homeassistant_custom_component.test_util.aiohttp import AiohttpClientMocker

from custom_components.vidigates.config_flow import InvalidHostError, normalize_host
from custom_components.vidigates.const import DOMAIN

from .conftest import HOST, PORT

LONGEST_NAME = ".".join(("a" * 63, "b" * 63, "c" * 63, "d" * 61))
assert len(LONGEST_NAME) == 253


@pytest.mark.parametrize(
    ("typed", "host", "port"),
    [
        # Pasted URLs and host:port: a port typed in the host field wins.
        pytest.param("http://192.0.2.10:8080", "192.0.2.10", 8080, id="url"),
        pytest.param(
            "http://192.0.2.10:9090/api/v1/instances", "192.0.2.10", 9090, id="api-url"
        ),
        pytest.param("http://192.0.2.10/", "192.0.2.10", 1234, id="url-no-port"),
        pytest.param("192.0.2.10:9091", "192.0.2.10", 9091, id="host-colon-port"),
        pytest.param("\n192.0.2.10\t", "192.0.2.10", 1234, id="outer-space"),
        # IPv6, in every form a user may paste; stored in one spelling, so
        # that the duplicate check sees through the spellings.
        pytest.param("::1", "::1", 1234, id="ipv6-loopback"),
        pytest.param("[::1]:8080", "::1", 8080, id="ipv6-brackets-port"),
        pytest.param("http://[::1]:8080", "::1", 8080, id="ipv6-url"),
        pytest.param("0:0:0:0:0:0:0:1", "::1", 1234, id="ipv6-long-form"),
        pytest.param("[2001:0db8:0000::0001]:9000", "2001:db8::1", 9000, id="zeros"),
        # A colon-separated port needs brackets around IPv6: this is an address.
        pytest.param("2001:db8::1:8080", "2001:db8::1:8080", 1234, id="ipv6-no-port"),
        pytest.param("http://[fe80::1%25eth0]:8081", "fe80::1%eth0", 8081, id="zone"),
        # Names: one spelling each (DNS ignores case; a trailing dot is the root).
        pytest.param("vidiaccess", "vidiaccess", 1234, id="single-label"),
        pytest.param("HUB.EXAMPLE.", "hub.example", 1234, id="case-and-dot"),
        pytest.param(
            "HTTP://Hub.Example.COM:8081/", "hub.example.com", 8081, id="url-case"
        ),
        pytest.param("café.example", "xn--caf-dma.example", 1234, id="unicode"),
        pytest.param("XN--CAF-DMA.example.", "xn--caf-dma.example", 1234, id="idna"),
        pytest.param("10.hub", "10.hub", 1234, id="numeric-first-label"),
        pytest.param(LONGEST_NAME, LONGEST_NAME, 1234, id="253-characters"),
        pytest.param(LONGEST_NAME.upper() + ".", LONGEST_NAME, 1234, id="253-dot"),
    ],
)
def test_normalize_host(typed: str, host: str, port: int) -> None:
    """What the user typed becomes one clean host and port."""
    assert normalize_host(typed, 1234) == (host, port)


@pytest.mark.parametrize(
    "typed",
    [
        pytest.param("", id="empty"),
        pytest.param("hub name", id="inner-space"),
        # Schemes that are not the hub's.
        pytest.param("https://192.0.2.10", id="https"),
        pytest.param("javascript:alert(1)", id="javascript"),
        # Credentials, in every place they can hide.
        pytest.param("http://admin:secret@192.0.2.10:8080", id="credentials"),
        pytest.param("http://admin@192.0.2.10", id="user-only"),
        pytest.param("http://:secret@192.0.2.10", id="password-only"),
        # Paths, queries and fragments the hub does not have.
        pytest.param("http://192.0.2.10/admin", id="other-path"),
        pytest.param("http://192.0.2.10/?debug=1", id="query"),
        pytest.param("http://192.0.2.10/#top", id="fragment"),
        # No host, or ports that are not ports.
        pytest.param("http://:8080", id="no-host"),
        pytest.param("192.0.2.10:0", id="port-zero"),
        pytest.param("http://192.0.2.10:65536", id="port-too-big"),
        pytest.param("http://192.0.2.10:port", id="port-not-a-number"),
        pytest.param("http://[2001:db8::10", id="unclosed-bracket"),
        # Numbers dressed as names: the resolver would read them as another
        # address (octal, hexadecimal, shortened or whole IPv4 numbers).
        pytest.param("192.168.001.020", id="octal-ipv4"),
        pytest.param("0x7f.1", id="hex-ipv4"),
        pytest.param("192.0.2.10.", id="ipv4-trailing-dot"),
        pytest.param("hub-1.10", id="numeric-last-label"),
        # Labels a host name cannot have.
        pytest.param("-hub.example.com", id="label-starts-with-hyphen"),
        pytest.param("hub_1.example.com", id="underscore"),
        pytest.param("hub..example.com", id="empty-label"),
        pytest.param("xn--zz.example", id="broken-punycode"),
        pytest.param(f"{'a' * 64}.example.com", id="label-too-long"),
        # Characters that hide or inject.
        pytest.param("hub\x00.example", id="nul"),
        pytest.param("hub\u200b.example", id="zero-width-space"),
        pytest.param("192.0.2.10\r\nX-Injected: 1", id="header-injection"),
        # Length.
        pytest.param(LONGEST_NAME + "d", id="254-characters"),
        pytest.param("a" * 10_000, id="10000-characters"),
    ],
)
def test_normalize_host_refuses(typed: str) -> None:
    """What is no address of a hub is refused."""
    with pytest.raises(InvalidHostError):
        normalize_host(typed, 8080)


async def _submit(hass: HomeAssistant, host: Any, port: Any = PORT) -> Any:
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    return await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_HOST: host, CONF_PORT: port}
    )


@pytest.mark.usefixtures("mock_setup_entry")
@pytest.mark.parametrize(
    ("typed_port", "port"),
    [pytest.param("8081", 8081, id="text"), pytest.param(8082.0, 8082, id="float")],
)
async def test_port_field_read_as_a_whole_number(
    hass: HomeAssistant,
    aioclient_mock: AiohttpClientMocker,
    vendor_sample: dict[str, Any],
    typed_port: Any,
    port: int,
) -> None:
    """The frontend may send the port as text or a float: read as the number."""
    aioclient_mock.get(f"http://{HOST}:{port}/api/v1/instances", json=vendor_sample)

    result = await _submit(hass, HOST, typed_port)

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"] == {CONF_HOST: HOST, CONF_PORT: port}


@pytest.mark.parametrize(
    "typed_port",
    [
        pytest.param(0, id="zero"),
        pytest.param(65536, id="too-big"),
        pytest.param("http", id="text"),
        pytest.param(None, id="null"),
    ],
)
async def test_port_field_refuses_what_is_no_port(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker, typed_port: Any
) -> None:
    """The port field's schema refuses these; nothing is sent."""
    with pytest.raises(InvalidData) as caught:
        await _submit(hass, HOST, typed_port)

    assert list(caught.value.schema_errors) == [CONF_PORT]
    assert aioclient_mock.call_count == 0


@pytest.mark.parametrize(
    "typed_port",
    [pytest.param(8080.5, id="fraction"), pytest.param(float("nan"), id="nan")],
)
async def test_port_must_be_whole(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker, typed_port: float
) -> None:
    """The selector passes these; the step refuses them: 8080.5 is not port 8080."""
    result = await _submit(hass, HOST, typed_port)

    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {CONF_PORT: "invalid_port"}
    assert aioclient_mock.call_count == 0


class _NoSuchName(AbstractResolver):
    """Answers every name as a name server does for ``.invalid``: NXDOMAIN.

    The harness's own guard raises RuntimeError for any name, which no real
    resolver does; this fails the way a real one does, without leaving the
    machine.
    """

    def __init__(self) -> None:
        self.asked: list[str] = []

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        self.asked.append(host)
        raise OSError(socket.EAI_NONAME, "Name or service not known")

    async def close(self) -> None:
        """Nothing to close."""

    async def real_close(self) -> None:
        """Home Assistant closes its shared resolver with this, at stop."""


@pytest.fixture
def no_such_name() -> Generator[_NoSuchName]:
    """Home Assistant's shared session resolves names with this resolver."""
    resolver = _NoSuchName()
    with patch(
        "homeassistant.helpers.aiohttp_client._async_make_resolver",
        return_value=resolver,
    ):
        yield resolver


@pytest.mark.parametrize(
    ("typed_host", "asked"),
    [
        pytest.param("http://hub.invalid:8080/", "hub.invalid", id="url"),
        pytest.param("café.invalid.", "xn--caf-dma.invalid", id="unicode-name"),
    ],
)
async def test_name_that_does_not_resolve(
    hass: HomeAssistant, no_such_name: _NoSuchName, typed_host: str, asked: str
) -> None:
    """A name nobody knows ends in cannot_connect, over a real session."""
    result = await _submit(hass, typed_host)

    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "cannot_connect"}
    assert no_such_name.asked == [asked]
