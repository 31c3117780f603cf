"""Tests of the gate type selects, one per instance."""

from __future__ import annotations

import copy
from typing import Any

import aiohttp
from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.select.const import ATTR_OPTIONS, DOMAIN as SELECT_DOMAIN
from homeassistant.const import (
    ATTR_ENTITY_ID,
    ATTR_OPTION,
    SERVICE_SELECT_OPTION,
    Platform,
)
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)
from pytest_homeassistant_custom_component.test_util.aiohttp import AiohttpClientMocker
from syrupy.assertion import SnapshotAssertion

from custom_components.vidigates.const import SCAN_INTERVAL

from .conftest import (
    INSTANCES_URL,
    SET_TYPE_URL,
    assert_platform_snapshot,
    async_poll,
    hub_requests,
    serve_instances,
    state_of,
)

GATE_TYPE_52190 = "select.box_52190_gate_type"
GATE_TYPE_74117 = "select.box_74117_gate_type"
ENTRIES = "sensor.vidiaccess_hub_192_0_2_10_entries"
EXITS = "sensor.vidiaccess_hub_192_0_2_10_exits"


def _with_gate_type(
    sample: dict[str, Any], boxid: int, gate_type: str
) -> dict[str, Any]:
    """The sample as the hub shows it once ``boxid`` has a new gate type."""
    payload = copy.deepcopy(sample)
    for instance in payload["instances"]:
        if instance["boxid"] == boxid:
            instance["gate_type"] = gate_type
    return payload


async def _select(hass: HomeAssistant, entity_id: str, option: str) -> None:
    await hass.services.async_call(
        SELECT_DOMAIN,
        SERVICE_SELECT_OPTION,
        {ATTR_ENTITY_ID: entity_id, ATTR_OPTION: option},
        blocking=True,
    )


async def test_entities(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    mock_hub: AiohttpClientMocker,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
) -> None:
    """One select per instance, its registry entry and state."""
    await assert_platform_snapshot(
        hass, mock_config_entry, Platform.SELECT, entity_registry, snapshot
    )


@pytest.mark.usefixtures("init_integration")
async def test_states_and_options(hass: HomeAssistant) -> None:
    """Each instance shows its own gate type; the options are the hub's three."""
    assert state_of(hass, GATE_TYPE_52190) == "in"
    assert state_of(hass, GATE_TYPE_74117) == "both"
    state = hass.states.get(GATE_TYPE_52190)
    assert state is not None
    assert state.attributes[ATTR_OPTIONS] == ["in", "out", "both"]


@pytest.mark.usefixtures("init_integration")
@pytest.mark.parametrize(
    ("entity_id", "boxid", "number", "option"),
    [
        (GATE_TYPE_52190, 52190, 0, "out"),
        (GATE_TYPE_52190, 52190, 0, "both"),
        (GATE_TYPE_74117, 74117, 1, "in"),
    ],
)
async def test_select_option(
    hass: HomeAssistant,
    aioclient_mock: AiohttpClientMocker,
    vendor_sample: dict[str, Any],
    *,
    entity_id: str,
    boxid: int,
    number: int,
    option: str,
) -> None:
    """POST /set_type for that instance, then one read that shows it at once."""
    aioclient_mock.clear_requests()
    aioclient_mock.post(SET_TYPE_URL, json={})
    aioclient_mock.get(
        INSTANCES_URL, json=_with_gate_type(vendor_sample, boxid, option)
    )

    await _select(hass, entity_id, option)

    assert hub_requests(aioclient_mock) == [
        (
            "POST",
            SET_TYPE_URL,
            {"boxid": boxid, "number": number, "gate_type": option},
        ),
        ("GET", INSTANCES_URL, None),
    ]
    assert state_of(hass, entity_id) == option


@pytest.mark.usefixtures("init_integration")
async def test_a_new_gate_type_counts_from_now(
    hass: HomeAssistant,
    aioclient_mock: AiohttpClientMocker,
    vendor_sample: dict[str, Any],
    freezer: FrozenDateTimeFactory,
) -> None:
    """Exits counted from the change on: the day's earlier ones add nobody."""
    assert (state_of(hass, ENTRIES), state_of(hass, EXITS)) == ("40", "0")
    aioclient_mock.clear_requests()
    aioclient_mock.post(SET_TYPE_URL, json={})
    answer = _with_gate_type(vendor_sample, 52190, "both")
    aioclient_mock.get(INSTANCES_URL, json=answer)

    await _select(hass, GATE_TYPE_52190, "both")

    assert (state_of(hass, ENTRIES), state_of(hass, EXITS)) == ("40", "0")
    answer = copy.deepcopy(answer)
    answer["instances"][1]["gates"][0]["out"] += 5
    serve_instances(aioclient_mock, json=answer)
    await async_poll(hass, freezer)
    assert (state_of(hass, ENTRIES), state_of(hass, EXITS)) == ("40", "5")


@pytest.mark.usefixtures("init_integration")
async def test_changes_in_a_row_each_show_at_once(
    hass: HomeAssistant,
    aioclient_mock: AiohttpClientMocker,
    vendor_sample: dict[str, Any],
) -> None:
    """A second change right after the first is not held back by a debouncer."""
    for option in ("out", "both", "in"):
        aioclient_mock.clear_requests()
        aioclient_mock.post(SET_TYPE_URL, json={})
        aioclient_mock.get(
            INSTANCES_URL, json=_with_gate_type(vendor_sample, 52190, option)
        )

        await _select(hass, GATE_TYPE_52190, option)

        assert state_of(hass, GATE_TYPE_52190) == option


@pytest.mark.usefixtures("init_integration")
async def test_unknown_option_sends_nothing(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker
) -> None:
    """Home Assistant refuses an option the select does not offer."""
    aioclient_mock.mock_calls.clear()

    with pytest.raises(ServiceValidationError):
        await _select(hass, GATE_TYPE_52190, "sideways")

    assert hub_requests(aioclient_mock) == []
    assert state_of(hass, GATE_TYPE_52190) == "in"


@pytest.mark.usefixtures("init_integration")
@pytest.mark.parametrize(
    ("failure", "translation_key"),
    [
        ({"exc": aiohttp.ClientConnectionError()}, "write_cannot_connect"),
        ({"exc": TimeoutError()}, "write_cannot_connect"),
        (
            {"status": 400, "json": {"error": "unknown instance"}},
            "write_invalid_response",
        ),
        # The documented answer is an object.
        ({"json": []}, "write_invalid_response"),
    ],
)
async def test_hub_failure_keeps_the_real_state(
    hass: HomeAssistant,
    aioclient_mock: AiohttpClientMocker,
    failure: dict[str, Any],
    translation_key: str,
) -> None:
    """A failed change raises a translated error; the old type stays shown."""
    aioclient_mock.post(SET_TYPE_URL, **failure)

    with pytest.raises(HomeAssistantError) as err:
        await _select(hass, GATE_TYPE_52190, "out")

    assert err.value.translation_domain == "vidigates"
    assert err.value.translation_key == translation_key
    assert state_of(hass, GATE_TYPE_52190) == "in"


async def test_new_instance_gets_a_select(
    hass: HomeAssistant,
    aioclient_mock: AiohttpClientMocker,
    init_integration: MockConfigEntry,
    vendor_sample: dict[str, Any],
    freezer: FrozenDateTimeFactory,
) -> None:
    """An instance that appears on the hub gets its gate type select."""
    payload = copy.deepcopy(vendor_sample)
    payload["instances"].append(
        {
            "gates": [{"id": 1, "in": 0, "out": 0}],
            "boxid": 61001,
            "name": "Box #61001",
            "host": "",
            "number": 0,
            "gate_type": "out",
            "status": "ok",
        }
    )
    aioclient_mock.clear_requests()
    aioclient_mock.get(INSTANCES_URL, json=payload)

    freezer.tick(SCAN_INTERVAL)
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)

    assert state_of(hass, "select.box_61001_gate_type") == "out"
