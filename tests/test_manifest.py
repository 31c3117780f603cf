"""Checks of hacs.json, manifest.json and quality_scale.yaml against their rules.

The rules come from the tools that read these files: HACS's own validation
(``HACS_MANIFEST_JSON_SCHEMA`` and ``INTEGRATION_MANIFEST_JSON_SCHEMA`` in
hacs/integration ``custom_components/hacs/utils/validate.py``) and Home
Assistant's hassfest (``script/hassfest/manifest.py`` and
``quality_scale.py``), neither of which ships with Home Assistant's wheel.
"""

from __future__ import annotations

import json
from pathlib import Path
import re
from typing import Any
from urllib.parse import urlparse

from awesomeversion import AwesomeVersion, AwesomeVersionStrategy
import homeassistant
from homeassistant.const import __version__ as ha_version
from homeassistant.util.yaml import load_yaml_dict
import pytest

from .compat import NEWEST

ROOT = Path(__file__).parent.parent
INTEGRATION = ROOT / "custom_components" / "vidigates"

# hacs.json: the keys HACS documents (https://hacs.xyz/docs/publish/start).
# Its schema also accepts `render_readme`, which the documentation dropped.
HACS_KEYS: dict[str, type | tuple[type, ...]] = {
    "name": str,
    "content_in_root": bool,
    "zip_release": bool,
    "filename": str,
    "hide_default_branch": bool,
    "country": (str, list),
    "homeassistant": str,
    "persistent_directory": str,
    "hacs": str,
}

# manifest.json: what HACS requires of an integration, plus what hassfest
# requires of a custom one (iot_class and version included), plus what this
# integration must say (config_flow: it has one).
MANIFEST_REQUIRED = {
    "domain",
    "name",
    "codeowners",
    "config_flow",
    "documentation",
    "integration_type",
    "iot_class",
    "issue_tracker",
    "requirements",
    "version",
}
# Every key hassfest's custom-integration schema accepts: a typo is an error.
MANIFEST_ALLOWED = MANIFEST_REQUIRED | {
    "after_dependencies",
    "bluetooth",
    "dependencies",
    "dhcp",
    "disabled",
    "homekit",
    "import_executor",
    "loggers",
    "mqtt",
    "preview_features",
    "quality_scale",
    "single_config_entry",
    "ssdp",
    "usb",
    "zeroconf",
}
INTEGRATION_TYPES = {
    "device",
    "entity",
    "hardware",
    "helper",
    "hub",
    "service",
    "system",
}
IOT_CLASSES = {
    "assumed_state",
    "calculated",
    "cloud_polling",
    "cloud_push",
    "local_polling",
    "local_push",
}
QUALITY_SCALES = {"bronze", "silver", "gold", "platinum", "custom", "no_score"}

# Rules still to do, each with the reason in quality_scale.yaml. A rule must
# leave this set in the same change that marks it done.
KNOWN_TODO: set[str] = set()


def read_json(path: Path) -> dict[str, Any]:
    """Return a JSON object from a file."""
    data = json.loads(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


@pytest.fixture(name="hacs")
def hacs_fixture() -> dict[str, Any]:
    """hacs.json."""
    return read_json(ROOT / "hacs.json")


@pytest.fixture(name="manifest")
def manifest_fixture() -> dict[str, Any]:
    """The integration's manifest.json."""
    return read_json(INTEGRATION / "manifest.json")


def is_url(value: Any, *, scheme: str = "https") -> bool:
    """Whether ``value`` is an absolute URL with ``scheme`` and a host."""
    if not isinstance(value, str):
        return False
    parsed = urlparse(value)
    return parsed.scheme == scheme and bool(parsed.netloc)


def test_hacs_json_keys(hacs: dict[str, Any]) -> None:
    """Only keys HACS accepts (it refuses any other), with their types."""
    assert set(hacs) <= set(HACS_KEYS), set(hacs) - set(HACS_KEYS)
    for key, value in hacs.items():
        assert isinstance(value, HACS_KEYS[key]), key
    assert hacs["name"].strip()
    # HACS refuses a zip release without the zip's name.
    assert not hacs.get("zip_release") or hacs.get("filename")
    # The integration lives in custom_components/, not in the repository's root.
    assert not hacs.get("content_in_root")
    countries = hacs.get("country", [])
    for country in [countries] if isinstance(countries, str) else countries:
        assert re.fullmatch(r"[A-Z]{2}", country), country


def test_hacs_json_minimum_home_assistant(hacs: dict[str, Any]) -> None:
    """The declared minimum is a release, and not newer than what we run."""
    minimum = hacs["homeassistant"]
    assert re.fullmatch(r"\d{4}\.\d{1,2}\.\d+", minimum), minimum
    # scripts/test-oldest runs this suite on exactly that version.
    assert AwesomeVersion(ha_version) >= AwesomeVersion(minimum)


def test_blueprints_need_the_same_minimum(hacs: dict[str, Any]) -> None:
    """Each blueprint asks for the release hacs.json declares, no newer."""
    for path in sorted((ROOT / "blueprints").rglob("*.yaml")):
        blueprint = load_yaml_dict(path)["blueprint"]
        assert blueprint["homeassistant"]["min_version"] == hacs["homeassistant"], path


def test_manifest_keys(manifest: dict[str, Any]) -> None:
    """Every key HACS and hassfest ask for; nothing hassfest does not know."""
    assert set(manifest) >= MANIFEST_REQUIRED, MANIFEST_REQUIRED - set(manifest)
    assert set(manifest) <= MANIFEST_ALLOWED, set(manifest) - MANIFEST_ALLOWED


def test_manifest_order(manifest: dict[str, Any]) -> None:
    """hassfest's order: domain, name, then the other keys alphabetically."""
    first = {"domain": ".domain", "name": ".name"}
    keys = list(manifest)
    assert keys == sorted(keys, key=lambda key: first.get(key, key))


def test_manifest_values(manifest: dict[str, Any]) -> None:
    """The values hassfest and HACS check."""
    assert manifest["domain"] == INTEGRATION.name
    assert isinstance(manifest["name"], str)
    assert manifest["name"].strip()
    assert manifest["config_flow"] is (INTEGRATION / "config_flow.py").exists()
    assert manifest["integration_type"] in INTEGRATION_TYPES
    assert manifest["iot_class"] in IOT_CLASSES
    assert manifest["quality_scale"] in QUALITY_SCALES

    # hassfest: https, and not a page of Home Assistant's own documentation.
    assert is_url(manifest["documentation"])
    assert not manifest["documentation"].startswith("https://www.home-assistant.io")
    assert is_url(manifest["issue_tracker"])

    # hassfest: silver and above need a code owner, as GitHub handles.
    codeowners = manifest["codeowners"]
    assert isinstance(codeowners, list)
    assert codeowners
    for owner in codeowners:
        assert re.fullmatch(r"@[A-Za-z0-9-]+(/[A-Za-z0-9_.-]+)?", owner), owner

    requirements = manifest["requirements"]
    assert isinstance(requirements, list)
    assert all(isinstance(requirement, str) for requirement in requirements)

    # HACS compares versions with AwesomeVersion; hassfest accepts these styles.
    version = AwesomeVersion(
        manifest["version"],
        ensure_strategy=[
            AwesomeVersionStrategy.CALVER,
            AwesomeVersionStrategy.SEMVER,
            AwesomeVersionStrategy.SIMPLEVER,
            AwesomeVersionStrategy.BUILDVER,
            AwesomeVersionStrategy.PEP440,
        ],
    )
    assert version.valid


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
