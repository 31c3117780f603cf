"""Hostile and odd input in the config flow's address form.

tests/test_config_flow.py covers the ordinary cases; these are the odd ones:
IPv6 in every spelling, names that are numbers in disguise, IDNA, control
characters, overlong input, ports that are not ports, and names that do not
resolve. Each ends in a clear error on the form or in one clean host and port,
and nothing that is refused sends a request.
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
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.test_util.aiohttp import AiohttpClientMocker
from yarl import URL

from custom_components.vidigates.config_flow import normalize_host
from custom_components.vidigates.const import DOMAIN

from .conftest import HOST, PORT

pytestmark = pytest.mark.usefixtures("mock_setup_entry")


def _instances_url(host: str, port: int) -> URL:
    return URL.build(scheme="http", host=host, port=port, path="/api/v1/instances")


async def _submit(hass: HomeAssistant, host: Any, port: Any = PORT) -> Any:
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    return await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_HOST: host, CONF_PORT: port}
    )


LONGEST_NAME = ".".join(("a" * 63, "b" * 63, "c" * 63, "d" * 61))
assert len(LONGEST_NAME) == 253


@pytest.mark.parametrize(
    ("typed_host", "typed_port", "host", "port"),
    [
        # IPv6, in every form a user may paste; stored in one spelling, so
        # that the duplicate check sees through the spellings.
        pytest.param("::1", 8080, "::1", 8080, id="ipv6-loopback"),
        pytest.param("[::1]", 8080, "::1", 8080, id="ipv6-loopback-brackets"),
        pytest.param("[::1]:8080", 1234, "::1", 8080, id="ipv6-brackets-port"),
        pytest.param("http://[::1]:8080", 1234, "::1", 8080, id="ipv6-url"),
        pytest.param(
            "http://[::1]:8080/api/v1/instances", 1234, "::1", 8080, id="ipv6-api-url"
        ),
        pytest.param("0:0:0:0:0:0:0:1", 8080, "::1", 8080, id="ipv6-long-form"),
        pytest.param("2001:DB8::A", 8080, "2001:db8::a", 8080, id="ipv6-uppercase"),
        pytest.param(
            "[2001:0db8:0000::0001]:9000", 8080, "2001:db8::1", 9000, id="ipv6-zeros"
        ),
        pytest.param(
            "::ffff:192.0.2.10", 8080, "::ffff:192.0.2.10", 8080, id="ipv4-mapped"
        ),
        # A colon-separated port needs brackets around IPv6: this is an address.
        pytest.param(
            "2001:db8::1:8080", 1234, "2001:db8::1:8080", 1234, id="ipv6-no-port"
        ),
        pytest.param("fe80::1%eth0", 8080, "fe80::1%eth0", 8080, id="ipv6-zone"),
        pytest.param(
            "http://[fe80::1%25eth0]:8081", 8080, "fe80::1%eth0", 8081, id="zone-url"
        ),
        # Names.
        pytest.param(
            "HTTP://Hub.Example.COM:8081/", 8080, "hub.example.com", 8081, id="case"
        ),
        pytest.param("localhost", 8080, "localhost", 8080, id="localhost"),
        pytest.param(
            "café.example", 8080, "xn--caf-dma.example", 8080, id="unicode-name"
        ),
        pytest.param(
            "xn--caf-dma.example", 8080, "xn--caf-dma.example", 8080, id="punycode"
        ),
        pytest.param("ÉCOLE.example", 8080, "xn--cole-9oa.example", 8080, id="idna"),
        pytest.param("10.hub", 8080, "10.hub", 8080, id="numeric-first-label"),
        pytest.param(LONGEST_NAME, 8080, LONGEST_NAME, 8080, id="253-characters"),
        # Whitespace around, a padded port, a port typed as text.
        pytest.param("\n192.0.2.10\t", 8080, "192.0.2.10", 8080, id="outer-space"),
        pytest.param("192.0.2.10:08080", 1234, "192.0.2.10", 8080, id="padded-port"),
        pytest.param("192.0.2.10", "8081", "192.0.2.10", 8081, id="port-as-text"),
        pytest.param("192.0.2.10", 8082.0, "192.0.2.10", 8082, id="port-as-float"),
    ],
)
async def test_normalised(
    hass: HomeAssistant,
    *,
    aioclient_mock: AiohttpClientMocker,
    vendor_sample: dict[str, Any],
    typed_host: str,
    typed_port: Any,
    host: str,
    port: int,
) -> None:
    """The entry keeps one clean host and port, and the hub is read there."""
    aioclient_mock.get(_instances_url(host, port), json=vendor_sample)

    result = await _submit(hass, typed_host, typed_port)

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"] == {CONF_HOST: host, CONF_PORT: port}
    assert [URL(call[1]) for call in aioclient_mock.mock_calls] == [
        _instances_url(host, port)
    ]


@pytest.mark.parametrize(
    "typed_host",
    [
        # Schemes that are not the hub's.
        pytest.param("javascript:alert(1)", id="javascript"),
        pytest.param("javascript://192.0.2.10/", id="javascript-slashes"),
        pytest.param("file:///etc/passwd", id="file"),
        pytest.param("ws://192.0.2.10:8080", id="websocket"),
        pytest.param("HTTPS://192.0.2.10", id="https-uppercase"),
        # Credentials, in every place they can hide.
        pytest.param("user@192.0.2.10", id="user-without-scheme"),
        pytest.param("http://:secret@192.0.2.10", id="password-only"),
        pytest.param("http://a%40b:c@192.0.2.10", id="encoded-credentials"),
        # Numbers dressed as names: the resolver would read them as another
        # address (octal, hexadecimal, shortened or whole IPv4 numbers).
        pytest.param("192.168.001.020", id="octal-ipv4"),
        pytest.param("0x7f.1", id="hex-ipv4"),
        pytest.param("1.2.3", id="short-ipv4"),
        pytest.param("3232235796", id="ipv4-as-one-number"),
        pytest.param("192.0.2.256", id="ipv4-out-of-range"),
        pytest.param("192.0.2.10.", id="ipv4-trailing-dot"),
        pytest.param("hub-1.10", id="numeric-last-label"),
        pytest.param("http://[192.0.2.10]", id="ipv4-in-brackets"),
        # Ports that are not ports.
        pytest.param("192.0.2.10:0", id="port-zero"),
        pytest.param("http://192.0.2.10:65536", id="port-too-big"),
        pytest.param("192.0.2.10:8080:9090", id="two-ports"),
        pytest.param(":8080", id="port-only"),
        # Characters that hide or inject.
        pytest.param("hub\x00.example", id="nul"),
        pytest.param("192.0.2.10\x00", id="trailing-nul"),
        pytest.param("hub\u200b.example", id="zero-width-space"),
        pytest.param("hub\u202e.example", id="right-to-left-override"),
        pytest.param("192.0.2.10\r\nX-Injected: 1", id="header-injection"),
        pytest.param("hub\x7f.example", id="delete"),
        pytest.param("*.example", id="wildcard"),
        pytest.param("xn--zz.example", id="broken-punycode"),
        pytest.param("hub.example..", id="two-trailing-dots"),
        # Length.
        pytest.param(LONGEST_NAME + "d", id="254-characters"),
        pytest.param("a" * 10_000, id="10000-characters"),
        pytest.param("http://" + "a." * 5_000 + "example", id="10000-in-a-url"),
        pytest.param("[" * 10_000, id="brackets"),
    ],
)
async def test_refused_before_any_request(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker, typed_host: str
) -> None:
    """What is no address of a hub is refused on the form, and nothing is sent."""
    result = await _submit(hass, typed_host)

    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {CONF_HOST: "invalid_host"}
    assert aioclient_mock.call_count == 0


@pytest.mark.parametrize(
    "typed_port",
    [
        pytest.param(0, id="zero"),
        pytest.param(-1, id="negative"),
        pytest.param(65536, id="too-big"),
        pytest.param(float("inf"), id="infinity"),
        pytest.param("http", id="text"),
        pytest.param(None, id="null"),
    ],
)
async def test_port_field_refuses_what_is_no_port(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker, typed_port: Any
) -> None:
    """The port field's schema refuses it: 8080.5 is not quietly port 8080."""
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


@pytest.mark.parametrize(
    ("existing", "typed_host"),
    [
        pytest.param("::1", "0:0:0:0:0:0:0:1", id="ipv6-spelling"),
        pytest.param("2001:db8::a", "[2001:DB8:0::A]", id="ipv6-case-and-zeros"),
        pytest.param("xn--caf-dma.example", "café.example", id="idna"),
        pytest.param("hub.example.com", "HTTP://HUB.EXAMPLE.COM/", id="name-case"),
        pytest.param("hub.example", "hub.example.", id="trailing-dot"),
        pytest.param("hub.example", "http://Hub.Example.:8080/", id="dot-case-url"),
    ],
)
async def test_one_hub_in_another_spelling_is_a_duplicate(
    hass: HomeAssistant,
    aioclient_mock: AiohttpClientMocker,
    existing: str,
    typed_host: str,
) -> None:
    """Spellings of one address are one hub: the second is refused, unasked."""
    MockConfigEntry(
        domain=DOMAIN, data={CONF_HOST: existing, CONF_PORT: PORT}
    ).add_to_hass(hass)

    result = await _submit(hass, typed_host)

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
    assert aioclient_mock.call_count == 0


@pytest.mark.parametrize(
    ("typed_host", "host", "port"),
    [
        pytest.param("hub.example", "hub.example", 8080, id="canonical"),
        pytest.param("hub.example.", "hub.example", 8080, id="trailing-dot"),
        pytest.param("Hub.Example", "hub.example", 8080, id="case"),
        pytest.param("HUB.EXAMPLE.", "hub.example", 8080, id="case-and-dot"),
        pytest.param("http://Hub.Example.:8081/", "hub.example", 8081, id="url"),
        pytest.param("vidiaccess.", "vidiaccess", 8080, id="single-label-dot"),
        pytest.param("XN--CAF-DMA.example.", "xn--caf-dma.example", 8080, id="idna"),
        pytest.param("CAFÉ.example.", "xn--caf-dma.example", 8080, id="unicode"),
        pytest.param(
            LONGEST_NAME.upper() + ".", LONGEST_NAME, 8080, id="253-characters-dot"
        ),
    ],
)
def test_one_spelling_per_name(typed_host: str, host: str, port: int) -> None:
    """A name is stored in lower case without the root's dot: DNS reads them alike."""
    assert normalize_host(typed_host, 8080) == (host, port)


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
        pytest.param("hub.invalid", "hub.invalid", id="name"),
        pytest.param("http://hub.invalid:8080/", "hub.invalid", id="url"),
        pytest.param("café.invalid", "xn--caf-dma.invalid", id="unicode-name"),
        pytest.param("hub.invalid.", "hub.invalid", id="fully-qualified"),
    ],
)
async def test_name_that_does_not_resolve(
    hass: HomeAssistant,
    no_such_name: _NoSuchName,
    vendor_sample: dict[str, Any],
    typed_host: str,
    asked: str,
) -> None:
    """A name nobody knows ends in cannot_connect, over a real session."""
    result = await _submit(hass, typed_host)

    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "cannot_connect"}
    assert no_such_name.asked == [asked]
