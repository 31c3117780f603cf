"""The config flow: what the address field accepts, then the user and reconfigure steps.

``normalize_host`` reads every spelling a user may type or paste (one table);
the flows run only a few representatives of each step and error.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
import socket
from typing import Any
from unittest.mock import patch

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult
from homeassistant.config_entries import SOURCE_USER, ConfigEntryState, ConfigFlowResult
from homeassistant.const import CONF_HOST, CONF_NAME, CONF_PORT
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType, InvalidData
from homeassistant.helpers import device_registry as dr
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.test_util.aiohttp import AiohttpClientMocker
from yarl import URL

from custom_components.vidigates.config_flow import InvalidHostError, normalize_host
from custom_components.vidigates.const import DOMAIN

from .conftest import HOST, INSTANCES_URL, PORT, entry_state

TRANSLATIONS = Path(__file__).parents[1] / "custom_components/vidigates/translations"
OTHER_HOST = "192.0.2.20"
LONGEST_NAME = ".".join(("a" * 63, "b" * 63, "c" * 63, "d" * 61))
assert len(LONGEST_NAME) == 253


@pytest.mark.parametrize(
    ("typed", "host", "port"),
    [
        # Pasted URLs and host:port: a port typed in the host field wins.
        ("http://192.0.2.10:8080", "192.0.2.10", 8080),
        ("http://192.0.2.10:9090/api/v1/instances", "192.0.2.10", 9090),
        ("http://192.0.2.10/", "192.0.2.10", 1234),
        ("192.0.2.10:9091", "192.0.2.10", 9091),
        ("\n192.0.2.10\t", "192.0.2.10", 1234),
        # IPv6, in every form a user may paste; stored in one spelling, so
        # that the duplicate check sees through the spellings.
        ("::1", "::1", 1234),
        ("[::1]:8080", "::1", 8080),
        ("http://[::1]:8080", "::1", 8080),
        ("0:0:0:0:0:0:0:1", "::1", 1234),
        ("[2001:0db8:0000::0001]:9000", "2001:db8::1", 9000),
        # A colon-separated port needs brackets around IPv6: this is an address.
        ("2001:db8::1:8080", "2001:db8::1:8080", 1234),
        ("http://[fe80::1%25eth0]:8081", "fe80::1%eth0", 8081),
        # Names: one spelling each (DNS ignores case; a trailing dot is the root).
        ("vidiaccess", "vidiaccess", 1234),
        ("HUB.EXAMPLE.", "hub.example", 1234),
        ("HTTP://Hub.Example.COM:8081/", "hub.example.com", 8081),
        ("café.example", "xn--caf-dma.example", 1234),
        ("XN--CAF-DMA.example.", "xn--caf-dma.example", 1234),
        ("10.hub", "10.hub", 1234),
        (LONGEST_NAME, LONGEST_NAME, 1234),
        (LONGEST_NAME.upper() + ".", LONGEST_NAME, 1234),
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


def instances_url(host: str, port: int = PORT) -> str:
    return str(URL.build(scheme="http", host=host, port=port, path="/api/v1/instances"))


def requested_urls(aioclient_mock: AiohttpClientMocker) -> list[URL]:
    return [URL(call[1]) for call in aioclient_mock.mock_calls]


def suggested_values(result: ConfigFlowResult) -> dict[str, Any]:
    schema = result["data_schema"]
    assert schema is not None
    return {str(key): key.description["suggested_value"] for key in schema.schema}


async def _start(hass: HomeAssistant, entry: MockConfigEntry | None = None) -> str:
    """Open the user form, or the entry's reconfigure form: no errors yet."""
    if entry is None:
        result = await hass.config_entries.flow.async_init(
            DOMAIN, context={"source": SOURCE_USER}
        )
    else:
        result = await entry.start_reconfigure_flow(hass)
        # The form starts from the address the entry has.
        assert suggested_values(result) == dict(entry.data)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == ("user" if entry is None else "reconfigure")
    assert result["errors"] == {}
    flow_id: str = result["flow_id"]
    return flow_id


async def _configure(hass: HomeAssistant, flow_id: str, **typed: Any) -> Any:
    result = await hass.config_entries.flow.async_configure(flow_id, typed)
    await hass.async_block_till_done()
    return result


# --- user step -------------------------------------------------------------


# The name suggested is one no hub has: "VidiAccess", then "VidiAccess 2"...
NEXT_NAME = "VidiAccess 3"


@pytest.mark.parametrize(
    ("typed", "title", "host", "port"),
    [
        # Without a port, the hub's default; a port in the host field wins.
        ({CONF_HOST: HOST}, NEXT_NAME, HOST, 8080),
        ({CONF_HOST: "http://[2001:DB8::10]:9093/"}, NEXT_NAME, "2001:db8::10", 9093),
        # The frontend may send the port as text or a float: read as the number.
        ({CONF_HOST: HOST, CONF_PORT: "9091"}, NEXT_NAME, HOST, 9091),
        ({CONF_HOST: HOST, CONF_PORT: 9092.0}, NEXT_NAME, HOST, 9092),
        # The hub is called what the user typed; a blank name is the default.
        ({CONF_HOST: HOST, CONF_NAME: "  Shop entrance "}, "Shop entrance", HOST, 8080),
        ({CONF_HOST: HOST, CONF_NAME: "   "}, NEXT_NAME, HOST, 8080),
    ],
)
async def test_user_step_creates_entry(
    hass: HomeAssistant,
    *,
    aioclient_mock: AiohttpClientMocker,
    vendor_sample: dict[str, Any],
    mock_setup_entry: Any,
    typed: dict[str, Any],
    title: str,
    host: str,
    port: int,
) -> None:
    """A hub that answers like one becomes an entry with a clean host and port.

    Only host *and* port together identify a hub: the one at HOST:8081 is another.
    """
    for taken, address in (
        ("VidiAccess", {CONF_HOST: "192.0.2.100"}),
        ("VidiAccess 2", {CONF_HOST: "192.0.2.101"}),
        ("Back office", {CONF_HOST: HOST, CONF_PORT: 8081}),
    ):
        MockConfigEntry(domain=DOMAIN, title=taken, data=address).add_to_hass(hass)
    aioclient_mock.get(instances_url(host, port), json=vendor_sample)

    result = await _configure(hass, await _start(hass), **typed)

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert (result["title"], result["data"]) == (
        title,
        {CONF_HOST: host, CONF_PORT: port},
    )
    # The mocker ignores ports when matching: check the one really asked for.
    assert requested_urls(aioclient_mock) == [URL(instances_url(host, port))]
    assert result["result"] in [call.args[1] for call in mock_setup_entry.mock_calls]


@pytest.mark.usefixtures("mock_setup_entry")
@pytest.mark.parametrize(
    ("typed", "answer", "errors"),
    [
        # Refused before any request (the reconfigure step validates alike).
        (
            {CONF_HOST: f"http://admin:secret@{HOST}:8080"},
            None,
            {CONF_HOST: "invalid_host"},
        ),
        # The selector passes these; the step refuses them: 8080.5 is not 8080.
        ({CONF_PORT: 8080.5}, None, {CONF_PORT: "invalid_port"}),
        ({CONF_PORT: float("nan")}, None, {CONF_PORT: "invalid_port"}),
        # How the client reads each failure: tests/test_api.py.
        ({}, {"exc": aiohttp.ClientConnectionError()}, {"base": "cannot_connect"}),
        ({}, {"exc": TimeoutError()}, {"base": "cannot_connect"}),
        ({}, {"json": {"hello": "world"}}, {"base": "invalid_response"}),
        ({}, {"text": "", "status": 404}, {"base": "invalid_response"}),
        ({}, {"exc": RuntimeError("surprise")}, {"base": "unknown"}),
    ],
)
async def test_user_step_errors_then_recovers(
    hass: HomeAssistant,
    *,
    aioclient_mock: AiohttpClientMocker,
    vendor_sample: dict[str, Any],
    caplog: pytest.LogCaptureFixture,
    typed: dict[str, Any],
    answer: dict[str, Any] | None,
    errors: dict[str, str],
) -> None:
    """Each failure shows its error, keeping what was typed; a second try succeeds.

    An unexpected error leaves its traceback in the log the error points to.
    """
    aioclient_mock.get(INSTANCES_URL, **(answer or {"json": vendor_sample}))
    flow_id = await _start(hass)
    typed = {CONF_HOST: HOST, CONF_PORT: PORT, **typed}

    result = await _configure(hass, flow_id, **typed)

    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "user"
    assert result["errors"] == errors
    assert suggested_values(result) == {**typed, CONF_NAME: "VidiAccess"}
    assert len(requested_urls(aioclient_mock)) == (0 if answer is None else 1)
    unexpected = errors == {"base": "unknown"}
    assert ("Unexpected error while checking 192.0.2.10:8080" in caplog.text) is (
        unexpected
    )
    assert ("RuntimeError: surprise" in caplog.text) is unexpected

    aioclient_mock.clear_requests()
    aioclient_mock.get(INSTANCES_URL, json=vendor_sample)
    result = await _configure(hass, flow_id, host=HOST, port=PORT)

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"] == {CONF_HOST: HOST, CONF_PORT: PORT}


@pytest.mark.parametrize("typed_port", [0, 65536, "http", None])
async def test_port_field_refuses_what_is_no_port(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker, typed_port: Any
) -> None:
    """The port field's schema refuses these; nothing is sent."""
    flow_id = await _start(hass)

    with pytest.raises(InvalidData) as caught:
        await _configure(hass, flow_id, host=HOST, port=typed_port)

    assert list(caught.value.schema_errors) == [CONF_PORT]
    assert aioclient_mock.call_count == 0


@pytest.mark.usefixtures("mock_setup_entry")
async def test_user_step_duplicate_aborts(
    hass: HomeAssistant,
    aioclient_mock: AiohttpClientMocker,
    mock_config_entry: MockConfigEntry,
) -> None:
    """The same host and port, however typed, cannot be added twice.

    The hub is down here: the duplicate is refused without asking it.
    """
    aioclient_mock.get(INSTANCES_URL, exc=aiohttp.ClientConnectionError())
    mock_config_entry.add_to_hass(hass)
    flow_id = await _start(hass)

    result = await _configure(
        hass, flow_id, host=f"http://{HOST}:{PORT}/api/v1/instances", port=PORT
    )

    assert (result["type"], result["reason"]) == (
        FlowResultType.ABORT,
        "already_configured",
    )
    assert len(hass.config_entries.async_entries(DOMAIN)) == 1
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

    async def close(self) -> None: ...

    # Home Assistant closes its shared resolver with this, at stop.
    async def real_close(self) -> None: ...


async def test_name_that_does_not_resolve(hass: HomeAssistant) -> None:
    """A name nobody knows ends in cannot_connect, over a real session.

    The resolver is asked for the name's IDNA form.
    """
    resolver = _NoSuchName()
    # The resolver of Home Assistant's shared session.
    with patch(
        "homeassistant.helpers.aiohttp_client._async_make_resolver",
        return_value=resolver,
    ):
        result = await _configure(
            hass, await _start(hass), host="café.invalid.", port=PORT
        )

    assert result["errors"] == {"base": "cannot_connect"}
    assert resolver.asked == ["xn--caf-dma.invalid"]


# --- reconfigure ------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "typed_host", "host", "port", "new_title"),
    [
        # The default title names the address, so it moves; a chosen one stays.
        (
            f"VidiAccess hub {HOST}",
            f"http://{OTHER_HOST}:8081",
            OTHER_HOST,
            8081,
            f"VidiAccess hub {OTHER_HOST}",
        ),
        ("Shop entrance", OTHER_HOST, OTHER_HOST, PORT, "Shop entrance"),
        # The entry's own address is not a duplicate of itself.
        (f"VidiAccess hub {HOST}", HOST, HOST, PORT, f"VidiAccess hub {HOST}"),
    ],
)
async def test_reconfigure_moves_the_hub(
    hass: HomeAssistant,
    *,
    mock_config_entry: MockConfigEntry,
    aioclient_mock: AiohttpClientMocker,
    vendor_sample: dict[str, Any],
    device_registry: dr.DeviceRegistry,
    title: str,
    typed_host: str,
    host: str,
    port: int,
    new_title: str,
) -> None:
    """A new address that answers as the same hub updates and reloads the entry.

    A failure first shows its error (each failure's: the user step's table)
    and leaves the entry alone.
    """
    aioclient_mock.get(INSTANCES_URL, json=vendor_sample)
    mock_config_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(mock_config_entry, title=title)
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    new_url = instances_url(host, port)
    aioclient_mock.clear_requests()
    aioclient_mock.get(new_url, json={"hello": "world"})
    flow_id = await _start(hass, mock_config_entry)

    result = await _configure(hass, flow_id, host=typed_host, port=PORT)

    assert (result["step_id"], result["errors"]) == (
        "reconfigure",
        {"base": "invalid_response"},
    )
    assert dict(mock_config_entry.data) == {CONF_HOST: HOST, CONF_PORT: PORT}

    aioclient_mock.clear_requests()
    aioclient_mock.get(new_url, json=vendor_sample)
    result = await _configure(hass, flow_id, host=typed_host, port=PORT)

    assert (result["type"], result["reason"]) == (
        FlowResultType.ABORT,
        "reconfigure_successful",
    )
    assert dict(mock_config_entry.data) == {CONF_HOST: host, CONF_PORT: port}
    assert entry_state(mock_config_entry) is ConfigEntryState.LOADED
    # One read by the flow, one by the reloaded entry: both at the new address.
    assert requested_urls(aioclient_mock) == [URL(new_url), URL(new_url)]
    assert mock_config_entry.title == new_title
    hub = device_registry.async_get_device_by_identifier(
        (DOMAIN, mock_config_entry.entry_id), mock_config_entry.entry_id
    )
    assert hub is not None
    assert (hub.name, hub.configuration_url) == (new_title, None)


def _hub_with_instances(
    sample: dict[str, Any], keys: list[tuple[int, int]]
) -> dict[str, Any]:
    """The sample hub, listing instances with the given (boxid, number) keys."""
    payload = copy.deepcopy(sample)
    template = payload["instances"][1]
    payload["instances"] = [
        {**template, "boxid": boxid, "number": number, "name": f"Box #{boxid}"}
        for boxid, number in keys
    ]
    return payload


@pytest.mark.parametrize(
    ("typed_host", "keys", "reason", "sent"),
    [
        # Sharing no instance with the entry's hub: another hub, not a move.
        (OTHER_HOST, [(11111, 0), (22222, 0)], "different_hub", 1),
        (OTHER_HOST, [(11111, 0), (52190, 1)], "different_hub", 1),
        # One read by the flow, one by the reloaded entry.
        (OTHER_HOST, [(52190, 0), (99999, 0)], "reconfigure_successful", 2),
        # A hub listing no instances: cannot tell.
        (OTHER_HOST, [], "reconfigure_successful", 2),
        # Another entry's address, however typed: refused without asking.
        ("HUB.Example.", [(52190, 0)], "already_configured", 0),
    ],
)
async def test_reconfigure_checks_it_is_the_same_hub(
    hass: HomeAssistant,
    *,
    init_integration: MockConfigEntry,
    aioclient_mock: AiohttpClientMocker,
    vendor_sample: dict[str, Any],
    typed_host: str,
    keys: list[tuple[int, int]],
    reason: str,
    sent: int,
) -> None:
    MockConfigEntry(
        domain=DOMAIN, data={CONF_HOST: "hub.example", CONF_PORT: PORT}
    ).add_to_hass(hass)
    payload = _hub_with_instances(vendor_sample, keys)
    aioclient_mock.get(instances_url(OTHER_HOST), json=payload)
    aioclient_mock.get(instances_url("hub.example"), json=payload)
    flow_id = await _start(hass, init_integration)
    calls = aioclient_mock.call_count

    result = await _configure(hass, flow_id, host=typed_host, port=PORT)

    assert (result["type"], result["reason"]) == (FlowResultType.ABORT, reason)
    moved = reason == "reconfigure_successful"
    assert init_integration.data[CONF_HOST] == (OTHER_HOST if moved else HOST)
    assert aioclient_mock.call_count - calls == sent


async def test_reconfigure_an_entry_that_never_loaded(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    aioclient_mock: AiohttpClientMocker,
    vendor_sample: dict[str, Any],
) -> None:
    """A hub that moved while Home Assistant was off can be pointed at again.

    The entry never read the hub, so there is nothing to compare with.
    """
    aioclient_mock.get(INSTANCES_URL, exc=aiohttp.ClientConnectionError())
    mock_config_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    assert entry_state(mock_config_entry) is ConfigEntryState.SETUP_RETRY
    other_hub = _hub_with_instances(vendor_sample, [(11111, 0)])
    aioclient_mock.get(instances_url(OTHER_HOST), json=other_hub)

    flow_id = await _start(hass, mock_config_entry)
    result = await _configure(hass, flow_id, host=OTHER_HOST, port=PORT)

    assert result["reason"] == "reconfigure_successful"
    assert dict(mock_config_entry.data) == {CONF_HOST: OTHER_HOST, CONF_PORT: PORT}
    assert entry_state(mock_config_entry) is ConfigEntryState.LOADED


# --- the forms in the frontend ---------------------------------------------


async def test_forms_reach_the_frontend(
    hass: HomeAssistant,
    hass_client: Any,
    mock_hub: AiohttpClientMocker,
    device_registry: dr.DeviceRegistry,
) -> None:
    """The frontend draws the forms from their serialized schemas.

    A validator that cannot be serialized breaks "Add integration" with a 500,
    while every in-process flow test still passes: go through the web API.
    Each field has a label and a description (that each error and abort has
    its text: test_translations.py). The new hub's entity ids and device
    follow its name, not its address.
    """
    en = json.loads((TRANSLATIONS / "en.json").read_text(encoding="utf-8"))
    steps = en["config"]["step"]

    def fields_described(form: dict[str, Any]) -> set[str]:
        fields = {field["name"] for field in form["data_schema"]}
        step = steps[form["step_id"]]
        assert set(step["data"]) == set(step["data_description"]) == fields
        assert all(text.strip() for text in step["data_description"].values())
        assert step["title"].strip()
        return fields

    assert await async_setup_component(hass, "config", {})
    client = await hass_client()
    flows = "/api/config/config_entries/flow"

    response = await client.post(flows, json={"handler": DOMAIN})
    assert response.status == 200
    form = await response.json()
    assert fields_described(form) == {CONF_HOST, CONF_PORT, CONF_NAME}
    fields = {field["name"]: field for field in form["data_schema"]}
    assert fields[CONF_NAME]["default"] == "VidiAccess"
    assert fields[CONF_PORT]["selector"]["number"]["mode"] == "box"

    response = await client.post(
        f"{flows}/{form['flow_id']}", json={CONF_HOST: HOST, CONF_PORT: PORT}
    )
    assert response.status == 200
    assert (await response.json())["type"] == "create_entry"
    await hass.async_block_till_done()
    assert hass.states.get("sensor.vidiaccess_occupancy") is not None
    assert hass.states.get("binary_sensor.vidiaccess_limit_reached") is not None
    entry = hass.config_entries.async_entries(DOMAIN)[0]
    hub = device_registry.async_get_device_by_identifier(
        (DOMAIN, entry.entry_id), entry.entry_id
    )
    assert hub is not None
    assert hub.name == "VidiAccess"

    response = await client.post(
        flows,
        json={"handler": DOMAIN, "entry_id": entry.entry_id, "source": "reconfigure"},
    )
    assert response.status == 200
    form = await response.json()
    assert form["step_id"] == "reconfigure"
    assert fields_described(form) == {CONF_HOST, CONF_PORT}
