"""Tests of the hub's diagnostics."""

from __future__ import annotations

from datetime import timedelta
import json
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.test_util.aiohttp import (
    AiohttpClientMocker,
    AiohttpClientMockResponse,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator
from syrupy.assertion import SnapshotAssertion
from yarl import URL

from .conftest import HOST, INSTANCES_URL, answer, setup_integration, wait

INSTANCE_HOST = "192.168.40.17"


@pytest.mark.freeze_time("2026-11-02 09:30:00+00:00")
async def test_diagnostics(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    *,
    mock_config_entry: MockConfigEntry,
    aioclient_mock: AiohttpClientMocker,
    vendor_sample: dict[str, Any],
    snapshot: SnapshotAssertion,
) -> None:
    """The hub's last answer, the coordinator's state and timing, redacted."""
    vendor_sample["instances"][1]["host"] = INSTANCE_HOST
    aioclient_mock.get(INSTANCES_URL, json=vendor_sample)
    await setup_integration(hass, mock_config_entry)

    diagnostics = await get_diagnostics_for_config_entry(
        hass, hass_client, mock_config_entry
    )

    assert diagnostics == snapshot
    text = json.dumps(diagnostics)
    assert HOST not in text
    assert INSTANCE_HOST not in text


async def test_diagnostics_time_the_hub_and_show_a_failure(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    *,
    init_integration: MockConfigEntry,
    aioclient_mock: AiohttpClientMocker,
    vendor_sample: dict[str, Any],
    freezer: FrozenDateTimeFactory,
) -> None:
    """The duration is the hub's answer time; the success time is when it came.

    A failure is shown, without the hub's address; the last success and the
    last good answer stay.
    """

    async def slow_answer(
        method: str, url: URL, data: Any
    ) -> AiohttpClientMockResponse:
        freezer.tick(timedelta(milliseconds=750))
        return AiohttpClientMockResponse(method, url, json=vendor_sample)

    aioclient_mock.clear_requests()
    aioclient_mock.get(INSTANCES_URL, side_effect=slow_answer)
    await wait(hass, freezer, timedelta(seconds=10))
    first = await get_diagnostics_for_config_entry(hass, hass_client, init_integration)
    coordinator = first["coordinator"]
    assert isinstance(coordinator, dict)
    last_success = dt_util.utcnow().isoformat()
    assert {
        key: coordinator[key]
        for key in ("last_update_success", "last_update_duration", "last_success_time")
    } == {
        "last_update_success": True,
        "last_update_duration": pytest.approx(0.75),
        "last_success_time": last_success,
    }

    await answer(hass, aioclient_mock, freezer, None, after=timedelta(seconds=10))
    failed = await get_diagnostics_for_config_entry(hass, hass_client, init_integration)
    coordinator = failed["coordinator"]
    assert isinstance(coordinator, dict)
    assert (coordinator["last_update_success"], coordinator["last_success_time"]) == (
        False,
        last_success,
    )
    assert str(coordinator["last_exception"]).startswith("UpdateFailed: ")
    # The last good answer is still there to look at.
    assert failed["data"] == first["data"]
    assert HOST not in json.dumps(failed)
