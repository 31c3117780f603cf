"""Tests of the repair issues raised for instances the user must act on."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
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
from custom_components.vidigates.issues import ISSUES

from .conftest import answer, wait
from .rendering import GFM_AUTOLINK, render_markdown

ENTRY_ID = "01JVIDIGATESTESTENTRY00000"
# The vendor sample's first instance is restricted (derived from its booleans);
# the second one is fine.
RESTRICTED_ISSUE = f"{ENTRY_ID}_74117_1_instance_restricted"
SECOND = 1
SECOND_PREFIX = f"{ENTRY_ID}_52190_0_"


type Say = Callable[[dict[str, Any] | None], Awaitable[None]]

pytestmark = pytest.mark.usefixtures("init_integration")


@pytest.fixture
def say(
    hass: HomeAssistant,
    aioclient_mock: AiohttpClientMocker,
    freezer: FrozenDateTimeFactory,
) -> Say:
    """Let the mocked hub answer a payload (None: refuse it) from now on, 2 s."""
    return lambda payload: answer(hass, aioclient_mock, freezer, payload)


def domain_issues(hass: HomeAssistant) -> dict[str, ir.IssueEntry]:
    return {
        issue_id: issue
        for (domain, issue_id), issue in ir.async_get(hass).issues.items()
        if domain == DOMAIN
    }


def with_second_status(sample: dict[str, Any], status: str) -> dict[str, Any]:
    payload = copy.deepcopy(sample)
    payload["instances"][SECOND]["status"] = status
    return payload


async def test_restricted_instance_at_setup(hass: HomeAssistant) -> None:
    [(issue_id, issue)] = domain_issues(hass).items()
    assert issue_id == RESTRICTED_ISSUE
    assert (
        issue.translation_key,
        issue.severity,
        issue.is_fixable,
        issue.is_persistent,
        issue.translation_placeholders,
    ) == (
        "instance_restricted",
        ir.IssueSeverity.ERROR,
        False,
        False,
        {
            "name": "Box #74117",
            "name_markdown": "Box \\#74117",
            "hub_markdown": "VidiAccess hub 192\\.0\\.2\\.10",
            "boxid": "74117",
            "number": "1",
            "minutes": "5",
        },
    )


@pytest.mark.parametrize(
    ("status", "translation_key", "severity"),
    [
        ("disabled", "instance_disabled", ir.IssueSeverity.ERROR),
        ("no-gates", "instance_no_gates", ir.IssueSeverity.WARNING),
    ],
)
async def test_issue_follows_the_instance(
    hass: HomeAssistant,
    say: Say,
    vendor_sample: dict[str, Any],
    *,
    status: str,
    translation_key: str,
    severity: ir.IssueSeverity,
) -> None:
    """An instance's problem raises its issue at once; recovery clears it.

    One issue per instance: a new problem replaces the old one's issue.
    """
    for payload in ("restricted", status):
        await say(with_second_status(vendor_sample, payload))
    issue_id = SECOND_PREFIX + translation_key
    issues = domain_issues(hass)
    assert set(issues) == {RESTRICTED_ISSUE, issue_id}
    issue = issues[issue_id]
    assert (issue.translation_key, issue.severity) == (translation_key, severity)
    assert (issue.translation_placeholders or {})["name"] == "Box #52190"

    await say(vendor_sample)
    assert set(domain_issues(hass)) == {RESTRICTED_ISSUE}


async def test_issue_goes_with_the_instance(
    hass: HomeAssistant, say: Say, vendor_sample: dict[str, Any]
) -> None:
    """An instance the hub no longer lists has no issue; if it returns, it has.

    The issue names the instance as its Control Center now calls it. A hub
    that stops answering tells nothing new: its issues stay; one that comes
    back without the instance drops its issue.
    """
    renamed = copy.deepcopy(vendor_sample)
    renamed["instances"][0]["name"] = "Back door"
    without = copy.deepcopy(vendor_sample)
    del without["instances"][0]
    await say(renamed)
    issue = domain_issues(hass)[RESTRICTED_ISSUE]
    assert (issue.translation_placeholders or {})["name"] == "Back door"
    for payload, issues in (
        (None, {RESTRICTED_ISSUE}),
        (without, set()),
        (vendor_sample, {RESTRICTED_ISSUE}),
    ):
        await say(payload)
        assert set(domain_issues(hass)) == issues


@pytest.mark.parametrize("how", ["unload", "remove"])
async def test_issues_go_with_the_entry(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    say: Say,
    *,
    vendor_sample: dict[str, Any],
    freezer: FrozenDateTimeFactory,
    how: str,
) -> None:
    """Unloading or removing the hub clears its issues; it raises none later."""
    payload = with_second_status(vendor_sample, "not-capturing")
    await say(payload)
    assert domain_issues(hass)
    if how == "unload":
        assert await hass.config_entries.async_unload(init_integration.entry_id)
    else:
        await hass.config_entries.async_remove(init_integration.entry_id)
    await hass.async_block_till_done()
    assert domain_issues(hass) == {}
    await wait(hass, freezer, timedelta(minutes=6))
    assert domain_issues(hass) == {}


async def test_not_capturing_only_once_it_lasts(
    hass: HomeAssistant,
    say: Say,
    *,
    aioclient_mock: AiohttpClientMocker,
    vendor_sample: dict[str, Any],
    freezer: FrozenDateTimeFactory,
) -> None:
    """A camera that stops for a moment is no issue; five minutes are."""
    issue_id = SECOND_PREFIX + "instance_not_capturing"
    not_capturing = with_second_status(vendor_sample, "not-capturing")

    # A recovery between two short outages starts the five minutes again.
    await say(not_capturing)
    await wait(hass, freezer, timedelta(minutes=3))
    await say(vendor_sample)
    await say(not_capturing)
    await wait(hass, freezer, timedelta(minutes=4, seconds=50))
    assert issue_id not in domain_issues(hass)

    await wait(hass, freezer, timedelta(seconds=10))
    issue = domain_issues(hass)[issue_id]
    assert (issue.translation_key, issue.severity) == (
        "instance_not_capturing",
        ir.IssueSeverity.ERROR,
    )

    await say(vendor_sample)
    assert issue_id not in domain_issues(hass)

    # Stale data is no proof: the issue waits until the hub confirms.
    await say(not_capturing)
    await answer(hass, aioclient_mock, freezer, None, timedelta(minutes=6))
    assert issue_id not in domain_issues(hass)
    await say(not_capturing)
    assert issue_id in domain_issues(hass)


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
    say: Say,
    *,
    vendor_sample: dict[str, Any],
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
    await say(payload)

    issue = domain_issues(hass)[SECOND_PREFIX + "instance_restricted"]
    placeholders = issue.translation_placeholders or {}
    # The name as the instance's device shows it: line breaks are spaces.
    shown = " ".join(name.split())
    assert placeholders["name"] == shown

    # Every issue gets the same placeholders: render them all, in every language.
    for language in ("en", "fr", "de"):
        translations = await async_get_translations(hass, language, "issues", [DOMAIN])
        for kind in sorted({kind.translation_key for kind in ISSUES.values()}):
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
