"""Tests of the actions vidigates.set, vidigates.set_type and adjust_occupancy."""

from __future__ import annotations

import copy
import re
from typing import Any

import aiohttp
from homeassistant.const import CONF_HOST, CONF_PORT
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers.service import async_get_all_descriptions
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.test_util.aiohttp import AiohttpClientMocker

from custom_components.vidigates.compat import probatio
from custom_components.vidigates.const import DOMAIN

from .conftest import (
    INSTANCES_URL,
    SET_TYPE_URL,
    SET_URL,
    hub_requests,
    setup_integration,
    state_of,
)

ENTRY_ID = "01JVIDIGATESTESTENTRY00000"
OCCUPANCY_SENSOR = "sensor.vidiaccess_hub_192_0_2_10_occupancy"
THRESHOLD_SENSOR = "sensor.vidiaccess_hub_192_0_2_10_occupancy_limit"
RESET_TIME = "time.vidiaccess_hub_192_0_2_10_daily_reset_time"
DAILY_RESET = "switch.vidiaccess_hub_192_0_2_10_daily_reset"
GATE_TYPE_52190 = "select.box_52190_gate_type"

ANSWER = {"current": 40, "threshold": 50, "reset_time": {"hour": 23, "minute": 0}}


async def _call(
    hass: HomeAssistant,
    service: str,
    data: dict[str, Any],
    *,
    return_response: bool = False,
) -> Any:
    return await hass.services.async_call(
        DOMAIN,
        service,
        {"config_entry_id": ENTRY_ID, **data},
        blocking=True,
        return_response=return_response,
    )


async def test_registered_once_without_entries(hass: HomeAssistant) -> None:
    """The actions exist as soon as the integration is, before any hub."""
    assert await async_setup_component(hass, DOMAIN, {})
    for service in ("set", "set_type", "adjust_occupancy"):
        assert hass.services.has_service(DOMAIN, service)


@pytest.mark.usefixtures("init_integration")
async def test_described_for_the_ui(hass: HomeAssistant) -> None:
    """services.yaml is valid and lists every field the handlers read."""
    descriptions = (await async_get_all_descriptions(hass))[DOMAIN]

    assert {
        service: set(description["fields"])
        for service, description in descriptions.items()
    } == {
        "set": {"config_entry_id", "occupancy", "threshold", "reset_time"},
        "set_type": {"config_entry_id", "boxid", "number", "gate_type"},
        "adjust_occupancy": {"config_entry_id", "delta"},
    }
    picker = descriptions["set"]["fields"]["config_entry_id"]
    assert picker["required"] is True
    assert picker["selector"] == {"config_entry": {"integration": DOMAIN}}


# --- vidigates.set --------------------------------------------------------------


@pytest.mark.usefixtures("init_integration")
@pytest.mark.parametrize(
    ("data", "body", "answer", "shown"),
    [
        (
            # What the time selector sends; the hub has no seconds.
            {"reset_time": "06:30:45"},
            {"reset_time": {"hour": 6, "minute": 30}},
            {**ANSWER, "reset_time": {"hour": 6, "minute": 30}},
            {RESET_TIME: "06:30:00"},
        ),
        (
            {"reset_time": None},
            {"reset_time": None},
            {**ANSWER, "reset_time": None},
            {RESET_TIME: "unknown", DAILY_RESET: "off"},
        ),
        (
            # A template that renders 5.0 means 5.
            {"occupancy": 5.0},
            {"occupancy": 5},
            {**ANSWER, "current": 5},
            {OCCUPANCY_SENSOR: "5"},
        ),
        (
            {"occupancy": 0, "threshold": 0, "reset_time": "00:00"},
            {
                "occupancy": 0,
                "threshold": 0,
                "reset_time": {"hour": 0, "minute": 0},
            },
            {"current": 0, "threshold": 0, "reset_time": {"hour": 0, "minute": 0}},
            {OCCUPANCY_SENSOR: "0", THRESHOLD_SENSOR: "0", RESET_TIME: "00:00:00"},
        ),
    ],
)
async def test_set(
    hass: HomeAssistant,
    aioclient_mock: AiohttpClientMocker,
    *,
    data: dict[str, Any],
    body: dict[str, Any],
    answer: dict[str, Any],
    shown: dict[str, str],
) -> None:
    """Only the fields given are sent, in one POST; the answer shows at once."""
    aioclient_mock.mock_calls.clear()
    aioclient_mock.post(SET_URL, json=answer)

    assert await _call(hass, "set", data) is None

    assert hub_requests(aioclient_mock) == [("POST", SET_URL, body)]
    for entity_id, expected in shown.items():
        assert state_of(hass, entity_id) == expected


@pytest.mark.usefixtures("init_integration")
@pytest.mark.parametrize(
    ("service", "data", "reset_time", "shown"),
    [
        ("set", {"occupancy": 12}, {"hour": 23, "minute": 0}, "23:00:00"),
        ("set", {"occupancy": 12}, None, None),
        ("adjust_occupancy", {"delta": -28}, {"hour": 23, "minute": 0}, "23:00:00"),
    ],
)
async def test_returns_the_hubs_answer(
    hass: HomeAssistant,
    aioclient_mock: AiohttpClientMocker,
    *,
    service: str,
    data: dict[str, Any],
    reset_time: dict[str, int] | None,
    shown: str | None,
) -> None:
    """Asked for a response, the action returns the values now in force."""
    answer = {"current": 12, "threshold": 50, "reset_time": reset_time}
    aioclient_mock.post(SET_URL, json=answer)

    result = await _call(hass, service, data, return_response=True)

    assert result == {"current": 12, "threshold": 50, "reset_time": shown}


VALID_CALLS = [
    pytest.param("set", {"occupancy": 1}, id="set"),
    pytest.param(
        "set_type", {"boxid": 52190, "number": 0, "gate_type": "in"}, id="set_type"
    ),
    pytest.param("adjust_occupancy", {"delta": 1}, id="adjust_occupancy"),
]
NO_SUCH_ENTRY: dict[str, Any] = {"config_entry_id": "no-such-entry"}
NOT_FOUND = "service_config_entry_not_found"


@pytest.mark.usefixtures("init_integration")
@pytest.mark.parametrize(
    ("service", "data", "translation_key", "message"),
    [
        # One of each check (each one's table: test_service_input.py). One
        # bad field spoils the call: nothing of it is sent.
        ("set", {}, "nothing_to_set", "^Give at least one of occupancy, threshold"),
        ("set", {"occupancy": 1_000_001}, "out_of_range", "occupancy must be"),
        (
            "set",
            {"occupancy": 12, "threshold": -5},
            "out_of_range",
            "^threshold must be between 0 and 1000000, not -5$",
        ),
        (
            "set",
            {"occupancy": True},
            "not_whole_number",
            "^occupancy must be a whole number, not True$",
        ),
        (
            "set",
            {"occupancy": 12, "reset_time": "noon"},
            "invalid_reset_time",
            "noon",
        ),
        (
            "set_type",
            # The box exists, but not with that number.
            {"boxid": 52190, "number": 1, "gate_type": "in"},
            "unknown_instance",
            "^VidiAccess hub 192.0.2.10 has no .* BoxID 52190 and number 1$",
        ),
        (
            "set_type",
            {"boxid": 99999, "number": 0, "gate_type": "in"},
            "unknown_instance",
            "99999",
        ),
        (
            "set_type",
            {"boxid": 52190, "number": 0, "gate_type": "IN "},
            "invalid_gate_type",
            "IN ",
        ),
        (
            "set_type",
            {"boxid": "52190", "number": 0, "gate_type": "in"},
            "not_whole_number",
            "boxid",
        ),
        (
            "set_type",
            {"boxid": 52190, "number": -1, "gate_type": "in"},
            "out_of_range",
            "number",
        ),
        (
            "set_type",
            {"boxid": 1_000_000_001, "number": 0, "gate_type": "in"},
            "out_of_range",
            "boxid",
        ),
        # Refused before even the fresh read.
        ("adjust_occupancy", {"delta": "3"}, "not_whole_number", "delta"),
        ("adjust_occupancy", {"delta": -1_000_001}, "out_of_range", "delta"),
        # Which hub: translated on every release, older ones through ours.
        ("set", {"occupancy": 1, **NO_SUCH_ENTRY}, NOT_FOUND, "no-such-entry was not"),
        (
            "set_type",
            {"boxid": 52190, "number": 0, "gate_type": "in", **NO_SUCH_ENTRY},
            NOT_FOUND,
            "no-such-entry was not found",
        ),
        ("adjust_occupancy", {"delta": 1, **NO_SUCH_ENTRY}, NOT_FOUND, "no-such-entry"),
        (
            "set",
            {"config_entry_id": "OTHER", "occupancy": 1},
            "service_config_entry_wrong_domain",
            "does not belong to integration vidigates",
        ),
    ],
)
async def test_refused(
    hass: HomeAssistant,
    aioclient_mock: AiohttpClientMocker,
    *,
    service: str,
    data: dict[str, Any],
    translation_key: str,
    message: str,
) -> None:
    """A user mistake is a translated validation error; the hub hears nothing."""
    MockConfigEntry(domain="other_integration", entry_id="OTHER").add_to_hass(hass)
    aioclient_mock.mock_calls.clear()

    with pytest.raises(ServiceValidationError) as err:
        await _call(hass, service, data)

    assert err.value.translation_key == translation_key
    if not translation_key.startswith("service_config_entry"):
        assert err.value.translation_domain == DOMAIN
    assert re.search(message, str(err.value))
    assert hub_requests(aioclient_mock) == []
    assert state_of(hass, OCCUPANCY_SENSOR) == "40"


@pytest.mark.usefixtures("init_integration")
@pytest.mark.parametrize(("service", "data"), VALID_CALLS)
@pytest.mark.parametrize(
    "change",
    [
        pytest.param({"ocupancy": 5}, id="misspelt-field"),
        pytest.param({"config_entry_id": None}, id="no-entry"),
        pytest.param({"config_entry_id": ["01JVIDIGATESTESTENTRY00000"]}, id="list"),
    ],
)
async def test_schema_refuses(
    hass: HomeAssistant,
    aioclient_mock: AiohttpClientMocker,
    *,
    service: str,
    data: dict[str, Any],
    change: dict[str, Any],
) -> None:
    """An unknown field is refused, never ignored; so is a call naming no hub."""
    aioclient_mock.mock_calls.clear()
    call = {"config_entry_id": ENTRY_ID, **data, **change}
    call = {key: value for key, value in call.items() if value is not None}

    with pytest.raises(probatio.Invalid):
        await hass.services.async_call(DOMAIN, service, call, blocking=True)

    assert hub_requests(aioclient_mock) == []


async def test_unloaded_config_entry(
    hass: HomeAssistant,
    aioclient_mock: AiohttpClientMocker,
    init_integration: MockConfigEntry,
) -> None:
    """A hub whose entry is unloaded is a validation error; nothing is sent."""
    assert await hass.config_entries.async_unload(init_integration.entry_id)
    await hass.async_block_till_done()
    aioclient_mock.mock_calls.clear()

    with pytest.raises(ServiceValidationError) as err:
        await _call(hass, "set", {"occupancy": 1})

    assert err.value.translation_key == "service_config_entry_not_loaded"
    assert "for integration vidigates is not loaded" in str(err.value)
    assert hub_requests(aioclient_mock) == []


@pytest.mark.usefixtures("init_integration")
@pytest.mark.parametrize(
    ("service", "data", "failure", "translation_key", "sent"),
    [
        (
            "set",
            {"occupancy": 12, "threshold": 80},
            {"exc": aiohttp.ClientConnectionError()},
            "write_cannot_connect",
            ["POST"],
        ),
        (
            "set",
            {"occupancy": 12, "threshold": 80},
            {"status": 500, "text": "oops"},
            "write_invalid_response",
            ["POST"],
        ),
        (
            "set",
            {"occupancy": 12},
            {"json": {"current": "many", "threshold": 50, "reset_time": None}},
            "write_invalid_response",
            ["POST"],
        ),
        # Nothing is re-read after a refused /set_type.
        (
            "set_type",
            {"boxid": 52190, "number": 0, "gate_type": "out"},
            {"status": 500, "text": "oops"},
            "write_invalid_response",
            ["POST"],
        ),
        (
            "adjust_occupancy",
            {"delta": 3},
            {"status": 502, "text": "bad gateway"},
            "write_invalid_response",
            ["GET", "POST"],
        ),
        # Without a fresh count nothing is set: a guess could be far off.
        ("adjust_occupancy", {"delta": 3}, None, "write_cannot_connect", ["GET"]),
    ],
)
async def test_hub_failure(
    hass: HomeAssistant,
    aioclient_mock: AiohttpClientMocker,
    vendor_sample: dict[str, Any],
    *,
    service: str,
    data: dict[str, Any],
    failure: dict[str, Any] | None,
    translation_key: str,
    sent: list[str],
) -> None:
    """A hub failure is a translated error; the entities keep the real values."""
    aioclient_mock.clear_requests()
    if failure is None:
        aioclient_mock.get(INSTANCES_URL, exc=aiohttp.ClientConnectionError())
        failure = {"json": ANSWER}
    else:
        aioclient_mock.get(INSTANCES_URL, json=vendor_sample)
    aioclient_mock.post(SET_TYPE_URL if service == "set_type" else SET_URL, **failure)

    with pytest.raises(HomeAssistantError) as err:
        await _call(hass, service, data)

    assert not isinstance(err.value, ServiceValidationError)
    assert err.value.translation_domain == DOMAIN
    assert err.value.translation_key == translation_key
    assert [method for method, _url, _body in hub_requests(aioclient_mock)] == sent
    assert state_of(hass, OCCUPANCY_SENSOR) == "40"
    assert state_of(hass, THRESHOLD_SENSOR) == "50"
    assert state_of(hass, GATE_TYPE_52190) == "in"


async def test_the_chosen_hub_is_the_one_written(
    hass: HomeAssistant,
    aioclient_mock: AiohttpClientMocker,
    init_integration: MockConfigEntry,
    vendor_sample: dict[str, Any],
) -> None:
    """With two hubs, the action talks to the one its entry names."""
    second_base = "http://192.0.2.20:8080"
    aioclient_mock.get(f"{second_base}/api/v1/instances", json=vendor_sample)
    aioclient_mock.post(f"{second_base}/api/v1/set", json={**ANSWER, "current": 3})
    second = MockConfigEntry(
        domain=DOMAIN,
        title="VidiAccess hub 192.0.2.20",
        data={CONF_HOST: "192.0.2.20", CONF_PORT: 8080},
        entry_id="SECONDHUB",
    )
    await setup_integration(hass, second)
    aioclient_mock.mock_calls.clear()

    await hass.services.async_call(
        DOMAIN,
        "set",
        {"config_entry_id": "SECONDHUB", "occupancy": 3},
        blocking=True,
    )

    assert hub_requests(aioclient_mock) == [
        ("POST", f"{second_base}/api/v1/set", {"occupancy": 3})
    ]
    assert state_of(hass, OCCUPANCY_SENSOR) == "40"
    assert state_of(hass, "sensor.vidiaccess_hub_192_0_2_20_occupancy") == "3"


# --- vidigates.set_type ---------------------------------------------------------


@pytest.mark.usefixtures("init_integration")
async def test_set_type(
    hass: HomeAssistant,
    aioclient_mock: AiohttpClientMocker,
    vendor_sample: dict[str, Any],
) -> None:
    """POST /set_type for the instance, then a read that shows it at once."""
    changed = copy.deepcopy(vendor_sample)
    changed["instances"][1]["gate_type"] = "out"
    aioclient_mock.clear_requests()
    aioclient_mock.post(SET_TYPE_URL, json={})
    aioclient_mock.get(INSTANCES_URL, json=changed)

    assert (
        await _call(hass, "set_type", {"boxid": 52190, "number": 0, "gate_type": "out"})
        is None
    )

    assert hub_requests(aioclient_mock) == [
        ("POST", SET_TYPE_URL, {"boxid": 52190, "number": 0, "gate_type": "out"}),
        ("GET", INSTANCES_URL, None),
    ]
    assert state_of(hass, GATE_TYPE_52190) == "out"


# --- vidigates.adjust_occupancy ------------------------------------------------


@pytest.mark.usefixtures("init_integration")
@pytest.mark.parametrize(
    ("hub_now", "delta", "sent"),
    [
        # What is sent for each count and delta: test_service_input.py.
        (40, -100, 0),
        # Read fresh: the hub has 45 now, not the 40 of the last poll.
        (45, 3, 48),
        (40, 7.0, 47),
    ],
)
async def test_adjust_occupancy(
    hass: HomeAssistant,
    aioclient_mock: AiohttpClientMocker,
    vendor_sample: dict[str, Any],
    *,
    hub_now: int,
    delta: float,
    sent: int,
) -> None:
    """A fresh read, then one POST /set of the sum, floored at 0.

    What the fresh read brought (a new gate type here) shows as well.
    """
    fresh = copy.deepcopy(vendor_sample)
    fresh["instances"][1]["gate_type"] = "both"
    aioclient_mock.clear_requests()
    aioclient_mock.get(INSTANCES_URL, json={**fresh, "current": hub_now})
    aioclient_mock.post(SET_URL, json={**ANSWER, "current": sent})

    assert await _call(hass, "adjust_occupancy", {"delta": delta}) is None

    assert hub_requests(aioclient_mock) == [
        ("GET", INSTANCES_URL, None),
        ("POST", SET_URL, {"occupancy": sent}),
    ]
    assert state_of(hass, OCCUPANCY_SENSOR) == str(sent)
    assert state_of(hass, GATE_TYPE_52190) == "both"


@pytest.mark.usefixtures("init_integration")
async def test_adjust_occupancy_refuses_a_result_it_cannot_send(
    hass: HomeAssistant,
    aioclient_mock: AiohttpClientMocker,
    vendor_sample: dict[str, Any],
) -> None:
    """Only the read is sent; the message gives the count, the change and why."""
    aioclient_mock.clear_requests()
    aioclient_mock.get(INSTANCES_URL, json={**vendor_sample, "current": 2_000_000})
    aioclient_mock.post(SET_URL, json=ANSWER)

    with pytest.raises(ServiceValidationError) as err:
        await _call(hass, "adjust_occupancy", {"delta": 5})

    assert err.value.translation_key == "adjust_out_of_range"
    assert str(err.value) == (
        "Cannot change the occupancy of 2000000 by +5: 2000005 is outside 0 to "
        "1000000, the occupancies the hub can be set to; nothing was sent"
    )
    assert hub_requests(aioclient_mock) == [("GET", INSTANCES_URL, None)]
