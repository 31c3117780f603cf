"""The actions vidigates.set, vidigates.set_type and adjust_occupancy.

What input is refused: one table per check, at the function making it
(``whole_number`` and ``adjusted`` in helpers.py also serve the number
entities; ``_reset_time`` and ``_gate_type`` in services.py). The actions end to
end: which field goes through which check, the exact request each sends, and
that a refused call sends nothing.
"""

from __future__ import annotations

import copy
from datetime import time
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
from custom_components.vidigates.const import DOMAIN, MAX_PEOPLE
from custom_components.vidigates.helpers import adjusted, whole_number
from custom_components.vidigates.models import GateType, ResetTime
from custom_components.vidigates.services import _gate_type, _reset_time

from .conftest import INSTANCES_URL, SET_URL, hub_requests, setup_integration, state_of

ENTRY_ID = "01JVIDIGATESTESTENTRY00000"
OCCUPANCY_SENSOR = "sensor.vidiaccess_hub_192_0_2_10_occupancy"
THRESHOLD_SENSOR = "sensor.vidiaccess_hub_192_0_2_10_occupancy_limit"
RESET_TIME = "time.vidiaccess_hub_192_0_2_10_daily_reset_time"
DAILY_RESET = "switch.vidiaccess_hub_192_0_2_10_daily_reset"
GATE_TYPE_52190 = "select.box_52190_gate_type"

ANSWER = {"current": 40, "threshold": 50, "reset_time": {"hour": 23, "minute": 0}}
SET_TYPE = {"boxid": 52190, "number": 0, "gate_type": "in"}


def _refused(call: Any, *args: Any) -> ServiceValidationError:
    """The translated validation error ``call(*args)`` raises."""
    with pytest.raises(ServiceValidationError) as caught:
        call(*args)
    assert caught.value.translation_domain == DOMAIN
    return caught.value


@pytest.mark.parametrize(
    ("value", "read"),
    [
        (0, 0),
        (MAX_PEOPLE, MAX_PEOPLE),
        # A template renders numbers as floats: a whole one is that number.
        (12.0, 12),
    ],
)
def test_whole_number_accepts(value: Any, read: int) -> None:
    assert type(whole_number(value, "occupancy", 0, MAX_PEOPLE)) is int
    assert whole_number(value, "occupancy", 0, MAX_PEOPLE) == read


@pytest.mark.parametrize(
    "value",
    # A bool is an int to Python, but `occupancy: true` is a mistake.
    [12.5, float("nan"), float("inf"), True, "12", None],
)
def test_whole_number_refuses_what_is_not_one(value: Any) -> None:
    """Anything but a whole number is refused, naming the field and the value."""
    err = _refused(whole_number, value, "occupancy", 0, MAX_PEOPLE)

    assert err.translation_key == "not_whole_number"
    assert err.translation_placeholders == {"field": "occupancy", "value": repr(value)}


@pytest.mark.parametrize(
    ("value", "minimum", "shown"),
    [
        (-1, 0, "-1"),
        (MAX_PEOPLE + 1, 0, "1000001"),
        (1e30, 0, str(int(1e30))),
        (-MAX_PEOPLE - 1, -MAX_PEOPLE, "-1000001"),
    ],
)
def test_whole_number_refuses_out_of_range(
    value: float, minimum: int, shown: str
) -> None:
    """A whole number outside the bounds is refused, with the bounds."""
    err = _refused(whole_number, value, "delta", minimum, MAX_PEOPLE)

    assert err.translation_key == "out_of_range"
    assert err.translation_placeholders == {
        "field": "delta",
        "value": shown,
        "minimum": str(minimum),
        "maximum": str(MAX_PEOPLE),
    }


@pytest.mark.parametrize(
    ("value", "read"),
    [
        ("23:00", ResetTime(23, 0)),
        (" 06:30 ", ResetTime(6, 30)),
        # What the time selector sends; the hub keeps no seconds: dropped.
        ("07:45:59", ResetTime(7, 45)),
        (time(5, 15, 59), ResetTime(5, 15)),
        (None, None),  # No daily reset.
    ],
)
def test_reset_time_accepts(value: Any, read: ResetTime | None) -> None:
    assert _reset_time(value) == read


@pytest.mark.parametrize(
    "value",
    [
        "7 pm",
        "25:00",
        "23:60",
        "23:00:60",
        "",
        "23:00Z",
        "23:00:00:00",
        # What int() or dt_util.parse_time would read as something else.
        "2_3:00",
        "+23:+00",
        "23: 00",
        2300,
        True,
        {"hour": 23, "minute": 0},
    ],
)
def test_reset_time_refuses(value: Any) -> None:
    """A reset time written wrong is refused, not guessed."""
    err = _refused(_reset_time, value)

    assert err.translation_key == "invalid_reset_time"
    assert err.translation_placeholders == {"value": repr(value)}


@pytest.mark.parametrize("value", ["in", "out", "both", GateType.BOTH])
def test_gate_type_accepts(value: Any) -> None:
    """The three documented spellings, as the hub writes them."""
    assert _gate_type(value) is GateType(value)


@pytest.mark.parametrize("value", ["IN", " in", None])
def test_gate_type_refuses(value: Any) -> None:
    """Anything else is refused, listing what is accepted."""
    err = _refused(_gate_type, value)

    assert err.translation_key == "invalid_gate_type"
    assert err.translation_placeholders == {
        "value": repr(value),
        "options": "in, out, both",
    }


@pytest.mark.parametrize(
    ("current", "delta", "sent"),
    [
        (40, 3, 43),
        (40, 0, 40),
        # A negative delta from a count of 0 or more stops at 0.
        (40, -100, 0),
        (0, -1, 0),
        # Up to the maximum, exactly.
        (MAX_PEOPLE - 5, 5, MAX_PEOPLE),
        # From below 0 (exits after the daily reset): exactly the sum.
        (-3, 5, 2),
    ],
)
def test_adjusted(current: int, delta: int, sent: int) -> None:
    assert adjusted(current, delta, MAX_PEOPLE) == sent


@pytest.mark.parametrize(
    ("current", "delta"),
    [
        # Clamping to the maximum would lower the count.
        (2 * MAX_PEOPLE, 5),
        (MAX_PEOPLE - 1, 5),
        (2 * MAX_PEOPLE, 0),
        # Flooring a negative count at 0 would raise it.
        (-3, -1),
        # Still below 0 after the change: the hub cannot be set there.
        (-10, 3),
        (-5, 0),
    ],
)
def test_adjusted_refuses_what_it_cannot_send(current: int, delta: int) -> None:
    """The count changes by delta or not at all: nothing else is ever sent."""
    err = _refused(adjusted, current, delta, MAX_PEOPLE)

    assert err.translation_key == "adjust_out_of_range"
    assert err.translation_placeholders == {
        "current": str(current),
        "delta": f"{delta:+d}",
        "result": str(current + delta),
        "maximum": str(MAX_PEOPLE),
    }


# --- the actions, end to end -----------------------------------------------


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


async def test_registered_and_described_without_entries(hass: HomeAssistant) -> None:
    """The actions exist before any hub; services.yaml lists every field read."""
    assert await async_setup_component(hass, DOMAIN, {})
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


@pytest.mark.usefixtures("init_integration")
@pytest.mark.parametrize(
    ("data", "body", "answer", "shown"),
    [
        (
            # What the time selector sends (the hub has no seconds); a
            # template renders 5.0 for 5.
            {"occupancy": 5.0, "threshold": 0, "reset_time": "06:30:45"},
            {"occupancy": 5, "threshold": 0, "reset_time": {"hour": 6, "minute": 30}},
            {"current": 5, "threshold": 0, "reset_time": {"hour": 6, "minute": 30}},
            {OCCUPANCY_SENSOR: "5", THRESHOLD_SENSOR: "0", RESET_TIME: "06:30:00"},
        ),
        (
            {"reset_time": None},
            {"reset_time": None},
            {**ANSWER, "reset_time": None},
            {RESET_TIME: "unknown", DAILY_RESET: "off"},
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
    """Only the fields given (the client's table: test_api.py), in one POST.

    The answer shows at once and is returned, the reset time written as the
    time entity writes it.
    """
    aioclient_mock.mock_calls.clear()
    aioclient_mock.post(SET_URL, json=answer)

    response = await _call(hass, "set", data, return_response=True)

    assert hub_requests(aioclient_mock) == [("POST", SET_URL, body)]
    assert {entity_id: state_of(hass, entity_id) for entity_id in shown} == shown
    reset_time = answer["reset_time"]
    assert response == {
        "current": answer["current"],
        "threshold": answer["threshold"],
        "reset_time": None if reset_time is None else shown[RESET_TIME],
    }


NO_SUCH_ENTRY: dict[str, Any] = {"config_entry_id": "no-such-entry"}


@pytest.mark.usefixtures("init_integration")
@pytest.mark.parametrize(
    ("service", "data", "translation_key", "message"),
    [
        # Which field goes through which check, with which bounds (each check's
        # own table is above). One bad field spoils the call: nothing is sent.
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
        ("set", {"occupancy": 12, "reset_time": "noon"}, "invalid_reset_time", "noon"),
        (
            "set_type",
            # The box exists, but not with that number.
            {**SET_TYPE, "number": 1},
            "unknown_instance",
            "^VidiAccess hub 192.0.2.10 has no .* BoxID 52190 and number 1$",
        ),
        ("set_type", {**SET_TYPE, "gate_type": "IN "}, "invalid_gate_type", "IN "),
        ("set_type", {**SET_TYPE, "boxid": "52190"}, "not_whole_number", "boxid"),
        ("set_type", {**SET_TYPE, "number": -1}, "out_of_range", "number"),
        # Refused before even the fresh read.
        ("adjust_occupancy", {"delta": -1_000_001}, "out_of_range", "delta"),
        # Which hub (every action finds it alike): translated on every
        # release, older ones through ours.
        (
            "set",
            {"occupancy": 1, **NO_SUCH_ENTRY},
            "service_config_entry_not_found",
            "no-such-entry was not",
        ),
        (
            "set",
            {"config_entry_id": "OTHER", "occupancy": 1},
            "service_config_entry_wrong_domain",
            "does not belong to integration vidigates",
        ),
        (
            "set",
            {"config_entry_id": "NOT_LOADED", "occupancy": 1},
            "service_config_entry_not_loaded",
            "for integration vidigates is not loaded",
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
    MockConfigEntry(domain=DOMAIN, entry_id="NOT_LOADED").add_to_hass(hass)
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
@pytest.mark.parametrize(
    ("service", "data"),
    [
        ("set", {"occupancy": 1}),
        ("set_type", SET_TYPE),
        ("adjust_occupancy", {"delta": 1}),
    ],
)
@pytest.mark.parametrize(
    "change",
    [
        pytest.param({"ocupancy": 5}, id="misspelt-field"),
        pytest.param({"config_entry_id": None}, id="no-entry"),
        pytest.param({"config_entry_id": [ENTRY_ID]}, id="list"),
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


async def test_the_chosen_hub_is_the_one_written(
    hass: HomeAssistant,
    aioclient_mock: AiohttpClientMocker,
    init_integration: MockConfigEntry,
    vendor_sample: dict[str, Any],
) -> None:
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
        DOMAIN, "set", {"config_entry_id": "SECONDHUB", "occupancy": 3}, blocking=True
    )

    assert hub_requests(aioclient_mock) == [
        ("POST", f"{second_base}/api/v1/set", {"occupancy": 3})
    ]
    assert state_of(hass, OCCUPANCY_SENSOR) == "40"
    assert state_of(hass, "sensor.vidiaccess_hub_192_0_2_20_occupancy") == "3"


@pytest.mark.usefixtures("init_integration")
@pytest.mark.parametrize(
    ("hub_now", "delta", "sent"),
    [
        # What is sent for each count and delta: test_adjusted.
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
    """A fresh read, then one POST /set of the sum; the hub's answer is returned.

    What the fresh read brought (a new gate type here) shows as well.
    """
    fresh = copy.deepcopy(vendor_sample)
    fresh["instances"][1]["gate_type"] = "both"
    aioclient_mock.clear_requests()
    aioclient_mock.get(INSTANCES_URL, json={**fresh, "current": hub_now})
    aioclient_mock.post(SET_URL, json={**ANSWER, "current": sent})

    response = await _call(
        hass, "adjust_occupancy", {"delta": delta}, return_response=True
    )

    assert response == {"current": sent, "threshold": 50, "reset_time": "23:00:00"}
    assert hub_requests(aioclient_mock) == [
        ("GET", INSTANCES_URL, None),
        ("POST", SET_URL, {"occupancy": sent}),
    ]
    assert state_of(hass, OCCUPANCY_SENSOR) == str(sent)
    assert state_of(hass, GATE_TYPE_52190) == "both"


# The error class, its translation key, and how its message reads.
ADJUST_REFUSED = (
    ServiceValidationError,
    "adjust_out_of_range",
    re.escape(
        "Cannot change the occupancy of 2000000 by +5: 2000005 is outside 0 to "
        "1000000, the occupancies the hub can be set to; nothing was sent"
    )
    + "$",
)
NOT_CONFIRMED = (
    HomeAssistantError,
    "write_invalid_response",
    "The VidiAccess hub did not confirm",
)
CANNOT_CONNECT = (
    HomeAssistantError,
    "write_cannot_connect",
    "Could not send the change to the",
)


@pytest.mark.usefixtures("init_integration")
@pytest.mark.parametrize(
    ("hub_now", "posted", "sent", "error"),
    [
        # Only the read is sent; the message gives the count, the change, why.
        (2_000_000, {"json": ANSWER}, ["GET"], ADJUST_REFUSED),
        (40, {"status": 502}, ["GET", "POST"], NOT_CONFIRMED),
        # Without a fresh count nothing is set: a guess could be far off.
        (None, {"json": ANSWER}, ["GET"], CANNOT_CONNECT),
    ],
)
async def test_adjust_occupancy_refused_or_failed(
    hass: HomeAssistant,
    aioclient_mock: AiohttpClientMocker,
    vendor_sample: dict[str, Any],
    *,
    hub_now: int | None,
    posted: dict[str, Any],
    sent: list[str],
    error: tuple[type[HomeAssistantError], str, str],
) -> None:
    """A translated error, nothing wrong sent; the entities keep the real values.

    The other writes' hub failures: test_controls.py (translate_hub_errors).
    """
    aioclient_mock.clear_requests()
    if hub_now is None:
        aioclient_mock.get(INSTANCES_URL, exc=aiohttp.ClientConnectionError())
    else:
        aioclient_mock.get(INSTANCES_URL, json={**vendor_sample, "current": hub_now})
    aioclient_mock.post(SET_URL, **posted)

    with pytest.raises(HomeAssistantError) as err:
        await _call(hass, "adjust_occupancy", {"delta": 5})

    error_class, translation_key, message = error
    assert type(err.value) is error_class
    assert err.value.translation_domain == DOMAIN
    assert err.value.translation_key == translation_key
    assert re.match(message, str(err.value))
    assert [method for method, _url, _body in hub_requests(aioclient_mock)] == sent
    assert state_of(hass, OCCUPANCY_SENSOR) == "40"
