"""Tests of the VidiGates config flow: user and reconfigure steps."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import aiohttp
from homeassistant.config_entries import SOURCE_USER, ConfigEntryState, ConfigFlowResult
from homeassistant.const import CONF_HOST, CONF_NAME, CONF_PORT
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import device_registry as dr
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.test_util.aiohttp import AiohttpClientMocker
from yarl import URL

from custom_components.vidigates.const import DOMAIN

from .conftest import HOST, INSTANCES_URL, PORT

TRANSLATIONS = (
    Path(__file__).parents[1]
    / "custom_components"
    / DOMAIN
    / "translations"
    / "en.json"
)
OTHER_HOST = "192.0.2.20"


def instances_url(host: str, port: int = PORT) -> str:
    """The URL the flow must read for a hub at host:port."""
    return str(URL.build(scheme="http", host=host, port=port, path="/api/v1/instances"))


def requested_urls(aioclient_mock: AiohttpClientMocker) -> list[URL]:
    """The URLs the flow asked for, in order."""
    return [URL(call[1]) for call in aioclient_mock.mock_calls]


def entry_state(entry: MockConfigEntry) -> ConfigEntryState:
    """An entry's state, read afresh (keeps type checkers from narrowing it)."""
    return entry.state


def suggested_values(result: ConfigFlowResult) -> dict[str, Any]:
    """The values a form shows in its fields."""
    schema = result["data_schema"]
    assert schema is not None
    return {str(key): key.description["suggested_value"] for key in schema.schema}


async def _start_user_flow(hass: HomeAssistant) -> str:
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "user"
    assert result["errors"] == {}
    flow_id: str = result["flow_id"]
    return flow_id


# Each failure the hub (or what sits at its address) can produce, with the
# error the form must show for it.
CONNECTION_FAILURES: list[Any] = [
    pytest.param(
        {"exc": aiohttp.ClientConnectionError("refused")},
        "cannot_connect",
        id="connection-refused",
    ),
    pytest.param({"exc": TimeoutError()}, "cannot_connect", id="timeout"),
    pytest.param({"json": {"hello": "world"}}, "invalid_response", id="other-json"),
    pytest.param({"text": "", "status": 404}, "invalid_response", id="http-error"),
    pytest.param({"exc": RuntimeError("surprise")}, "unknown", id="unexpected"),
]
# How the client reads each failure: tests/test_api.py.


@pytest.mark.parametrize(
    ("typed", "title", "host", "port"),
    [
        pytest.param(
            {CONF_HOST: HOST, CONF_PORT: PORT}, "VidiAccess", HOST, PORT, id="plain"
        ),
        # Leaving the port out uses the hub's default port.
        pytest.param({CONF_HOST: HOST}, "VidiAccess", HOST, 8080, id="default-port"),
        # The hub is called what the user typed; a blank name is the default.
        pytest.param(
            {CONF_HOST: HOST, CONF_PORT: PORT, CONF_NAME: "  Shop entrance "},
            "Shop entrance",
            HOST,
            PORT,
            id="named",
        ),
        pytest.param(
            {CONF_HOST: HOST, CONF_PORT: PORT, CONF_NAME: "   "},
            "VidiAccess",
            HOST,
            PORT,
            id="blank-name",
        ),
        # Every spelling's reading: normalize_host's table, test_config_flow_input.py.
        pytest.param(
            {CONF_HOST: f"http://{HOST}:9090/api/v1/instances", CONF_PORT: 8080},
            "VidiAccess",
            HOST,
            9090,
            id="api-url",
        ),
        pytest.param(
            {CONF_HOST: "HUB.Example.com.", CONF_PORT: 8081},
            "VidiAccess",
            "hub.example.com",
            8081,
            id="name",
        ),
        pytest.param(
            {CONF_HOST: "http://[2001:DB8::10]:9093/"},
            "VidiAccess",
            "2001:db8::10",
            9093,
            id="ipv6-url",
        ),
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
    """A hub that answers like a hub becomes an entry with a clean host and port.

    Only host *and* port together identify a hub: the one already at
    HOST:8081 is another hub.
    """
    MockConfigEntry(
        domain=DOMAIN, title="Back office", data={CONF_HOST: HOST, CONF_PORT: 8081}
    ).add_to_hass(hass)
    aioclient_mock.get(instances_url(host, port), json=vendor_sample)
    flow_id = await _start_user_flow(hass)

    result = await hass.config_entries.flow.async_configure(flow_id, typed)

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == title
    assert result["data"] == {CONF_HOST: host, CONF_PORT: port}
    # The mocker ignores ports when matching: check the one really asked for.
    assert requested_urls(aioclient_mock) == [URL(instances_url(host, port))]
    assert result["result"] in [call.args[1] for call in mock_setup_entry.mock_calls]


@pytest.mark.usefixtures("mock_setup_entry")
async def test_user_step_suggests_a_name_no_hub_has(
    hass: HomeAssistant, mock_hub: AiohttpClientMocker
) -> None:
    """The form offers "VidiAccess", then "VidiAccess 2" and on for more hubs."""
    for number, title in enumerate(("VidiAccess", "VidiAccess 2", "Back office")):
        MockConfigEntry(
            domain=DOMAIN, title=title, data={CONF_HOST: f"192.0.2.{number + 100}"}
        ).add_to_hass(hass)
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    assert result["data_schema"] is not None
    defaults = {str(key): key.default() for key in result["data_schema"].schema}
    assert defaults[CONF_NAME] == "VidiAccess 3"

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_HOST: HOST, CONF_PORT: PORT}
    )

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "VidiAccess 3"


async def test_a_named_hub_has_entity_ids_a_person_reads(
    hass: HomeAssistant, mock_hub: AiohttpClientMocker
) -> None:
    """Entity ids and the hub's device follow the name, not the address."""
    flow_id = await _start_user_flow(hass)

    await hass.config_entries.flow.async_configure(
        flow_id, {CONF_HOST: HOST, CONF_PORT: PORT}
    )
    await hass.async_block_till_done()

    assert hass.states.get("sensor.vidiaccess_occupancy") is not None
    assert hass.states.get("binary_sensor.vidiaccess_limit_reached") is not None
    entry = hass.config_entries.async_entries(DOMAIN)[0]
    hub = dr.async_get(hass).async_get_device_by_identifier(
        (DOMAIN, entry.entry_id), entry.entry_id
    )
    assert hub is not None
    assert hub.name == "VidiAccess"


@pytest.mark.usefixtures("mock_setup_entry")
@pytest.mark.parametrize(
    # What else is refused: normalize_host's table, test_config_flow_input.py.
    "typed_host",
    [
        pytest.param(f"http://admin:secret@{HOST}:8080", id="credentials"),
    ],
)
async def test_user_step_invalid_host_then_recovers(
    hass: HomeAssistant,
    mock_hub: AiohttpClientMocker,
    typed_host: str,
) -> None:
    """What is not a host is refused before any request, and can be corrected.

    The reconfigure step validates through the same code.
    """
    flow_id = await _start_user_flow(hass)

    result = await hass.config_entries.flow.async_configure(
        flow_id, {CONF_HOST: typed_host, CONF_PORT: PORT}
    )

    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "user"
    assert result["errors"] == {CONF_HOST: "invalid_host"}
    assert mock_hub.call_count == 0

    result = await hass.config_entries.flow.async_configure(
        flow_id, {CONF_HOST: HOST, CONF_PORT: PORT}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"] == {CONF_HOST: HOST, CONF_PORT: PORT}


@pytest.mark.usefixtures("mock_setup_entry")
@pytest.mark.parametrize(("answer", "error"), CONNECTION_FAILURES)
async def test_user_step_errors_then_recovers(
    hass: HomeAssistant,
    *,
    aioclient_mock: AiohttpClientMocker,
    vendor_sample: dict[str, Any],
    caplog: pytest.LogCaptureFixture,
    answer: dict[str, Any],
    error: str,
) -> None:
    """Each failure shows its error in the form; a second try in it succeeds.

    An unexpected error leaves its traceback in the log the error points to.
    """
    aioclient_mock.get(INSTANCES_URL, **answer)
    flow_id = await _start_user_flow(hass)

    result = await hass.config_entries.flow.async_configure(
        flow_id, {CONF_HOST: HOST, CONF_PORT: PORT}
    )

    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "user"
    assert result["errors"] == {"base": error}
    # What the user typed stays in the form, to be corrected.
    assert suggested_values(result) == {
        CONF_HOST: HOST,
        CONF_PORT: PORT,
        CONF_NAME: "VidiAccess",
    }
    unexpected = "Unexpected error while checking 192.0.2.10:8080"
    assert (unexpected in caplog.text) is (error == "unknown")
    assert ("RuntimeError: surprise" in caplog.text) is (error == "unknown")

    aioclient_mock.clear_requests()
    aioclient_mock.get(INSTANCES_URL, json=vendor_sample)
    result = await hass.config_entries.flow.async_configure(
        flow_id, {CONF_HOST: HOST, CONF_PORT: PORT}
    )

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"] == {CONF_HOST: HOST, CONF_PORT: PORT}


@pytest.mark.usefixtures("mock_setup_entry")
@pytest.mark.parametrize(
    "typed_host",
    [HOST, f"http://{HOST}:{PORT}/api/v1/instances"],
)
async def test_user_step_duplicate_aborts(
    hass: HomeAssistant,
    aioclient_mock: AiohttpClientMocker,
    mock_config_entry: MockConfigEntry,
    typed_host: str,
) -> None:
    """The same host and port, however typed, cannot be added twice.

    The hub is down here: the duplicate is refused without asking it.
    """
    aioclient_mock.get(INSTANCES_URL, exc=aiohttp.ClientConnectionError())
    mock_config_entry.add_to_hass(hass)
    flow_id = await _start_user_flow(hass)

    result = await hass.config_entries.flow.async_configure(
        flow_id, {CONF_HOST: typed_host, CONF_PORT: PORT}
    )

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
    assert len(hass.config_entries.async_entries(DOMAIN)) == 1
    assert aioclient_mock.call_count == 0


# --- reconfigure ------------------------------------------------------------


async def _start_reconfigure(hass: HomeAssistant, entry: MockConfigEntry) -> str:
    result = await entry.start_reconfigure_flow(hass)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reconfigure"
    assert result["errors"] == {}
    # The form starts from the address the entry has.
    assert suggested_values(result) == dict(entry.data)
    flow_id: str = result["flow_id"]
    return flow_id


@pytest.mark.parametrize(
    ("typed_host", "host", "port"),
    [
        (f"http://{OTHER_HOST}:8081", OTHER_HOST, 8081),
        # The entry's own address is not a duplicate of itself.
        (HOST, HOST, PORT),
    ],
)
async def test_reconfigure_moves_the_hub(
    hass: HomeAssistant,
    *,
    init_integration: MockConfigEntry,
    aioclient_mock: AiohttpClientMocker,
    vendor_sample: dict[str, Any],
    typed_host: str,
    host: str,
    port: int,
) -> None:
    """A new address that answers as the same hub updates and reloads the entry."""
    new_url = instances_url(host, port)
    aioclient_mock.clear_requests()
    aioclient_mock.get(new_url, json=vendor_sample)
    flow_id = await _start_reconfigure(hass, init_integration)

    result = await hass.config_entries.flow.async_configure(
        flow_id, {CONF_HOST: typed_host, CONF_PORT: PORT}
    )
    await hass.async_block_till_done()

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert dict(init_integration.data) == {CONF_HOST: host, CONF_PORT: port}
    assert init_integration.state is ConfigEntryState.LOADED
    # One read by the flow, one by the reloaded entry: both at the new address.
    assert requested_urls(aioclient_mock) == [URL(new_url), URL(new_url)]


@pytest.mark.parametrize(
    ("title", "new_title"),
    [
        pytest.param(
            f"VidiAccess hub {HOST}", f"VidiAccess hub {OTHER_HOST}", id="default"
        ),
        pytest.param("Shop entrance", "Shop entrance", id="chosen-by-user"),
    ],
)
async def test_reconfigure_title_follows_the_address(
    hass: HomeAssistant,
    *,
    mock_config_entry: MockConfigEntry,
    aioclient_mock: AiohttpClientMocker,
    vendor_sample: dict[str, Any],
    device_registry: dr.DeviceRegistry,
    title: str,
    new_title: str,
) -> None:
    """The default title names the address, so it moves; a chosen one stays."""
    aioclient_mock.get(INSTANCES_URL, json=vendor_sample)
    aioclient_mock.get(instances_url(OTHER_HOST), json=vendor_sample)
    mock_config_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(mock_config_entry, title=title)
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    flow_id = await _start_reconfigure(hass, mock_config_entry)

    result = await hass.config_entries.flow.async_configure(
        flow_id, {CONF_HOST: OTHER_HOST, CONF_PORT: PORT}
    )
    await hass.async_block_till_done()

    assert result["type"] is FlowResultType.ABORT
    assert mock_config_entry.title == new_title
    hub = device_registry.async_get_device_by_identifier(
        (DOMAIN, mock_config_entry.entry_id), mock_config_entry.entry_id
    )
    assert hub is not None
    assert hub.name == new_title
    assert hub.configuration_url is None


# One failure per error the form shows.
@pytest.mark.parametrize(("answer", "error"), CONNECTION_FAILURES[::2])
async def test_reconfigure_errors_then_recovers(
    hass: HomeAssistant,
    *,
    init_integration: MockConfigEntry,
    aioclient_mock: AiohttpClientMocker,
    vendor_sample: dict[str, Any],
    answer: dict[str, Any],
    error: str,
) -> None:
    """Each failure shows its error and leaves the entry alone until a success."""
    new_url = instances_url(OTHER_HOST)
    aioclient_mock.clear_requests()
    aioclient_mock.get(new_url, **answer)
    flow_id = await _start_reconfigure(hass, init_integration)

    result = await hass.config_entries.flow.async_configure(
        flow_id, {CONF_HOST: OTHER_HOST, CONF_PORT: PORT}
    )

    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reconfigure"
    assert result["errors"] == {"base": error}
    assert dict(init_integration.data) == {CONF_HOST: HOST, CONF_PORT: PORT}

    aioclient_mock.clear_requests()
    aioclient_mock.get(new_url, json=vendor_sample)
    result = await hass.config_entries.flow.async_configure(
        flow_id, {CONF_HOST: OTHER_HOST, CONF_PORT: PORT}
    )
    await hass.async_block_till_done()

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert dict(init_integration.data) == {CONF_HOST: OTHER_HOST, CONF_PORT: PORT}


async def test_reconfigure_onto_another_entry_aborts(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    aioclient_mock: AiohttpClientMocker,
    vendor_sample: dict[str, Any],
) -> None:
    """An entry cannot be moved onto the address of another entry, however typed."""
    other_host, typed_host = "hub.example", "HUB.Example."
    other = MockConfigEntry(
        domain=DOMAIN,
        title=f"VidiAccess hub {other_host}",
        data={CONF_HOST: other_host, CONF_PORT: PORT},
    )
    other.add_to_hass(hass)
    aioclient_mock.get(instances_url(other_host), json=vendor_sample)
    flow_id = await _start_reconfigure(hass, init_integration)
    calls = aioclient_mock.call_count

    result = await hass.config_entries.flow.async_configure(
        flow_id, {CONF_HOST: typed_host, CONF_PORT: PORT}
    )

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
    assert dict(init_integration.data) == {CONF_HOST: HOST, CONF_PORT: PORT}
    assert aioclient_mock.call_count == calls


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
    ("keys", "reason"),
    [
        pytest.param([(11111, 0), (22222, 0)], "different_hub", id="none-shared"),
        pytest.param([(11111, 0), (52190, 1)], "different_hub", id="same-box-other-no"),
        pytest.param(
            [(52190, 0), (99999, 0)], "reconfigure_successful", id="one-shared"
        ),
        pytest.param([], "reconfigure_successful", id="no-instances-cannot-tell"),
    ],
)
async def test_reconfigure_refuses_a_different_hub(
    hass: HomeAssistant,
    *,
    init_integration: MockConfigEntry,
    aioclient_mock: AiohttpClientMocker,
    vendor_sample: dict[str, Any],
    keys: list[tuple[int, int]],
    reason: str,
) -> None:
    """A hub sharing no instance with the entry's is another hub, not a move."""
    aioclient_mock.get(
        instances_url(OTHER_HOST), json=_hub_with_instances(vendor_sample, keys)
    )
    flow_id = await _start_reconfigure(hass, init_integration)

    result = await hass.config_entries.flow.async_configure(
        flow_id, {CONF_HOST: OTHER_HOST, CONF_PORT: PORT}
    )
    await hass.async_block_till_done()

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == reason
    expected_host = HOST if reason == "different_hub" else OTHER_HOST
    assert init_integration.data[CONF_HOST] == expected_host


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

    aioclient_mock.get(
        instances_url(OTHER_HOST),
        json=_hub_with_instances(vendor_sample, [(11111, 0)]),
    )
    flow_id = await _start_reconfigure(hass, mock_config_entry)
    result = await hass.config_entries.flow.async_configure(
        flow_id, {CONF_HOST: OTHER_HOST, CONF_PORT: PORT}
    )
    await hass.async_block_till_done()

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert dict(mock_config_entry.data) == {CONF_HOST: OTHER_HOST, CONF_PORT: PORT}
    assert entry_state(mock_config_entry) is ConfigEntryState.LOADED


# --- the forms in the frontend ---------------------------------------------


async def test_forms_reach_the_frontend(
    hass: HomeAssistant,
    hass_client: Any,
    mock_hub: AiohttpClientMocker,
) -> None:
    """The frontend draws the forms from their serialized schemas.

    A validator that cannot be serialized breaks "Add integration" with a 500,
    while every in-process flow test still passes: go through the web API.
    Each field has a label and a description (that each error and abort has
    its text: test_translations.py).
    """
    steps = json.loads(TRANSLATIONS.read_text(encoding="utf-8"))["config"]["step"]

    def fields_described(form: dict[str, Any]) -> set[str]:
        fields = {field["name"] for field in form["data_schema"]}
        step = steps[form["step_id"]]
        assert set(step["data"]) == set(step["data_description"]) == fields
        assert all(text.strip() for text in step["data_description"].values())
        assert step["title"].strip()
        return fields

    assert await async_setup_component(hass, "config", {})
    client = await hass_client()

    response = await client.post(
        "/api/config/config_entries/flow", json={"handler": DOMAIN}
    )
    assert response.status == 200
    form = await response.json()
    assert fields_described(form) == {CONF_HOST, CONF_PORT, CONF_NAME}
    fields = {field["name"]: field for field in form["data_schema"]}
    assert fields[CONF_NAME]["default"] == "VidiAccess"
    assert fields[CONF_PORT]["selector"]["number"]["mode"] == "box"

    response = await client.post(
        f"/api/config/config_entries/flow/{form['flow_id']}",
        json={CONF_HOST: HOST, CONF_PORT: PORT},
    )
    assert response.status == 200
    assert (await response.json())["type"] == "create_entry"

    entry = hass.config_entries.async_entries(DOMAIN)[0]
    response = await client.post(
        "/api/config/config_entries/flow",
        json={"handler": DOMAIN, "entry_id": entry.entry_id, "source": "reconfigure"},
    )
    assert response.status == 200
    form = await response.json()
    assert form["step_id"] == "reconfigure"
    assert fields_described(form) == {CONF_HOST, CONF_PORT}
