"""The VidiGates binary sensors: limit reached, instance problems.

Names, classes, categories, unique ids and the sample's states are pinned by
the snapshot (snapshots/test_binary_sensor.ambr); what they show of other
answers: test_sensor.py's test_values_shown.
"""

from __future__ import annotations

from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.test_util.aiohttp import AiohttpClientMocker
from syrupy.assertion import SnapshotAssertion

from .conftest import assert_platform_snapshot


async def test_snapshot(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    mock_hub: AiohttpClientMocker,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
) -> None:
    await assert_platform_snapshot(
        hass, mock_config_entry, Platform.BINARY_SENSOR, entity_registry, snapshot
    )
