"""End to end in a real browser: add the hub through the UI and watch it work.

The hub simulator and a fresh, onboarded Home Assistant run as processes
(demo/stack.py, what scripts/develop runs, here with no hub added); headless
Chromium logs in, adds the hub through Settings > Devices & services, reads the
hub's device page and the demo dashboard, checks every value against what the
simulator says, changes the limit from the dashboard (the door sign follows),
resets the occupancy through its confirmation, waits for the recorder's
statistics to be drawn, and creates an automation from the door-sign blueprint
(picking the hub in its device picker) while the limit is reached. Screenshots
go to artifacts/browser/.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
import re
import time
from typing import TYPE_CHECKING, Any

from homeassistant.util import slugify
from homeassistant.util.yaml import load_yaml_dict
import pytest

from demo.dashboard import DOOR_SIGN
from demo.stack import DASHBOARD_URL_PATH, LOOPBACK, PASSWORD, REPO, USERNAME, DemoStack

if TYPE_CHECKING:
    from playwright.sync_api import Locator, Page

# Home Assistant polls the hub every 2 s; the UI then updates over the websocket.
UPDATE_TIMEOUT = 30.0
# The first page load compiles the frontend's JavaScript: slow on a busy CI box.
FIRST_LOAD_TIMEOUT_MS = 120_000
# The recorder compiles statistics every 5 minutes of the wall clock.
STATISTICS_TIMEOUT = 400.0

# The name the config flow suggests for a first hub.
HUB_NAME = "VidiAccess"
HUB_SLUG = slugify(HUB_NAME)
DOOR_SIGN_BLUEPRINT = (
    REPO / "blueprints" / "automation" / "vidigates" / "door_sign.yaml"
)
LIMIT_NOTIFICATION = "Occupancy limit reached"
HUB_ENTITY_NAMES = {
    "Occupancy",
    "Occupancy limit",
    "Limit reached",
    "Remaining capacity",
    "Occupancy ratio",
    "Entries",
    "Exits",
    "Reset occupancy",
    "Daily reset",
    "Daily reset time",
}


def hub_state(stack: DemoStack) -> dict[str, Any]:
    state: dict[str, Any] = stack.request(f"{stack.sim_url}/api/v1/instances")
    return state


def counts(hub: dict[str, Any]) -> tuple[int, int]:
    """Entries and exits as the API doc defines them (honouring gate_type)."""
    entries = exits = 0
    for instance in hub["instances"]:
        for gate in instance["gates"]:
            if instance["gate_type"] in ("in", "both"):
                entries += gate["in"]
            if instance["gate_type"] in ("out", "both"):
                exits += gate["out"]
    return entries, exits


def people(value: int) -> str:
    return f"{value} people"


def wait_until[T](
    probe: Callable[[], T],
    done: Callable[[T], bool],
    what: str,
    timeout: float = UPDATE_TIMEOUT,
) -> T:
    """Poll ``probe`` until ``done`` holds; fail with the last value seen."""
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if done(value):
            return value
        if time.monotonic() > deadline:
            msg = f"timed out waiting for {what}; last seen: {value!r}"
            raise AssertionError(msg)
        time.sleep(0.5)


def entity_rows(page: Page) -> dict[str, tuple[str, str]]:
    """Every entity row on the page: entity id -> (name, shown value)."""
    rows: dict[str, tuple[str, str]] = {}
    for entity_id, name, text in page.locator("hui-generic-entity-row").evaluate_all(
        """rows => rows.map(row => [
            row.config ? row.config.entity : null,
            row.shadowRoot?.querySelector('.info')?.innerText.trim() ?? '',
            row.innerText.trim(),
        ])"""
    ):
        if entity_id:
            rows[entity_id] = (name, text)
    return rows


def card_for(page: Page, tag: str, entity_id: str) -> Locator:
    """The card or row element ``tag`` that shows ``entity_id``."""
    cards = page.locator(tag)
    ids = wait_until(
        # Rows expose their config; cards keep it in a private field.
        lambda: cards.evaluate_all(
            "els => els.map(el => (el.config ?? el._config)?.entity ?? null)"
        ),
        lambda ids: entity_id in ids,
        f"a {tag} for {entity_id}",
    )
    return cards.nth(ids.index(entity_id))


def log_in(page: Page, stack: DemoStack) -> None:
    """Log in as the demo user; Home Assistant opens the demo dashboard."""
    page.goto(f"{stack.ha_url}/")
    page.locator('input[name="username"]').fill(USERNAME, timeout=FIRST_LOAD_TIMEOUT_MS)
    page.locator('input[name="password"]').fill(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/{DASHBOARD_URL_PATH}/**", timeout=FIRST_LOAD_TIMEOUT_MS)


def add_hub(page: Page, stack: DemoStack, shots: Path) -> None:
    """Settings > Devices & services > Add integration > VidiGates."""
    from playwright.sync_api import expect  # noqa: PLC0415 - may be absent

    page.goto(f"{stack.ha_url}/config/integrations/dashboard")
    page.get_by_text("Add integration").click()
    page.get_by_placeholder("Search for a brand name").fill("VidiGates")
    brand = page.get_by_text("VidiGates (Quividi VidiAccess)")
    expect(brand).to_be_visible()
    page.screenshot(path=shots / "01-add-integration.png")
    brand.click()

    # Home Assistant answers a flow it cannot show with an error dialog.
    host = page.locator('input[name="host"]')
    refused = page.get_by_text("Config flow could not be loaded")
    expect(host.or_(refused)).to_be_visible()
    if refused.is_visible():
        errors = [
            line
            for line in stack.hass_log.read_text(encoding="utf-8").splitlines()
            if "Error" in line
        ]
        msg = f"{refused.inner_text()}; from {stack.hass_log}: {errors[-3:]}"
        raise AssertionError(msg)
    host.fill(LOOPBACK)
    # A name is offered, so that entity ids read sensor.vidiaccess_...
    expect(page.locator('input[name="name"]')).to_have_value(HUB_NAME)
    port = page.locator("ha-selector-number input").first
    port.fill(str(stack.sim_port))
    # Leave the form as a person would, labels settled, before the picture.
    port.blur()
    page.wait_for_timeout(500)
    page.screenshot(path=shots / "02-config-flow.png")
    page.get_by_role("button", name="Submit").click()

    # The flow connected and created the entry: the hub and each instance are
    # offered for naming and an area.
    expect(page.get_by_text("Name and assign")).to_be_visible()
    instances = hub_state(stack)["instances"]
    expect(page.get_by_text("VidiGates instance")).to_have_count(len(instances))
    page.screenshot(path=shots / "03-hub-added.png")
    page.get_by_role("button", name="Skip and finish").click()
    expect(page.get_by_text("Name and assign")).to_have_count(0)


def test_add_hub_in_the_ui_and_watch_it_work(
    stack: DemoStack, page: Page, artifacts: Path
) -> None:
    """Add the hub through the config flow UI; its values reach the UI, both ways."""
    from playwright.sync_api import expect  # noqa: PLC0415 - may be absent

    # Cards render their templates over the websocket: on a busy machine,
    # some take more than expect's default 5 s.
    expect.set_options(timeout=15_000)
    started = time.monotonic()
    log_in(page, stack)
    add_hub(page, stack, artifacts)

    # The hub's device page, reached as a user would: integration, then device.
    page.goto(f"{stack.ha_url}/config/integrations/integration/vidigates")
    # The hub's row, by its model ("VidiAccess hub • 12 entities").
    page.get_by_text(re.compile(r"VidiAccess hub\s+•")).first.click()
    page.wait_for_url("**/config/devices/device/**")
    expect(page.get_by_text(HUB_NAME).first).to_be_visible()

    hub = hub_state(stack)
    entries, exits = counts(hub)
    expected = {
        f"sensor.{HUB_SLUG}_occupancy": ("Occupancy", people(hub["current"])),
        f"sensor.{HUB_SLUG}_occupancy_limit": (
            "Occupancy limit",
            people(hub["threshold"]),
        ),
        f"binary_sensor.{HUB_SLUG}_limit_reached": (
            "Limit reached",
            "On" if hub["status"] == "ko" else "Off",
        ),
        f"sensor.{HUB_SLUG}_entries": ("Entries", people(entries)),
        f"sensor.{HUB_SLUG}_exits": ("Exits", people(exits)),
    }
    wait_until(
        lambda: entity_rows(page),
        lambda rows: (
            all(rows.get(key) == value for key, value in expected.items())
            and {name for name, _text in rows.values()} >= HUB_ENTITY_NAMES
        ),
        "the hub's entities and values on its device page",
    )
    page.screenshot(path=artifacts / "04-device-page.png")

    # Someone else changes the hub (a signage player, the Control Center): the
    # page follows without a reload.
    changed = max(hub["current"] - 7, 0)
    stack.request(f"{stack.sim_url}/api/v1/set", {"occupancy": changed})
    wait_until(
        lambda: entity_rows(page).get(f"sensor.{HUB_SLUG}_occupancy"),
        lambda row: row == ("Occupancy", people(changed)),
        "the new occupancy on the device page",
    )

    # The dashboard, rebuilt now that the hub's entities exist.
    stack.refresh_dashboard()
    page.goto(f"{stack.ha_url}/{DASHBOARD_URL_PATH}/shop")
    hub = hub_state(stack)
    sign = page.locator("ha-alert")
    expect(sign).to_have_attribute(
        "title", "Please wait" if hub["status"] == "ko" else "Welcome"
    )
    expect(
        card_for(page, "hui-tile-card", f"sensor.{HUB_SLUG}_occupancy")
    ).to_contain_text(people(hub["current"]))
    rows = entity_rows(page)
    for instance in hub["instances"]:
        expect(page.get_by_text(instance["name"], exact=True)).to_be_visible()
        slug = slugify(instance["name"])
        for gate in instance["gates"]:
            for direction in ("in", "out"):
                assert rows[f"sensor.{slug}_gate_{gate['id']}_{direction}"] == (
                    f"Gate {gate['id']} {direction}",
                    people(gate[direction]),
                )

    # A control, end to end: a limit typed on the dashboard reaches the hub.
    # At the occupancy, the limit is reached: the sign says "Please wait", and
    # so does the door sign that the demo's blueprint automation sets.
    limit_input = card_for(
        page, "hui-generic-entity-row", f"number.{HUB_SLUG}_occupancy_limit"
    ).locator("input")
    door_sign = card_for(page, "hui-tile-card", DOOR_SIGN)
    for new_limit, title in (
        (hub["current"], "Please wait"),
        (hub["current"] + 10, "Welcome"),
    ):
        set_limit(stack, limit_input, new_limit)
        expect(sign).to_have_attribute("title", title)
        expect(door_sign).to_contain_text(title)
    expect(
        card_for(page, "hui-tile-card", f"sensor.{HUB_SLUG}_occupancy_limit")
    ).to_contain_text(people(hub["current"] + 10))
    # Unfocus the field so the screenshot shows the page as a visitor sees it.
    limit_input.blur()
    page.screenshot(path=artifacts / "05-dashboard.png")

    reset_occupancy_with_confirmation(stack, page, artifacts)
    statistics_drawn(stack, page, artifacts)

    # Tall enough for the visitors and the per-door counters, with the sidebar
    # drawn all the way, from the top.
    page.set_viewport_size({"width": 1280, "height": 1600})
    page.mouse.move(640, 400)
    page.mouse.wheel(0, -10_000)
    page.wait_for_timeout(1000)
    page.screenshot(path=artifacts / "06-dashboard-tall.png")
    page.set_viewport_size({"width": 1280, "height": 900})

    # Last, as it can only be an expected failure on a branch whose blueprint
    # does not act when it starts (see door_sign_automation_from_the_ui).
    door_sign_automation_from_the_ui(stack, page, artifacts, limit_input)

    (artifacts / "timings.txt").write_text(
        f"Home Assistant answered after {stack.ha_answered_after:.1f} s, "
        f"was ready after {stack.ha_ready_after:.1f} s; "
        f"the browser steps took {time.monotonic() - started:.1f} s\n",
        encoding="utf-8",
    )


def set_limit(stack: DemoStack, limit_input: Locator, limit: int) -> None:
    """Type a new limit on the dashboard; wait for the hub to have it."""
    limit_input.fill(str(limit))
    limit_input.press("Enter")
    wait_until(
        lambda: hub_state(stack)["threshold"],
        lambda threshold: threshold == limit,
        "the hub to receive the new limit",
    )


def reset_occupancy_with_confirmation(
    stack: DemoStack, page: Page, artifacts: Path
) -> None:
    """One tap on Reset asks first; only a confirmed reset empties the count."""
    from playwright.sync_api import expect  # noqa: PLC0415 - may be absent

    before = hub_state(stack)["current"]
    assert before > 0
    reset = page.locator("hui-button-row").filter(has_text="Reset occupancy")
    dialog = page.locator("dialog-box")
    reset.get_by_text("Reset", exact=True).click()
    expect(dialog).to_contain_text("Set the occupancy to 0?")
    page.screenshot(path=artifacts / "07-reset-confirmation.png")
    dialog.get_by_role("button", name="Cancel").click()
    expect(page.get_by_text("Set the occupancy to 0?")).to_be_hidden()
    # Nothing was sent: the next polls still read the same occupancy.
    page.wait_for_timeout(3000)
    assert hub_state(stack)["current"] == before

    reset.get_by_text("Reset", exact=True).click()
    dialog.get_by_role("button", name="OK").click()
    wait_until(
        lambda: hub_state(stack)["current"],
        lambda current: current == 0,
        "the confirmed reset to reach the hub",
    )
    expect(
        card_for(page, "hui-tile-card", f"sensor.{HUB_SLUG}_occupancy")
    ).to_contain_text(people(0))


def statistics_drawn(stack: DemoStack, page: Page, artifacts: Path) -> None:
    """People come and go; the recorder's 5-minute statistics are drawn.

    Their change adds up to the crossings the simulator made since the hub was
    added (it counted nobody before: its clock was frozen).
    """
    from playwright.sync_api import expect  # noqa: PLC0415 - may be absent

    entries = f"sensor.{HUB_SLUG}_entries"
    hub = hub_state(stack)
    first_entries = counts(hub)[0]
    stack.request(f"{stack.sim_url}/_sim/advance", {"seconds": 900})
    last_entries = counts(hub_state(stack))[0]
    assert last_entries > first_entries
    expect(card_for(page, "hui-tile-card", entries)).to_contain_text(
        people(last_entries), timeout=UPDATE_TIMEOUT * 1000
    )
    start = datetime(2000, 1, 1, tzinfo=UTC).isoformat()

    def changes() -> list[float]:
        rows = stack.command(
            {
                "type": "recorder/statistics_during_period",
                "start_time": start,
                "statistic_ids": [entries],
                "period": "5minute",
                "types": ["change"],
            }
        ).get(entries, [])
        return [row.get("change") or 0 for row in rows]

    wait_until(
        changes,
        lambda rows: sum(rows) == last_entries - first_entries,
        "the recorder to compile the entries' statistics",
        timeout=STATISTICS_TIMEOUT,
    )
    # The card fetched before the statistics existed: load it again.
    page.reload()
    card = page.locator("hui-statistics-graph-card").filter(
        has_text="Visitors per 5 minutes"
    )
    expect(card.locator("ha-chart-base")).to_be_visible(timeout=60_000)
    expect(card).not_to_contain_text("No statistics found")
    card.scroll_into_view_if_needed()
    page.screenshot(path=artifacts / "08-statistics.png")


def blueprint_acts_when_it_starts() -> bool:
    """Whether the door-sign blueprint acts at once when an automation starts."""
    triggers = load_yaml_dict(DOOR_SIGN_BLUEPRINT).get("triggers", [])
    return any(
        (trigger.get("trigger") == "homeassistant" and trigger.get("event") == "start")
        or "automation_reloaded" in str(trigger.get("event_type", ""))
        for trigger in triggers
    )


def door_sign_automation_from_the_ui(
    stack: DemoStack, page: Page, artifacts: Path, limit_input: Locator
) -> None:
    """An automation made from the blueprint in the UI, while the limit is reached.

    The hub is picked in the blueprint's device picker, and the automation saved.
    It is listed among the automations, and its default action (a
    notification) happens at once, not at the next change of the limit.
    """
    from playwright.sync_api import expect  # noqa: PLC0415 - may be absent

    set_limit(stack, limit_input, hub_state(stack)["current"])
    wait_until(
        lambda: stack.command({"type": "get_states"}),
        lambda states: any(
            state["entity_id"] == f"binary_sensor.{HUB_SLUG}_limit_reached"
            and state["state"] == "on"
            for state in states
        ),
        "the limit to be reached",
    )

    page.goto(f"{stack.ha_url}/config/blueprint/dashboard")
    page.get_by_text("VidiGates door sign and notifications").click()
    page.wait_for_url("**/config/automation/edit/new")
    # The blueprint's hub input is a device selector: its picker offers only
    # the VidiAccess hub (the instances are devices of another model).
    hub_picker = page.locator("ha-selector-device")
    hub_picker.get_by_text("Select a device").click()
    page.locator("ha-combo-box-item").filter(has_text=HUB_NAME).first.click()
    expect(hub_picker).to_contain_text(HUB_NAME)
    expect(hub_picker).not_to_contain_text("Select a device")
    expect(page.get_by_text(HUB_NAME, exact=True).first).to_be_visible()
    page.screenshot(path=artifacts / "09-blueprint-automation.png")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Traces")).to_be_visible()

    page.goto(f"{stack.ha_url}/config/automation/dashboard")
    expect(
        page.get_by_text("VidiGates door sign and notifications", exact=True)
    ).to_be_visible()
    page.screenshot(path=artifacts / "10-automations.png")

    def titles() -> list[str]:
        return [
            notice.get("title", "")
            for notice in stack.command({"type": "persistent_notification/get"})
        ]

    try:
        wait_until(
            titles,
            lambda shown: LIMIT_NOTIFICATION in shown,
            "the new automation's notification, at once",
        )
    except AssertionError:
        if not blueprint_acts_when_it_starts():
            pytest.xfail(
                "the door-sign blueprint on this branch acts only when the "
                "limit changes, not when an automation starts"
            )
        raise
    page.goto(f"{stack.ha_url}/{DASHBOARD_URL_PATH}/shop")
    page.get_by_text("Notifications").first.click()
    expect(page.get_by_text(LIMIT_NOTIFICATION)).to_be_visible()
    page.screenshot(path=artifacts / "11-notification.png")
