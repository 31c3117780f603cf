"""The automation blueprints, validated by Home Assistant and run on the mocked hub."""

from __future__ import annotations

import copy
from datetime import timedelta
from http import HTTPStatus
from pathlib import Path
import shutil
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.automation.config import (
    AUTOMATION_BLUEPRINT_SCHEMA,
    async_validate_config_item,
)
from homeassistant.components.blueprint.models import Blueprint
from homeassistant.const import STATE_OFF, STATE_ON
from homeassistant.core import CoreState, HomeAssistant
from homeassistant.helpers import device_registry as dr, entity_registry as er
from homeassistant.helpers.template import Template
from homeassistant.setup import async_setup_component
from homeassistant.util.yaml import load_yaml_dict
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_mock_service,
)
from pytest_homeassistant_custom_component.test_util.aiohttp import AiohttpClientMocker
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from .conftest import INSTANCES_URL, answer, entity_id, setup_integration, wait
from .rendering import GFM_AUTOLINK, render_markdown

BLUEPRINTS = Path(__file__).parent.parent / "blueprints" / "automation" / "vidigates"
ENTRY_ID = "01JVIDIGATESTESTENTRY00000"
LIGHTS = ("green", "amber", "red")
SIGNS = ("traffic_light.yaml", "door_sign.yaml")  # the two the README promises

# The filter keys of the oldest Home Assistant the blueprints declare, 2025.12.0
# (ENTITY_FILTER_SELECTOR_CONFIG_SCHEMA and DEVICE_FILTER_SELECTOR_CONFIG_SCHEMA
# in its homeassistant/helpers/selector.py). It rejects a blueprint with any
# other, such as an entity filter's `device` (from 2026.8).
OLDEST = "2025.12.0"
FILTER_KEYS_IN_OLDEST = {
    "entity": {"integration", "domain", "device_class", "supported_features"},
    "device": {"integration", "manufacturer", "model", "model_id"},
}


def ours(hass: HomeAssistant, platform: str, key: str) -> str:
    """The entity id of the mocked hub's entity of unique id ENTRY_ID-key."""
    return entity_id(hass, platform, f"{ENTRY_ID}-{key}")


def filters(selector: dict[str, Any], key: str) -> list[dict[str, Any]]:
    """A selector's filters under ``key``: one or a list of them."""
    found = selector.get(key, [])
    return found if isinstance(found, list) else [found]


# The pickers below match as the frontend's do, for the filter keys our
# blueprints use (any other key fails the test rather than being ignored).


def offered_entities(hass: HomeAssistant, selector: dict[str, Any]) -> set[str]:
    def matches(entry: er.RegistryEntry, wanted: dict[str, Any]) -> bool:
        assert set(wanted) <= {"integration", "domain", "device_class"}
        device_class = entry.device_class or entry.original_device_class
        return (
            wanted.get("integration", entry.platform) == entry.platform
            and ("domain" not in wanted or entry.domain in wanted["domain"])
            and ("device_class" not in wanted or device_class in wanted["device_class"])
        )

    return {
        entry.entity_id
        for entry in er.async_get(hass).entities.values()
        for wanted in filters(selector["entity"], "filter")
        if matches(entry, wanted)
    }


def offered_devices(hass: HomeAssistant, selector: dict[str, Any]) -> set[str]:
    def matches(domain: str, device: dr.DeviceEntry, wanted: dict[str, Any]) -> bool:
        assert set(wanted) <= {"integration", "model"}
        return wanted.get("integration", domain) == domain and (
            wanted.get("model", device.model) == device.model
        )

    assert set(selector["device"]) <= {"filter", "multiple"}
    registry = dr.async_get(hass)
    # Every device belongs to a config entry: its integration's.
    return {
        device.id
        for entry in hass.config_entries.async_entries()
        for device in dr.async_entries_for_config_entry(registry, entry.entry_id)
        for wanted in filters(selector["device"], "filter")
        if matches(entry.domain, device, wanted)
    }


@pytest.mark.usefixtures("init_integration")
@pytest.mark.parametrize("path", SIGNS)
async def test_blueprint_and_its_pickers(hass: HomeAssistant, path: str) -> None:
    """Valid in the oldest release; the pickers offer only what fits.

    Its pickers filter only with keys 2025.12 knows. The "Hub" picker offers
    the hubs, whose limit sensor the blueprint follows: no Problem sensor can
    be picked as the limit.
    """
    assert {found.name for found in BLUEPRINTS.glob("*.yaml")} == set(SIGNS)
    blueprint = Blueprint(
        load_yaml_dict(BLUEPRINTS / path),
        path=path,
        expected_domain="automation",
        schema=AUTOMATION_BLUEPRINT_SCHEMA,
    )
    assert blueprint.validate() is None  # no error: this release is recent enough
    assert blueprint.metadata["source_url"].endswith(f"/vidigates/{path}")
    assert blueprint.metadata["homeassistant"]["min_version"] == OLDEST
    # A device selector's `entity` filters pick the devices with such entities.
    kinds = {
        "entity": {"filter": "entity"},
        "device": {"filter": "device", "entity": "entity"},
    }
    inputs = blueprint.inputs
    for name, spec in inputs.items():
        assert spec["name"], name
        for selector, config in spec["selector"].items():
            for key, kind in kinds.get(selector, {}).items():
                for wanted in filters(config or {}, key):
                    assert set(wanted) <= FILTER_KEYS_IN_OLDEST[kind], (name, wanted)

    hubs = offered_devices(hass, inputs["hub"]["selector"])
    assert hubs == {hub_device(hass)}
    followed = Template(blueprint.data["variables"]["limit_entity"], hass)
    assert {followed.async_render({"hub": hub}) for hub in hubs} == {
        ours(hass, "binary_sensor", "limit_reached")
    }
    if path == "door_sign.yaml":
        assert offered_entities(hass, inputs["problem_entities"]["selector"]) == {
            ours(hass, "binary_sensor", "52190-0-problem"),
            ours(hass, "binary_sensor", "74117-1-problem"),
        }


@pytest.fixture
async def blueprints(hass: HomeAssistant, tmp_path: Path) -> None:
    """A configuration directory holding our blueprints where users put them."""
    hass.config.config_dir = str(tmp_path)
    shutil.copytree(BLUEPRINTS, tmp_path / "blueprints" / "automation" / "vidigates")


@pytest.fixture
async def lights(hass: HomeAssistant) -> None:
    """Three input booleans standing for the traffic light's colours."""
    assert await async_setup_component(hass, "homeassistant", {})
    assert await async_setup_component(
        hass, "input_boolean", {"input_boolean": {light: {} for light in LIGHTS}}
    )


def lit(hass: HomeAssistant) -> list[str]:
    return [
        light
        for light in LIGHTS
        if hass.states.is_state(f"input_boolean.{light}", STATE_ON)
    ]


def hub_device(hass: HomeAssistant) -> str:
    """The device id of the hub: the device of its Limit reached sensor."""
    entry = er.async_get(hass).async_get(ours(hass, "binary_sensor", "limit_reached"))
    assert entry is not None
    assert entry.device_id is not None
    return entry.device_id


def occupancy(sample: dict[str, Any], current: int) -> dict[str, Any]:
    """The sample with another occupancy (limit 50), as the hub would say it."""
    payload = copy.deepcopy(sample)
    payload["current"] = current
    payload["status"] = "ko" if current >= payload["threshold"] else "ok"
    return payload


def with_status(sample: dict[str, Any], status: str) -> dict[str, Any]:
    """The sample with the status of instance 52190 replaced."""
    payload = copy.deepcopy(sample)
    payload["instances"][1]["status"] = status
    return payload


def turn(action: str, light: str) -> list[dict[str, Any]]:
    """Actions that switch one of the lights."""
    target = {"entity_id": f"input_boolean.{light}"}
    return [{"action": f"input_boolean.turn_{action}", "target": target}]


async def setup_automation(hass: HomeAssistant, path: str, inputs: Any) -> str:
    """Set up one automation from our blueprint for the hub; return its entity id."""
    inputs = {"hub": hub_device(hass), **inputs}
    config = {
        "id": "vidigates_test",
        "alias": "VidiGates test",
        "use_blueprint": {"path": f"vidigates/{path}", "input": inputs},
    }
    # Raises on an automation the blueprint turns into an invalid one.
    await async_validate_config_item(hass, "vidigates_test", config)
    assert await async_setup_component(hass, "automation", {"automation": [config]})
    await hass.async_block_till_done()
    assert hass.states.is_state("automation.vidigates_test", STATE_ON)
    return "automation.vidigates_test"


async def call(hass: HomeAssistant, domain: str, service: str, target: str) -> None:
    await hass.services.async_call(
        domain, service, {"entity_id": target}, blocking=True
    )
    await hass.async_block_till_done()


COLOURS = {
    "green_entities": ["input_boolean.green"],
    "amber_entities": ["input_boolean.amber"],
    "red_entities": ["input_boolean.red"],
}


@pytest.mark.usefixtures("blueprints", "lights")
@pytest.mark.parametrize(
    ("inputs", "steps"),
    [
        pytest.param(
            {**COLOURS, "amber_at": 75, "occupancy_ratio_entity": "RATIO"},
            # 40 of 50 people at first: 80 %, amber from 75 %.
            [
                ("reload", ["amber"]),
                (30, ["green"]),
                (50, ["red"]),
                ("down", ["red"]),
                (38, ["amber"]),
                (10, ["green"]),
            ],
            id="green-amber-red-kept-while-unreachable",
        ),
        pytest.param(
            {
                "green_entities": ["input_boolean.green"],
                "red_entities": ["input_boolean.red", "input_boolean.amber"],
                "when_unavailable": "off",
            },
            [
                ("reload", ["green"]),
                (49, ["green"]),
                (50, ["amber", "red"]),
                ("down", []),
            ],
            id="two-colours-off-while-unreachable",
        ),
    ],
)
async def test_traffic_light(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    *,
    aioclient_mock: AiohttpClientMocker,
    vendor_sample: dict[str, Any],
    freezer: FrozenDateTimeFactory,
    inputs: dict[str, Any],
    steps: list[tuple[Any, list[str]]],
) -> None:
    """Green below the limit, amber near it (if any), red at it; then unreachable."""
    if inputs.get("occupancy_ratio_entity") == "RATIO":
        ratio = ours(hass, "sensor", "occupancy_ratio")
        inputs = {**inputs, "occupancy_ratio_entity": ratio}
    await setup_automation(hass, "traffic_light.yaml", inputs)
    for people, expected in steps:
        if people == "reload":
            # Saving an automation in the UI reloads automations: it applies at once.
            hass.bus.async_fire("automation_reloaded")
            await hass.async_block_till_done()
        else:
            payload = occupancy(vendor_sample, people) if people != "down" else None
            await answer(hass, aioclient_mock, freezer, payload)
        assert lit(hass) == expected, people


@pytest.mark.usefixtures("blueprints", "lights")
async def test_door_sign(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    *,
    aioclient_mock: AiohttpClientMocker,
    vendor_sample: dict[str, Any],
    freezer: FrozenDateTimeFactory,
) -> None:
    """The user's actions run on the limit and on lasting instance problems."""
    await setup_automation(
        hass,
        "door_sign.yaml",
        {
            "limit_reached_actions": turn("on", "red"),
            "limit_cleared_actions": turn("off", "red"),
            "problem_entities": [ours(hass, "binary_sensor", "52190-0-problem")],
            "problem_for": {"minutes": 2},
            "problem_actions": turn("on", "amber"),
            "problem_cleared_actions": turn("off", "amber"),
        },
    )
    await answer(hass, aioclient_mock, freezer, occupancy(vendor_sample, 50))
    assert lit(hass) == ["red"]
    await answer(hass, aioclient_mock, freezer, occupancy(vendor_sample, 49))
    assert lit(hass) == []

    not_capturing = with_status(vendor_sample, "not-capturing")
    await answer(hass, aioclient_mock, freezer, not_capturing)
    await wait(hass, freezer, timedelta(minutes=1))
    assert lit(hass) == []
    await wait(hass, freezer, timedelta(minutes=1))
    assert lit(hass) == ["amber"]
    await answer(hass, aioclient_mock, freezer, vendor_sample)
    assert lit(hass) == []


@pytest.mark.usefixtures("blueprints")
async def test_door_sign_defaults(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    *,
    aioclient_mock: AiohttpClientMocker,
    vendor_sample: dict[str, Any],
    freezer: FrozenDateTimeFactory,
) -> None:
    """Out of the box: a notification per situation, naming the instance.

    The message is Markdown: a hostile instance name stays text in it.
    """
    name = "[Door](https://evil.example) ![x](https://x.example/p.png) <b>*_`x`_*</b>"
    hostile = copy.deepcopy(vendor_sample)
    hostile["instances"][1]["name"] = name
    aioclient_mock.get(INSTANCES_URL, json=hostile)
    await setup_integration(hass, mock_config_entry)
    problem_sensor = ours(hass, "binary_sensor", "52190-0-problem")
    other_sensor = ours(hass, "binary_sensor", "74117-1-problem")
    await setup_automation(
        hass,
        "door_sign.yaml",
        {"problem_entities": [problem_sensor, other_sensor]},
    )
    created = async_mock_service(hass, "persistent_notification", "create")
    dismissed = async_mock_service(hass, "persistent_notification", "dismiss")

    await answer(hass, aioclient_mock, freezer, occupancy(hostile, 50))
    limit = ["vidigates_limit_reached"]
    assert [call.data["notification_id"] for call in created] == limit
    await answer(hass, aioclient_mock, freezer, occupancy(hostile, 40))
    assert [call.data["notification_id"] for call in dismissed] == limit

    await answer(hass, aioclient_mock, freezer, with_status(hostile, "disabled"))
    await wait(hass, freezer, timedelta(minutes=3))
    # The title is plain text; the message shows the name and nothing else.
    message = created[-1].data["message"]
    assert created[-1].data == {
        "notification_id": f"vidigates_problem_{problem_sensor}",
        "title": f"{name} has a problem",
        "message": message,
    }
    assert not GFM_AUTOLINK.search(message)
    rendered = render_markdown(message)
    assert [tag for tag, _ in rendered.tags] == ["p"]
    assert rendered.text.startswith(f"The VidiGates instance {name} is not counting")

    await answer(hass, aioclient_mock, freezer, hostile)
    assert dismissed[-1].data == {
        "notification_id": f"vidigates_problem_{problem_sensor}"
    }
    assert hass.states.is_state(problem_sensor, STATE_OFF)


# A sign must be right from the start, not only from the next person through
# the door: each blueprint sets it from the current state when the automation
# is created or saved, turned on, reloaded, and when Home Assistant starts.


# Inputs that show the limit on the lights: red when reached, else green.
SIGN_INPUTS: dict[str, dict[str, Any]] = {
    "traffic_light.yaml": {
        "green_entities": ["input_boolean.green"],
        "red_entities": ["input_boolean.red"],
    },
    "door_sign.yaml": {
        "limit_reached_actions": turn("off", "green") + turn("on", "red"),
        "limit_cleared_actions": turn("off", "red") + turn("on", "green"),
    },
}


@pytest.fixture
async def hub_at_limit(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    aioclient_mock: AiohttpClientMocker,
    vendor_sample: dict[str, Any],
) -> None:
    """The integration, set up while the hub is at its limit (50 of 50)."""
    aioclient_mock.get(INSTANCES_URL, json=occupancy(vendor_sample, 50))
    await setup_integration(hass, mock_config_entry)
    assert hass.states.is_state(ours(hass, "binary_sensor", "limit_reached"), STATE_ON)


@pytest.mark.parametrize("path", SIGNS)
@pytest.mark.usefixtures("blueprints", "lights", "hub_at_limit")
async def test_sign_is_set_when_saved_reloaded_and_turned_on(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    *,
    aioclient_mock: AiohttpClientMocker,
    vendor_sample: dict[str, Any],
    freezer: FrozenDateTimeFactory,
    tmp_path: Path,
    path: str,
) -> None:
    """Each sets the sign from the current state, whatever the lights show."""
    (tmp_path / "configuration.yaml").write_text(
        "automation: !include automations.yaml\n", encoding="utf-8"
    )
    assert await async_setup_component(hass, "automation", {})
    assert await async_setup_component(hass, "config", {})
    client = await hass_client()
    automation = "automation.door_sign"

    async def red_then_green_by_hand() -> None:
        assert hass.states.is_state(automation, STATE_ON)
        assert lit(hass) == ["red"]
        # Make the sign wrong, as if set while the hub was below the limit.
        await call(hass, "input_boolean", "turn_off", "input_boolean.red")
        await call(hass, "input_boolean", "turn_on", "input_boolean.green")
        assert lit(hass) == ["green"]

    # What the automation editor does on save: write, then reload this one.
    for alias in ("Door sign", "Door sign (edited)"):
        inputs = {"hub": hub_device(hass), **SIGN_INPUTS[path]}
        use = {"path": f"vidigates/{path}", "input": inputs}
        response = await client.post(
            "/api/config/automation/config/vidigates_sign",
            json={"alias": alias, "use_blueprint": use},
        )
        assert response.status == HTTPStatus.OK
        await hass.async_block_till_done()
        await red_then_green_by_hand()

    # Reloading automations, unchanged.
    await hass.services.async_call("automation", "reload", blocking=True)
    await hass.async_block_till_done()
    await red_then_green_by_hand()

    # Turned on while the limit is reached: red at once; below it: green.
    await call(hass, "automation", "turn_off", automation)
    await call(hass, "automation", "turn_on", automation)
    assert lit(hass) == ["red"]
    await call(hass, "automation", "turn_off", automation)
    await answer(hass, aioclient_mock, freezer, occupancy(vendor_sample, 49))
    assert lit(hass) == ["red"]
    await call(hass, "automation", "turn_on", automation)
    assert lit(hass) == ["green"]


@pytest.mark.parametrize("path", SIGNS)
@pytest.mark.usefixtures("blueprints", "lights")
async def test_sign_is_set_when_home_assistant_starts(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    aioclient_mock: AiohttpClientMocker,
    vendor_sample: dict[str, Any],
    path: str,
) -> None:
    hass.set_state(CoreState.not_running)
    aioclient_mock.get(INSTANCES_URL, json=occupancy(vendor_sample, 50))
    await setup_integration(hass, mock_config_entry)
    await setup_automation(hass, path, SIGN_INPUTS[path])
    assert lit(hass) == []

    await hass.async_start()
    await hass.async_block_till_done()
    assert lit(hass) == ["red"]


@pytest.mark.usefixtures("blueprints", "hub_at_limit")
async def test_door_sign_tells_catching_up_from_a_change(
    hass: HomeAssistant,
    *,
    aioclient_mock: AiohttpClientMocker,
    vendor_sample: dict[str, Any],
    freezer: FrozenDateTimeFactory,
) -> None:
    """`catching_up` lets actions that must follow only changes skip the others."""
    notify = [
        {
            "action": "persistent_notification.create",
            "data": {"message": "{{ instance }}: {{ catching_up }}"},
        }
    ]
    inputs = {"limit_reached_actions": notify, "limit_cleared_actions": notify}
    automation = await setup_automation(hass, "door_sign.yaml", inputs)
    created = async_mock_service(hass, "persistent_notification", "create")

    await call(hass, "automation", "turn_off", automation)
    await call(hass, "automation", "turn_on", automation)
    await answer(hass, aioclient_mock, freezer, occupancy(vendor_sample, 49))

    hub = "VidiAccess hub 192.0.2.10"
    assert [call.data["message"] for call in created] == [
        f"{hub}: True",
        f"{hub}: False",
    ]
