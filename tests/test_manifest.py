"""What hassfest and HACS's validation do not check in our metadata.

The schemas of manifest.json and hacs.json are theirs to check: the hassfest
and HACS workflows (.github/workflows/) run them on every push. Left here:
the release and version rules of this project, and quality_scale.yaml, which
hassfest checks only for core integrations.
"""

from __future__ import annotations

import json
from pathlib import Path
import re
from typing import Any

from awesomeversion import AwesomeVersion
import homeassistant
from homeassistant.const import __version__ as ha_version
from homeassistant.util.yaml import load_yaml_dict
import pytest

from .compat import NEWEST

ROOT = Path(__file__).parent.parent
INTEGRATION = ROOT / "custom_components" / "vidigates"

# Rules still to do, each with the reason in quality_scale.yaml. A rule must
# leave this set in the same change that marks it done.
KNOWN_TODO: set[str] = set()


def read_json(path: Path) -> dict[str, Any]:
    """Return a JSON object from a file."""
    data = json.loads(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


@pytest.fixture(name="manifest")
def manifest_fixture() -> dict[str, Any]:
    """The integration's manifest.json."""
    return read_json(INTEGRATION / "manifest.json")


def test_one_minimum_home_assistant() -> None:
    """hacs.json's minimum is a release we run, and every blueprint's."""
    minimum = read_json(ROOT / "hacs.json")["homeassistant"]
    assert re.fullmatch(r"\d{4}\.\d{1,2}\.\d+", minimum), minimum
    # scripts/test-oldest runs this suite on exactly that version.
    assert AwesomeVersion(ha_version) >= AwesomeVersion(minimum)
    for path in sorted((ROOT / "blueprints").rglob("*.yaml")):
        blueprint = load_yaml_dict(path)["blueprint"]
        assert blueprint["homeassistant"]["min_version"] == minimum, path


def test_changelog_has_the_manifest_version(manifest: dict[str, Any]) -> None:
    """CHANGELOG.md's newest release is the version in manifest.json, dated.

    The release's notes on GitHub are that section (DEVELOPERS.md, "Releasing"),
    so a version bump without one, or a section without the bump, is a mistake.
    """
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    headings = re.findall(r"^## \[(.+?)\](.*)$", changelog, re.MULTILINE)
    assert headings[0] == ("Unreleased", "")
    version, dated = headings[1]
    assert version == manifest["version"]
    assert re.fullmatch(r" - \d{4}-\d{2}-\d{2}", dated), dated
    # Keep a Changelog: each heading links to its changes.
    for name, _ in headings:
        assert re.search(rf"^\[{re.escape(name)}\]: https://", changelog, re.MULTILINE)


def core_rules() -> list[str]:
    """The quality scale's rules in the running Home Assistant.

    hassfest requires every core integration's quality_scale.yaml to list every
    rule, so a core Platinum integration's file is the rule list of this
    version, in order.
    """
    path = Path(homeassistant.__file__).parent / "components/peblar/quality_scale.yaml"
    return list(load_yaml_dict(path)["rules"])


@pytest.fixture(name="quality_scale")
def quality_scale_fixture() -> dict[str, dict[str, str]]:
    """quality_scale.yaml's rules, each as {status, comment?}."""
    rules = load_yaml_dict(INTEGRATION / "quality_scale.yaml")["rules"]
    return {
        name: {"status": value} if isinstance(value, str) else value
        for name, value in rules.items()
    }


def test_quality_scale_lists_every_rule(
    quality_scale: dict[str, dict[str, str]],
) -> None:
    """Every rule of the scale, and nothing else, in the scale's order.

    The file follows the newest tested release; an older one knows fewer rules,
    which the file lists in the same order.
    """
    rules = core_rules()
    if NEWEST:
        assert list(quality_scale) == rules
    else:
        assert [name for name in quality_scale if name in rules] == rules


def test_quality_scale_statuses(
    quality_scale: dict[str, dict[str, str]], manifest: dict[str, Any]
) -> None:
    """Exemptions and todos say why; the todos are the known ones."""
    for name, rule in quality_scale.items():
        assert set(rule) <= {"status", "comment"}, name
        assert rule["status"] in {"done", "exempt", "todo"}, name
        if rule["status"] != "done":
            assert rule.get("comment", "").strip(), f"{name} needs a comment"
    todo = {name for name, rule in quality_scale.items() if rule["status"] == "todo"}
    assert todo == KNOWN_TODO
    assert manifest["quality_scale"] == "platinum"


def test_quality_scale_claims_hold(quality_scale: dict[str, dict[str, str]]) -> None:
    """The rules hassfest verifies in code are where they say they are."""

    def done(rule: str) -> bool:
        return quality_scale[rule]["status"] == "done"

    def source(name: str) -> str:
        return (INTEGRATION / name).read_text(encoding="utf-8")

    if done("diagnostics"):
        assert "async def async_get_config_entry_diagnostics" in source(
            "diagnostics.py"
        )
    if done("reconfiguration-flow"):
        assert "async def async_step_reconfigure" in source("config_flow.py")
    if done("config-entry-unloading"):
        assert "async def async_unload_entry" in source("__init__.py")
    if done("runtime-data"):
        assert "entry.runtime_data = " in source("__init__.py")
    if done("stale-devices"):
        assert "async def async_remove_config_entry_device" in source("__init__.py")
    if done("brands"):
        assert (INTEGRATION / "brand" / "icon.png").is_file()
    if done("icon-translations"):
        assert (INTEGRATION / "icons.json").is_file()
    if done("parallel-updates"):
        for platform in INTEGRATION.glob("*.py"):
            text = platform.read_text(encoding="utf-8")
            if "async_add_entities" in text and "def async_setup_entry" in text:
                assert "PARALLEL_UPDATES = " in text, platform.name
