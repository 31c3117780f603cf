"""Build the demo's dashboard from the integration's entities as registered.

Entity ids come from device names (``Box #18977``) and translated entity
names, so the dashboard is built from Home Assistant's registries, not written
with guessed ids: it keeps working whatever instances the hub reports.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
import re
from typing import Any

DOMAIN = "vidigates"
TITLE = "VidiGates"
# The helper the demo's door-sign automation (demo/stack.py) sets.
DOOR_SIGN = "input_text.door_sign"


@dataclass(frozen=True, kw_only=True)
class RegisteredEntity:
    """What the dashboard needs of an entity registry entry."""

    entity_id: str
    device_id: str | None
    translation_key: str | None
    # The entity's own name, without its device's ("Occupancy", "Gate 1 in").
    name: str | None = None

    @property
    def domain(self) -> str:
        """The entity's platform domain (sensor, number, ...)."""
        return self.entity_id.split(".", 1)[0]


@dataclass(frozen=True, kw_only=True)
class RegisteredDevice:
    """What the dashboard needs of a device registry entry."""

    device_id: str
    name: str
    via_device_id: str | None


def entities_from_registry(entries: list[dict[str, Any]]) -> list[RegisteredEntity]:
    """Keep the integration's enabled entities from ``config/entity_registry/list``."""
    return [
        RegisteredEntity(
            entity_id=entry["entity_id"],
            device_id=entry.get("device_id"),
            translation_key=entry.get("translation_key"),
            name=entry.get("name") or entry.get("original_name"),
        )
        for entry in entries
        if entry.get("platform") == DOMAIN and not entry.get("disabled_by")
    ]


def devices_from_registry(entries: list[dict[str, Any]]) -> list[RegisteredDevice]:
    """Read ``config/device_registry/list`` (every device; filtered later)."""
    return [
        RegisteredDevice(
            device_id=entry["id"],
            name=entry.get("name_by_user") or entry.get("name") or "",
            via_device_id=entry.get("via_device_id"),
        )
        for entry in entries
    ]


def _natural(text: str) -> list[Any]:
    # "gate 10" after "gate 2".
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", text)]


def _welcome_card(limit_reached: str, remaining: str | None) -> dict[str, Any]:
    """The door sign: what a signage player at the entrance would show."""
    left = (
        f"{{{{ states('{remaining}') }}}} more people can come in."
        if remaining
        else "Come in."
    )
    return {
        "type": "markdown",
        "text_only": True,
        "content": (
            f"{{% if is_state('{limit_reached}', 'on') %}}\n"
            '<ha-alert alert-type="error" title="Please wait">'
            "The shop is full: the limit is reached.</ha-alert>\n"
            f"{{% elif is_state('{limit_reached}', 'off') %}}\n"
            f'<ha-alert alert-type="success" title="Welcome">{left}</ha-alert>\n'
            "{% else %}\n"
            '<ha-alert alert-type="warning" title="No count">'
            "The hub does not answer.</ha-alert>\n"
            "{% endif %}"
        ),
    }


def _hint_view() -> dict[str, Any]:
    return {
        "title": "Shop",
        "path": "shop",
        "cards": [
            {
                "type": "markdown",
                "content": (
                    "## No hub yet\n"
                    "Add one in **Settings > Devices & services > Add integration "
                    "> VidiGates**; this dashboard fills in on the next start."
                ),
            }
        ],
    }


def _row(entity: RegisteredEntity) -> dict[str, Any]:
    """A card row: the entity under its own name (its device heads the section)."""
    return {
        "entity": entity.entity_id,
        **({"name": entity.name} if entity.name else {}),
    }


def _tile(entity: RegisteredEntity) -> dict[str, Any]:
    return {"type": "tile", **_row(entity)}


def _by_device(
    entities: list[RegisteredEntity], devices: list[RegisteredDevice]
) -> tuple[
    RegisteredDevice | None,
    list[RegisteredDevice],
    dict[str | None, list[RegisteredEntity]],
]:
    """The (first) hub's device, the integration's devices, entities by device."""
    by_device: dict[str | None, list[RegisteredEntity]] = defaultdict(list)
    for entity in entities:
        by_device[entity.device_id].append(entity)
    ours = [device for device in devices if device.device_id in by_device]
    hub = next((device for device in ours if device.via_device_id is None), None)
    return hub, ours, by_device


DOOR_SIGN_AUTOMATION_ID = "vidigates_demo_door_sign"


def door_sign_automation(
    entities: list[RegisteredEntity], devices: list[RegisteredDevice]
) -> dict[str, Any] | None:
    """The demo's ready automation: the door-sign blueprint sets DOOR_SIGN."""
    hub, _ours, by_device = _by_device(entities, devices)
    limit_reached = next(
        (
            entity.entity_id
            for entity in by_device[hub.device_id if hub else None]
            if entity.domain == "binary_sensor"
            and entity.translation_key == "limit_reached"
        ),
        None,
    )
    if hub is None or limit_reached is None:
        return None

    def show(text: str) -> list[dict[str, Any]]:
        return [
            {
                "action": "input_text.set_value",
                "target": {"entity_id": DOOR_SIGN},
                "data": {"value": text},
            }
        ]

    return {
        "id": DOOR_SIGN_AUTOMATION_ID,
        "alias": "Door sign",
        "description": (
            "Written by demo/stack.py from the VidiGates door sign blueprint: "
            "the door sign helper says Please wait or Welcome."
        ),
        "use_blueprint": {
            "path": "vidigates/door_sign.yaml",
            "input": {
                "hub": hub.device_id,
                "limit_reached_actions": show("Please wait"),
                "limit_cleared_actions": show("Welcome"),
            },
        },
    }


def build_dashboard(
    entities: list[RegisteredEntity], devices: list[RegisteredDevice]
) -> dict[str, Any]:
    """Return the dashboard (Lovelace YAML as Python data) for one hub."""
    hub, ours, by_device = _by_device(entities, devices)
    if hub is None:
        return {"title": TITLE, "views": [_hint_view()]}

    def find(domain: str, key: str) -> RegisteredEntity | None:
        return next(
            (
                entity
                for entity in by_device[hub.device_id]
                if entity.domain == domain and entity.translation_key == key
            ),
            None,
        )

    def present(*found: RegisteredEntity | None) -> list[RegisteredEntity]:
        return [entity for entity in found if entity is not None]

    occupancy = find("sensor", "occupancy")
    limit = find("sensor", "threshold")
    ratio = find("sensor", "occupancy_ratio")
    remaining = find("sensor", "remaining_capacity")
    limit_reached = find("binary_sensor", "limit_reached")

    door: list[dict[str, Any]] = [
        {"type": "heading", "heading": hub.name, "icon": "mdi:door-sliding"}
    ]
    if limit_reached:
        door.append(
            _welcome_card(
                limit_reached.entity_id, remaining.entity_id if remaining else None
            )
        )
    if ratio:
        door.append(
            {
                "type": "gauge",
                "entity": ratio.entity_id,
                "name": "Occupancy of the limit",
                "min": 0,
                "max": 100,
                "needle": True,
                # Red from 90 %, before the limit: at 100 % (the gauge's end)
                # red would never show.
                "severity": {"green": 0, "yellow": 75, "red": 90},
            }
        )
    door.append(
        {
            "type": "tile",
            "entity": DOOR_SIGN,
            "name": "Door sign",
            "icon": "mdi:sign-text",
        }
    )
    entries, exits = find("sensor", "entries"), find("sensor", "exits")
    door.extend(
        _tile(entity)
        for entity in present(
            occupancy, limit, limit_reached, remaining, entries, exits
        )
    )

    # Explicit names: the entities' own are long ("Daily reset time" is cut
    # short beside its input) or alike (the occupancy and its limit).
    labels = {
        ("number", "occupancy"): "People inside",
        ("number", "threshold"): "Limit",
        ("switch", "daily_reset"): "Daily reset",
        ("time", "reset_time"): "Reset at",
    }
    rows: list[dict[str, Any]] = []
    for (domain, key), name in labels.items():
        if control := find(domain, key):
            rows.append({"entity": control.entity_id, "name": name})
    if reset := find("button", "reset_occupancy"):
        # One tap would empty the count: ask first.
        rows.insert(
            2,
            {
                "type": "button",
                "name": "Reset occupancy",
                "icon": "mdi:account-multiple-remove",
                "action_name": "Reset",
                "tap_action": {
                    "action": "perform-action",
                    "perform_action": "button.press",
                    "target": {"entity_id": reset.entity_id},
                    "confirmation": {
                        "text": "Set the occupancy to 0? The door sign follows at once."
                    },
                },
            },
        )
    controls: list[dict[str, Any]] = [
        {"type": "heading", "heading": "Controls", "icon": "mdi:tune-variant"},
        {"type": "entities", "state_color": True, "entities": rows},
    ]
    if occupancy and limit:
        controls.append(
            {
                "type": "history-graph",
                "title": "Occupancy and limit",
                "hours_to_show": 1,
                "entities": [_row(occupancy), _row(limit)],
            }
        )
    visitors: list[dict[str, Any]] = []
    if entries and exits:
        # Long-term statistics: what people really did, gate-type changes
        # and daily resets included (README, "Entries, exits and long-term
        # statistics").
        visitors.append(
            {"type": "heading", "heading": "Visitors", "icon": "mdi:chart-bar"}
        )
        # Statistics are compiled every 5 minutes, and hours at their end:
        # the first card has bars a few minutes after the demo starts.
        for title, period, days in (
            ("Visitors per 5 minutes", "5minute", 0.25),
            ("Visitors per hour", "hour", 2),
            ("Visitors per day", "day", 7),
        ):
            visitors.append(
                {
                    "type": "statistics-graph",
                    "title": title,
                    "entities": [
                        {"entity": entries.entity_id, "name": "Entries"},
                        {"entity": exits.entity_id, "name": "Exits"},
                    ],
                    "stat_types": ["change"],
                    "period": period,
                    "days_to_show": days,
                    "chart_type": "bar",
                }
            )

    sections: list[dict[str, Any]] = [
        {"type": "grid", "cards": door},
        {"type": "grid", "cards": controls},
    ]
    if visitors:
        sections.append({"type": "grid", "cards": visitors})
    instances = [device for device in ours if device.via_device_id]
    for device in sorted(instances, key=lambda device: _natural(device.name)):
        own = sorted(by_device[device.device_id], key=lambda e: _natural(e.entity_id))
        health = [e for e in own if e.translation_key in ("status", "problem")]
        counters = [e for e in own if e.translation_key == "gate_type"] + [
            e for e in own if e.translation_key in ("gate_in", "gate_out")
        ]
        sections.append(
            {
                "type": "grid",
                "cards": [
                    {"type": "heading", "heading": device.name, "icon": "mdi:cctv"},
                    *(_tile(entity) for entity in health),
                    {
                        "type": "entities",
                        "title": "Door counters",
                        "entities": [_row(entity) for entity in counters],
                    },
                ],
            }
        )
    return {
        "title": TITLE,
        "views": [
            {
                "title": "Shop",
                "path": "shop",
                "type": "sections",
                "max_columns": 3,
                "sections": sections,
            }
        ],
    }
