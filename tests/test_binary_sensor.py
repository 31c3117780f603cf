"""The VidiGates binary sensors: limit reached, instance problems.

Names, classes, categories, unique ids and the sample's states are pinned by
the snapshot (snapshots/test_binary_sensor.ambr).
"""

from __future__ import annotations

import copy
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import STATE_OFF, STATE_ON, Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    snapshot_platform,
)
from pytest_homeassistant_custom_component.test_util.aiohttp import AiohttpClientMocker
from syrupy.assertion import SnapshotAssertion

from .conftest import async_poll, serve_instances, state_of

PLATFORM = Platform.BINARY_SENSOR
pytestmark = pytest.mark.usefixtures("only_platform")
LIMIT = "binary_sensor.vidiaccess_hub_192_0_2_10_limit_reached"
BOX_PROBLEM = "binary_sensor.box_52190_problem"


async def test_snapshot(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
) -> None:
    await snapshot_platform(hass, entity_registry, snapshot, init_integration.entry_id)


@pytest.mark.parametrize(
    ("changes", "expected"),
    # Every rule and spelling is test_models.py's; here, that the sensors follow.
    [
        # The hub's own ok/ko is what counts.
        pytest.param({"status": "ok", "current": 60}, {LIMIT: STATE_OFF}, id="ok"),
        # Without a status, the limit is reached at the threshold.
        pytest.param({"status": None, "current": 50}, {LIMIT: STATE_ON}, id="derived"),
        # Anything but ok is a problem, including a status we do not know.
        pytest.param(
            {"box_status": "OK"},
            {BOX_PROBLEM: STATE_OFF, "binary_sensor.box_74117_problem": STATE_ON},
            id="box-ok",
        ),
        pytest.param({"box_status": "unheard-of"}, {BOX_PROBLEM: STATE_ON}, id="new"),
    ],
)
async def test_follows_the_hub(
    hass: HomeAssistant,
    *,
    init_integration: MockConfigEntry,
    aioclient_mock: AiohttpClientMocker,
    vendor_sample: dict[str, Any],
    freezer: FrozenDateTimeFactory,
    changes: dict[str, Any],
    expected: dict[str, str],
) -> None:
    payload = copy.deepcopy(vendor_sample)
    for key, value in changes.items():
        if key == "box_status":
            payload["instances"][1]["status"] = value
        elif value is None:
            del payload[key]
        else:
            payload[key] = value
    serve_instances(aioclient_mock, json=payload)

    await async_poll(hass, freezer)

    assert {entity_id: state_of(hass, entity_id) for entity_id in expected} == expected
