"""Tests of the repair issues raised for instances the user must act on."""

from __future__ import annotations

import copy
from datetime import timedelta
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.translation import async_get_translations
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.test_util.aiohttp import AiohttpClientMocker

from custom_components.vidigates.const import DOMAIN

from .conftest import answer, wait
from .rendering import GFM_AUTOLINK, render_markdown

ENTRY_ID = "01JVIDIGATESTESTENTRY00000"
# The vendor sample's first instance is restricted (derived from its booleans);
# the second one is fine.
RESTRICTED_ISSUE = f"{ENTRY_ID}_74117_1_instance_restricted"
SECOND = 1
SECOND_PREFIX = f"{ENTRY_ID}_52190_0_"
ISSUE_KINDS = (
    "instance_restricted",
    "instance_disabled",
    "instance_no_gates",
    "instance_not_capturing",
)


def domain_issues(issue_registry: ir.IssueRegistry) -> dict[str, ir.IssueEntry]:
    return {
        issue_id: issue
        for (domain, issue_id), issue in issue_registry.issues.items()
        if domain == DOMAIN
    }


def with_second_status(sample: dict[str, Any], status: str) -> dict[str, Any]:
    """The vendor sample with the second instance's status replaced."""
    payload = copy.deepcopy(sample)
    payload["instances"][SECOND]["status"] = status
    return payload


async def test_restricted_instance_at_setup(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    issue_registry: ir.IssueRegistry,
) -> None:
    """An instance that is restricted when the hub is added raises its issue."""
    issues = domain_issues(issue_registry)
    assert list(issues) == [RESTRICTED_ISSUE]
    issue = issues[RESTRICTED_ISSUE]
    assert issue.translation_key == "instance_restricted"
    assert issue.severity is ir.IssueSeverity.ERROR
    assert issue.is_fixable is False
    assert issue.is_persistent is False
    assert issue.translation_placeholders == {
        "name": "Box #74117",
        "name_markdown": "Box \\#74117",
        "hub_markdown": "VidiAccess hub 192\\.0\\.2\\.10",
        "boxid": "74117",
        "number": "1",
        "minutes": "5",
    }


@pytest.mark.parametrize(
    ("status", "translation_key", "severity"),
    # Each status's issue (restricted: test_restricted_instance_at_setup).
    [
        ("disabled", "instance_disabled", ir.IssueSeverity.ERROR),
        ("no-gates", "instance_no_gates", ir.IssueSeverity.WARNING),
    ],
)
async def test_issue_follows_the_instance(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    *,
    aioclient_mock: AiohttpClientMocker,
    vendor_sample: dict[str, Any],
    issue_registry: ir.IssueRegistry,
    freezer: FrozenDateTimeFactory,
    status: str,
    translation_key: str,
    severity: ir.IssueSeverity,
) -> None:
    """An instance's problem raises its issue at once; recovery clears it.

    One issue per instance: a new problem replaces the old one's issue.
    """
    await answer(
        hass, aioclient_mock, freezer, with_second_status(vendor_sample, "restricted")
    )
    await answer(
        hass, aioclient_mock, freezer, with_second_status(vendor_sample, status)
    )
    issue_id = SECOND_PREFIX + translation_key
    assert set(domain_issues(issue_registry)) == {RESTRICTED_ISSUE, issue_id}
    issue = domain_issues(issue_registry)[issue_id]
    assert issue.translation_key == translation_key
    assert issue.severity is severity
    assert issue.translation_placeholders is not None
    assert issue.translation_placeholders["name"] == "Box #52190"

    await answer(hass, aioclient_mock, freezer, vendor_sample)
    assert set(domain_issues(issue_registry)) == {RESTRICTED_ISSUE}


async def test_issue_goes_with_the_instance(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    *,
    aioclient_mock: AiohttpClientMocker,
    vendor_sample: dict[str, Any],
    issue_registry: ir.IssueRegistry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """An instance the hub no longer lists has no issue; if it returns, it has.

    The issue names the instance as its Control Center now calls it. A hub
    that stops answering tells nothing new: its issues stay; one that comes
    back without the instance drops its issue.
    """
    renamed = copy.deepcopy(vendor_sample)
    renamed["instances"][0]["name"] = "Back door"
    await answer(hass, aioclient_mock, freezer, renamed)
    issue = domain_issues(issue_registry)[RESTRICTED_ISSUE]
    assert issue.translation_placeholders is not None
    assert issue.translation_placeholders["name"] == "Back door"

    without = copy.deepcopy(vendor_sample)
    del without["instances"][0]
    await answer(hass, aioclient_mock, freezer, None)
    assert set(domain_issues(issue_registry)) == {RESTRICTED_ISSUE}
    await answer(hass, aioclient_mock, freezer, without)
    assert domain_issues(issue_registry) == {}

    await answer(hass, aioclient_mock, freezer, vendor_sample)
    assert set(domain_issues(issue_registry)) == {RESTRICTED_ISSUE}


@pytest.mark.parametrize("how", ["unload", "remove"])
async def test_issues_go_with_the_entry(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    *,
    aioclient_mock: AiohttpClientMocker,
    vendor_sample: dict[str, Any],
    issue_registry: ir.IssueRegistry,
    freezer: FrozenDateTimeFactory,
    how: str,
) -> None:
    """Unloading or removing the hub clears its issues; it raises none later."""
    await answer(
        hass,
        aioclient_mock,
        freezer,
        with_second_status(vendor_sample, "not-capturing"),
    )
    assert domain_issues(issue_registry)
    if how == "unload":
        assert await hass.config_entries.async_unload(init_integration.entry_id)
    else:
        await hass.config_entries.async_remove(init_integration.entry_id)
    await hass.async_block_till_done()
    assert domain_issues(issue_registry) == {}
    await wait(hass, freezer, timedelta(minutes=6))
    assert domain_issues(issue_registry) == {}


async def test_not_capturing_only_once_it_lasts(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    *,
    aioclient_mock: AiohttpClientMocker,
    vendor_sample: dict[str, Any],
    issue_registry: ir.IssueRegistry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A camera that stops for a moment is no issue; five minutes are."""
    issue_id = SECOND_PREFIX + "instance_not_capturing"
    not_capturing = with_second_status(vendor_sample, "not-capturing")

    # A recovery between two short outages starts the five minutes again.
    await answer(hass, aioclient_mock, freezer, not_capturing)
    await wait(hass, freezer, timedelta(minutes=3))
    await answer(hass, aioclient_mock, freezer, vendor_sample)
    await answer(hass, aioclient_mock, freezer, not_capturing)
    await wait(hass, freezer, timedelta(minutes=4, seconds=50))
    assert issue_id not in domain_issues(issue_registry)

    await wait(hass, freezer, timedelta(seconds=10))
    issue = domain_issues(issue_registry)[issue_id]
    assert issue.translation_key == "instance_not_capturing"
    assert issue.severity is ir.IssueSeverity.ERROR

    await answer(hass, aioclient_mock, freezer, vendor_sample)
    assert issue_id not in domain_issues(issue_registry)

    # Stale data is no proof: the issue waits until the hub confirms.
    await answer(hass, aioclient_mock, freezer, not_capturing)
    await answer(hass, aioclient_mock, freezer, None, after=timedelta(minutes=6))
    assert issue_id not in domain_issues(issue_registry)
    await answer(hass, aioclient_mock, freezer, not_capturing)
    assert issue_id in domain_issues(issue_registry)


# Every kind of markup a name could try, as much as a name holds (100
# characters); markdown_literal itself is tested on any text in
# test_markdown.py.
@pytest.mark.parametrize(
    "name",
    [
        pytest.param(
            "[Door](https://evil.example/l) ![x](https://e.example/p.png)"
            ' <img src=x onerror="alert(1)"><b>D</b>',
            id="links-images-html",
        ),
        pytest.param(
            r"`c` **s** __u__ *e* _e_ ~~g~~ \*k\* [a][1] [1]: https://e.example"
            " <https://e.example> &amp; &#x3C;",
            id="code-emphasis-references-entities",
        ),
        pytest.param(
            "Door\n# H\n> q\n- i\n    c\n1. o\n--- www.e.example"
            " http://e.example/a_b m@e.io <ha-alert>x</ha-alert>",
            id="lines-addresses-ha-tags",
        ),
        pytest.param("| a | b |\n|---|---|\n| c | d |", id="table"),
    ],
)
async def test_hostile_name_renders_as_text(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    *,
    aioclient_mock: AiohttpClientMocker,
    vendor_sample: dict[str, Any],
    issue_registry: ir.IssueRegistry,
    freezer: FrozenDateTimeFactory,
    name: str,
) -> None:
    """Whatever a hub names its instance, the issue shows that text, nothing more.

    The name comes from the hub, the hub's title from the user: neither may
    add a link, an image, markup or a line to the issue's description.
    """
    hub_title = "Shop *front* <i>[hub](https://evil.example)</i>"
    hass.config_entries.async_update_entry(init_integration, title=hub_title)
    payload = with_second_status(vendor_sample, "restricted")
    payload["instances"][SECOND]["name"] = name
    await answer(hass, aioclient_mock, freezer, payload)

    issue = domain_issues(issue_registry)[SECOND_PREFIX + "instance_restricted"]
    placeholders = issue.translation_placeholders
    assert placeholders is not None
    # The name as the instance's device shows it: line breaks are spaces.
    shown = placeholders["name"]
    assert shown == " ".join(name.split())

    # Every issue gets the same placeholders: render them all, in every language.
    for language in ("en", "fr", "de"):
        translations = await async_get_translations(hass, language, "issues", [DOMAIN])
        for kind in ISSUE_KINDS:
            prefix = f"component.{DOMAIN}.issues.{kind}"
            assert shown in translations[f"{prefix}.title"].format(**placeholders)

            template = translations[f"{prefix}.description"]
            description = template.format(**placeholders)
            assert not GFM_AUTOLINK.search(description), description
            rendered = render_markdown(description)
            # The same description with harmless names in their place: the
            # same elements, and the same text with the names put back.
            plain = render_markdown(
                template.format(
                    **{**placeholders, "name_markdown": "NAME", "hub_markdown": "HUB"}
                )
            )
            assert rendered.tags == plain.tags
            assert rendered.text == plain.text.replace("NAME", shown).replace(
                "HUB", hub_title
            )
