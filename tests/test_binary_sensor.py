"""The VidiGates binary sensors: limit reached, instance problems.

Names, classes, categories, unique ids and the sample's states are pinned by
the snapshot (snapshots/test_binary_sensor.ambr).
"""

from __future__ import annotations

from collections.abc import Generator
import copy
from typing import Any
from unittest.mock import patch

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

LIMIT = "binary_sensor.vidiaccess_hub_192_0_2_10_limit_reached"
BOX_PROBLEM = "binary_sensor.box_52190_problem"
OTHER_BOX_PROBLEM = "binary_sensor.box_74117_problem"


@pytest.fixture(autouse=True)
def only_binary_sensors() -> Generator[None]:
    """Set up the binary sensor platform alone."""
    with patch("custom_components.vidigates.PLATFORMS", [Platform.BINARY_SENSOR]):
        yield


async def test_snapshot(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
) -> None:
    """Every binary sensor's registry entry and state, pinned."""
    await snapshot_platform(hass, entity_registry, snapshot, init_integration.entry_id)


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        # Every rule is test_models.py's; here, that the sensor follows it.
        pytest.param({"status": "ok", "current": 60}, STATE_OFF, id="hub-says-ok"),
        # Without a status, the limit is reached at the threshold.
        pytest.param({"status": None, "current": 50}, STATE_ON, id="derived-at-limit"),
    ],
)
async def test_limit_reached_follows_the_hub(
    hass: HomeAssistant,
    *,
    init_integration: MockConfigEntry,
    aioclient_mock: AiohttpClientMocker,
    vendor_sample: dict[str, Any],
    freezer: FrozenDateTimeFactory,
    changes: dict[str, Any],
    expected: str,
) -> None:
    """The hub's own ok/ko is what counts; without it, current >= threshold."""
    payload = {**vendor_sample, **changes}
    if changes.get("status", "") is None:
        del payload["status"]
    serve_instances(aioclient_mock, json=payload)

    await async_poll(hass, freezer)

    assert state_of(hass, LIMIT) == expected


@pytest.mark.parametrize(
    ("hub_status", "expected"),
    # Every spelling is test_models.py's.
    [("OK", STATE_OFF), ("something-new", STATE_ON)],
)
async def test_problem_follows_the_status(
    hass: HomeAssistant,
    *,
    init_integration: MockConfigEntry,
    aioclient_mock: AiohttpClientMocker,
    vendor_sample: dict[str, Any],
    freezer: FrozenDateTimeFactory,
    hub_status: str,
    expected: str,
) -> None:
    """Anything but ok is a problem, including a status we do not know."""
    payload = copy.deepcopy(vendor_sample)
    payload["instances"][1]["status"] = hub_status
    serve_instances(aioclient_mock, json=payload)

    await async_poll(hass, freezer)

    assert state_of(hass, BOX_PROBLEM) == expected
    assert state_of(hass, OTHER_BOX_PROBLEM) == STATE_ON
