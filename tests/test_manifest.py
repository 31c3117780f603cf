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

from .compat import NEWEST

ROOT = Path(__file__).parent.parent
INTEGRATION = ROOT / "custom_components" / "vidigates"

# Rules still to do, each with the reason in quality_scale.yaml. A rule must
# leave this set in the same change that marks it done.
KNOWN_TODO: set[str] = set()


def read_json(path: Path) -> dict[str, Any]:
    data = json.loads(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def test_one_minimum_home_assistant() -> None:
    """hacs.json's minimum is a release we run, and every blueprint's."""
    minimum = read_json(ROOT / "hacs.json")["homeassistant"]
    assert re.fullmatch(r"\d{4}\.\d{1,2}\.\d+", minimum), minimum
    # scripts/test-oldest runs this suite on exactly that version.
    assert AwesomeVersion(ha_version) >= AwesomeVersion(minimum)
    for path in sorted((ROOT / "blueprints").rglob("*.yaml")):
        blueprint = load_yaml_dict(path)["blueprint"]
        assert blueprint["homeassistant"]["min_version"] == minimum, path


def test_changelog_has_the_manifest_version() -> None:
    """CHANGELOG.md's newest release is the version in manifest.json, dated.

    The release's notes on GitHub are that section (DEVELOPERS.md, "Releasing"),
    so a version bump without one, or a section without the bump, is a mistake.
    """
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    headings = re.findall(r"^## \[(.+?)\](.*)$", changelog, re.MULTILINE)
    assert headings[0] == ("Unreleased", "")
    version, dated = headings[1]
    assert version == read_json(INTEGRATION / "manifest.json")["version"]
    assert re.fullmatch(r" - \d{4}-\d{2}-\d{2}", dated), dated
    # Keep a Changelog: each heading links to its changes.
    for name, _ in headings:
        assert re.search(rf"^\[{re.escape(name)}\]: https://", changelog, re.MULTILINE)


def test_quality_scale() -> None:
    """Every rule of the scale in its order; exemptions and todos say why.

    hassfest requires every core integration's quality_scale.yaml to list every
    rule, so a core Platinum integration's file is the rule list of this
    version. Ours follows the newest tested release; an older one knows fewer
    rules, which the file lists in the same order.
    """
    core = Path(homeassistant.__file__).parent / "components/peblar/quality_scale.yaml"
    rules = list(load_yaml_dict(core)["rules"])
    ours = load_yaml_dict(INTEGRATION / "quality_scale.yaml")["rules"]
    quality_scale = {
        name: {"status": value} if isinstance(value, str) else value
        for name, value in ours.items()
    }
    if NEWEST:
        assert list(quality_scale) == rules
    else:
        assert [name for name in quality_scale if name in rules] == rules
    for name, rule in quality_scale.items():
        assert set(rule) <= {"status", "comment"}, name
        assert rule["status"] in {"done", "exempt", "todo"}, name
        if rule["status"] != "done":
            assert rule.get("comment", "").strip(), f"{name} needs a comment"
    todo = {name for name, rule in quality_scale.items() if rule["status"] == "todo"}
    assert todo == KNOWN_TODO
    assert read_json(INTEGRATION / "manifest.json")["quality_scale"] == "platinum"

    # The rules hassfest verifies in code are where they say they are.
    claims = {
        "diagnostics": (
            "diagnostics.py",
            "async def async_get_config_entry_diagnostics",
        ),
        "reconfiguration-flow": ("config_flow.py", "async def async_step_reconfigure"),
        "config-entry-unloading": ("__init__.py", "async def async_unload_entry"),
        "runtime-data": ("__init__.py", "entry.runtime_data = "),
        "stale-devices": ("__init__.py", "async def async_remove_config_entry_device"),
    }
    done = {name for name, rule in quality_scale.items() if rule["status"] == "done"}
    for rule in done & set(claims):
        name, text = claims[rule]
        assert text in (INTEGRATION / name).read_text(encoding="utf-8"), rule
    if "brands" in done:
        assert (INTEGRATION / "brand" / "icon.png").is_file()
    if "icon-translations" in done:
        assert (INTEGRATION / "icons.json").is_file()
    if "parallel-updates" in done:
        for platform in INTEGRATION.glob("*.py"):
            text = platform.read_text(encoding="utf-8")
            if "async_add_entities" in text and "def async_setup_entry" in text:
                assert "PARALLEL_UPDATES = " in text, platform.name
