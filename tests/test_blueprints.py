"""Tests of the automation blueprints in blueprints/automation/vidigates/.

Each blueprint is loaded with Home Assistant's own blueprint validation, then
used by an automation that runs against the integration's entities, fed by the
mocked hub.
"""

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
from homeassistant.core import CoreState, HomeAssistant, ServiceCall
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


# The filter keys of the oldest Home Assistant the blueprints declare, 2025.12.0
# (ENTITY_FILTER_SELECTOR_CONFIG_SCHEMA and DEVICE_FILTER_SELECTOR_CONFIG_SCHEMA
# in its homeassistant/helpers/selector.py). It rejects a blueprint with any
# other, such as an entity filter's `device` (from 2026.8).
OLDEST = "2025.12.0"
FILTER_KEYS_IN_OLDEST = {
    "entity": {"integration", "domain", "device_class", "supported_features"},
    "device": {"integration", "manufacturer", "model", "model_id"},
}
# The two blueprints the README promises.
SIGNS = ("traffic_light.yaml", "door_sign.yaml")


def filters(selector: dict[str, Any], key: str) -> list[dict[str, Any]]:
    """A selector's filters under ``key``: one or a list of them."""
    found = selector.get(key, [])
    return found if isinstance(found, list) else [found]


def load_blueprint(path: str) -> Blueprint:
    """One of our blueprints, as Home Assistant loads an automation blueprint."""
    return Blueprint(
        load_yaml_dict(BLUEPRINTS / path),
        path=path,
        expected_domain="automation",
        schema=AUTOMATION_BLUEPRINT_SCHEMA,
    )


@pytest.mark.parametrize("path", SIGNS)
def test_blueprint_is_valid_in_the_oldest_release(path: str) -> None:
    """Home Assistant accepts it; its pickers filter only with keys 2025.12 knows."""
    assert {found.name for found in BLUEPRINTS.glob("*.yaml")} == set(SIGNS)
    blueprint = load_blueprint(path)
    # None: no error, this Home Assistant is recent enough for it.
    assert blueprint.validate() is None
    assert blueprint.metadata["source_url"].endswith(f"/vidigates/{path}")
    assert blueprint.metadata["homeassistant"]["min_version"] == OLDEST
    # What each selector's filters select: a device selector's `entity`
    # filters pick the devices that have such entities.
    kinds = {
        "entity": {"filter": "entity"},
        "device": {"filter": "device", "entity": "entity"},
    }
    for name, spec in blueprint.inputs.items():
        assert spec["name"], name
        for selector, config in spec["selector"].items():
            for key, kind in kinds.get(selector, {}).items():
                for wanted in filters(config or {}, key):
                    assert set(wanted) <= FILTER_KEYS_IN_OLDEST[kind], (name, wanted)


def offered_entities(hass: HomeAssistant, selector: dict[str, Any]) -> set[str]:
    """The entities an entity selector's filters let the user pick.

    Matches as the frontend's picker does, for the filter keys our blueprints
    use (any other key fails the test rather than being ignored).
    """

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
    """The devices a device selector's filters let the user pick.

    Matches as the frontend's picker does, for the filter keys our blueprints
    use (any other key fails the test rather than being ignored).
    """

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
async def test_limit_picker_offers_only_limit_sensors(
    hass: HomeAssistant, path: str
) -> None:
    """The "Hub" picker offers the hubs, whose limit sensor the blueprint follows.

    So no Problem sensor can be picked as the limit.
    """
    blueprint = load_blueprint(path)
    inputs = blueprint.inputs
    hubs = offered_devices(hass, inputs["hub"]["selector"])
    assert hubs == {hub_device(hass)}
    followed = Template(blueprint.data["variables"]["limit_entity"], hass)
    assert {followed.async_render({"hub": hub}) for hub in hubs} == {
        entity_id(hass, "binary_sensor", f"{ENTRY_ID}-limit_reached")
    }
    if path == "door_sign.yaml":
        assert offered_entities(hass, inputs["problem_entities"]["selector"]) == {
            entity_id(hass, "binary_sensor", f"{ENTRY_ID}-52190-0-problem"),
            entity_id(hass, "binary_sensor", f"{ENTRY_ID}-74117-1-problem"),
        }


@pytest.fixture
async def blueprints(hass: HomeAssistant, tmp_path: Path) -> None:
    """A configuration directory holding our blueprints where users put them."""
    hass.config.config_dir = str(tmp_path)
    shutil.copytree(BLUEPRINTS, tmp_path / "blueprints" / "automation" / "vidigates")


def hub_device(hass: HomeAssistant) -> str:
    """The device id of the hub: the device of its Limit reached sensor."""
    limit = entity_id(hass, "binary_sensor", f"{ENTRY_ID}-limit_reached")
    entry = er.async_get(hass).async_get(limit)
    assert entry is not None
    assert entry.device_id is not None
    return entry.device_id


def occupancy(sample: dict[str, Any], current: int) -> dict[str, Any]:
    """The sample with another occupancy (limit 50), as the hub would say it."""
    payload = copy.deepcopy(sample)
    payload["current"] = current
    payload["status"] = "ko" if current >= payload["threshold"] else "ok"
    return payload


async def setup_automation(hass: HomeAssistant, path: str, inputs: Any) -> str:
    """Set up one automation from our blueprint; return its entity id."""
    config = {
        "id": "vidigates_test",
        "alias": "VidiGates test",
        "use_blueprint": {"path": f"vidigates/{path}", "input": inputs},
    }
    # Raises on an automation the blueprint turns into an invalid one.
    await async_validate_config_item(hass, "vidigates_test", config)
    assert await async_setup_component(hass, "automation", {"automation": [config]})
    await hass.async_block_till_done()
    state = hass.states.get("automation.vidigates_test")
    assert state is not None
    assert state.state == STATE_ON
    return state.entity_id


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


@pytest.mark.usefixtures("blueprints", "lights")
@pytest.mark.parametrize(
    ("inputs", "steps"),
    [
        pytest.param(
            {
                "green_entities": ["input_boolean.green"],
                "amber_entities": ["input_boolean.amber"],
                "red_entities": ["input_boolean.red"],
                "amber_at": 75,
                "occupancy_ratio_entity": "RATIO",
            },
            # 40 of 50 people at first: 80 %, amber from 75 %.
            [
                ("reload", ["amber"]),
                (30, ["green"]),
                (50, ["red"]),
                ("unreachable", ["red"]),
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
                ("unreachable", []),
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
    steps: list[tuple[int | str, list[str]]],
) -> None:
    """Green below the limit, amber near it (if any), red at it; then unreachable."""
    if inputs.get("occupancy_ratio_entity") == "RATIO":
        ratio = entity_id(hass, "sensor", f"{ENTRY_ID}-occupancy_ratio")
        inputs = {**inputs, "occupancy_ratio_entity": ratio}
    await setup_automation(
        hass, "traffic_light.yaml", {"hub": hub_device(hass), **inputs}
    )
    for people, expected in steps:
        if people == "reload":
            # Saving an automation in the UI reloads automations: it applies at once.
            hass.bus.async_fire("automation_reloaded")
            await hass.async_block_till_done()
        elif isinstance(people, int):
            await answer(
                hass, aioclient_mock, freezer, occupancy(vendor_sample, people)
            )
        else:
            await answer(hass, aioclient_mock, freezer, None)
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
            "hub": hub_device(hass),
            "limit_reached_actions": turn("on", "red"),
            "limit_cleared_actions": turn("off", "red"),
            "problem_entities": [
                entity_id(hass, "binary_sensor", f"{ENTRY_ID}-52190-0-problem"),
            ],
            "problem_for": {"minutes": 2},
            "problem_actions": turn("on", "amber"),
            "problem_cleared_actions": turn("off", "amber"),
        },
    )
    await answer(hass, aioclient_mock, freezer, occupancy(vendor_sample, 50))
    assert lit(hass) == ["red"]
    await answer(hass, aioclient_mock, freezer, occupancy(vendor_sample, 49))
    assert lit(hass) == []

    not_capturing = copy.deepcopy(vendor_sample)
    not_capturing["instances"][1]["status"] = "not-capturing"
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
    problem_sensor = entity_id(hass, "binary_sensor", f"{ENTRY_ID}-52190-0-problem")
    await setup_automation(
        hass,
        "door_sign.yaml",
        {
            "hub": hub_device(hass),
            "problem_entities": [
                problem_sensor,
                entity_id(hass, "binary_sensor", f"{ENTRY_ID}-74117-1-problem"),
            ],
        },
    )
    created = async_mock_service(hass, "persistent_notification", "create")
    dismissed = async_mock_service(hass, "persistent_notification", "dismiss")

    await answer(hass, aioclient_mock, freezer, occupancy(hostile, 50))
    assert [call.data["notification_id"] for call in created] == [
        "vidigates_limit_reached"
    ]
    await answer(hass, aioclient_mock, freezer, occupancy(hostile, 40))
    assert [call.data["notification_id"] for call in dismissed] == [
        "vidigates_limit_reached"
    ]

    disabled = copy.deepcopy(hostile)
    disabled["instances"][1]["status"] = "disabled"
    await answer(hass, aioclient_mock, freezer, disabled)
    await wait(hass, freezer, timedelta(minutes=3))
    problem: ServiceCall = created[-1]
    # The title is plain text; the message shows the name and nothing else.
    assert problem.data == {
        "notification_id": f"vidigates_problem_{problem_sensor}",
        "title": f"{name} has a problem",
        "message": problem.data["message"],
    }
    message = problem.data["message"]
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


def turn(action: str, light: str) -> list[dict[str, Any]]:
    """Actions that switch one of the lights."""
    return [
        {
            "action": f"input_boolean.turn_{action}",
            "target": {"entity_id": f"input_boolean.{light}"},
        }
    ]


def sign_inputs(hass: HomeAssistant, path: str) -> dict[str, Any]:
    """Inputs that show the limit on the lights: red when reached, else green."""
    hub = hub_device(hass)
    if path == "traffic_light.yaml":
        return {
            "hub": hub,
            "green_entities": ["input_boolean.green"],
            "red_entities": ["input_boolean.red"],
        }
    return {
        "hub": hub,
        "limit_reached_actions": turn("off", "green") + turn("on", "red"),
        "limit_cleared_actions": turn("off", "red") + turn("on", "green"),
    }


def automation_config(hass: HomeAssistant, path: str, alias: str) -> dict[str, Any]:
    """An automation from one of our blueprints, as the editor saves it."""
    return {
        "alias": alias,
        "use_blueprint": {
            "path": f"vidigates/{path}",
            "input": sign_inputs(hass, path),
        },
    }


async def show_green_by_hand(hass: HomeAssistant) -> None:
    """Make the sign wrong: green, as if set while the hub was below the limit."""
    for action, light in (("off", "red"), ("on", "green")):
        await hass.services.async_call(
            "input_boolean", f"turn_{action}", {"entity_id": f"input_boolean.{light}"}
        )
    await hass.async_block_till_done()
    assert lit(hass) == ["green"]


@pytest.fixture
async def hub_at_limit(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    aioclient_mock: AiohttpClientMocker,
    vendor_sample: dict[str, Any],
) -> MockConfigEntry:
    """The integration, set up while the hub is at its limit (50 of 50)."""
    aioclient_mock.get(INSTANCES_URL, json=occupancy(vendor_sample, 50))
    await setup_integration(hass, mock_config_entry)
    limit = entity_id(hass, "binary_sensor", f"{ENTRY_ID}-limit_reached")
    assert hass.states.is_state(limit, STATE_ON)
    return mock_config_entry


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

    # What the automation editor does on save: write, then reload this one.
    for alias in ("Door sign", "Door sign (edited)"):
        response = await client.post(
            "/api/config/automation/config/vidigates_sign",
            json=automation_config(hass, path, alias),
        )
        assert response.status == HTTPStatus.OK
        await hass.async_block_till_done()
        assert hass.states.is_state(automation, STATE_ON)
        assert lit(hass) == ["red"], alias
        await show_green_by_hand(hass)

    # Reloading automations, unchanged.
    await hass.services.async_call("automation", "reload", blocking=True)
    await hass.async_block_till_done()
    assert hass.states.is_state(automation, STATE_ON)
    assert lit(hass) == ["red"]
    await show_green_by_hand(hass)

    # Turned on while the limit is reached: red at once; below it: green.
    for service in ("turn_off", "turn_on"):
        await hass.services.async_call(
            "automation", service, {"entity_id": automation}, blocking=True
        )
    await hass.async_block_till_done()
    assert lit(hass) == ["red"]

    await hass.services.async_call(
        "automation", "turn_off", {"entity_id": automation}, blocking=True
    )
    await answer(hass, aioclient_mock, freezer, occupancy(vendor_sample, 49))
    assert lit(hass) == ["red"]
    await hass.services.async_call(
        "automation", "turn_on", {"entity_id": automation}, blocking=True
    )
    await hass.async_block_till_done()
    assert lit(hass) == ["green"]


@pytest.mark.parametrize("path", SIGNS)
@pytest.mark.usefixtures("blueprints")
async def test_sign_is_set_when_home_assistant_starts(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    aioclient_mock: AiohttpClientMocker,
    vendor_sample: dict[str, Any],
    path: str,
) -> None:
    """Home Assistant starting while the limit is reached: red."""
    hass.set_state(CoreState.not_running)
    aioclient_mock.get(INSTANCES_URL, json=occupancy(vendor_sample, 50))
    mock_config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    assert await async_setup_component(hass, "homeassistant", {})
    assert await async_setup_component(
        hass, "input_boolean", {"input_boolean": {light: {} for light in LIGHTS}}
    )
    await setup_automation(hass, path, sign_inputs(hass, path))
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
    automation = await setup_automation(
        hass,
        "door_sign.yaml",
        {
            "hub": hub_device(hass),
            "limit_reached_actions": notify,
            "limit_cleared_actions": notify,
        },
    )
    created = async_mock_service(hass, "persistent_notification", "create")

    await hass.services.async_call(
        "automation", "turn_off", {"entity_id": automation}, blocking=True
    )
    await hass.services.async_call(
        "automation", "turn_on", {"entity_id": automation}, blocking=True
    )
    await hass.async_block_till_done()
    await answer(hass, aioclient_mock, freezer, occupancy(vendor_sample, 49))

    hub = "VidiAccess hub 192.0.2.10"
    assert [call.data["message"] for call in created] == [
        f"{hub}: True",
        f"{hub}: False",
    ]
