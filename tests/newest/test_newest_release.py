"""The integration on Home Assistant's newest release, run for real.

pytest-homeassistant-custom-component follows Home Assistant's releases with a
delay, so the suite cannot run on a release it does not support yet. This runs
that release as a user does instead: in .venv-newest (requirements_newest.txt,
installed by scripts/test-newest), the hub simulator and a real ``hass`` with a
fresh config folder (demo/stack.py, what scripts/develop runs), the hub added
through the config flow's REST API; then the entities, one action, a reload,
and Home Assistant's log. Everything it writes goes to artifacts/newest/.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from importlib import metadata
import json
from pathlib import Path
import re
import shutil
import time
from typing import Any, Final

import homeassistant
from homeassistant import bootstrap
from homeassistant.const import __version__ as ha_version
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
import pytest
import yaml

from demo.stack import DemoOptions, DemoStack, free_port

REPO: Final = Path(__file__).resolve().parents[2]
ARTIFACTS: Final = REPO / "artifacts" / "newest"
DOMAIN: Final = "vidigates"
INTEGRATION: Final = REPO / "custom_components" / DOMAIN
COMPONENTS: Final = Path(homeassistant.__file__).parent / "components"
CONFIGURATION: Final = REPO / "demo" / "config" / "configuration.yaml"
SHIMS: Final = REPO / "demo" / "shims"

# The simulator's default hub, two instances of two gates each, makes 10 hub
# entities, 4 per instance and 2 per gate (tests/snapshots pin which).
EXPECTED_ENTITIES: Final = 26
# Waiting for Home Assistant to show what the hub already holds.
UPDATE_TIMEOUT: Final = 30.0
_POLL: Final = 0.25

# Home Assistant says this of every custom integration, at every start.
ALLOWED: Final = re.compile(
    r"\[homeassistant\.loader\] We found a custom integration vidigates which has "
    r"not been tested by Home Assistant"
)
RECORD: Final = re.compile(
    r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+\S* (?P<level>[A-Z]+) ", re.MULTILINE
)
BAD_LEVELS: Final = frozenset({"WARNING", "ERROR", "CRITICAL"})


def log_problems(text: str, repo: Path = REPO) -> list[str]:
    """Return the warnings and errors in a Home Assistant log that concern us.

    A record is a timestamped line and the lines after it (a traceback); text
    before the first record went to stderr without logging and counts as a
    warning. It concerns the integration when it names it anywhere outside the
    repository's own path (a checkout may be called ha-vidigates): our logger,
    our files in a traceback or a deprecation warning, or Home Assistant
    naming the integration ("custom integration 'vidigates'").
    """
    starts = [match.start() for match in RECORD.finditer(text)]
    bounds = zip([0, *starts], [*starts, len(text)], strict=True)
    problems = []
    for begin, end in bounds:
        record = text[begin:end].strip()
        if not record:
            continue
        match = RECORD.match(record)
        level = match.group("level") if match else "WARNING"
        mentions = re.search(r"\bvidigates\b", record.replace(str(repo), ""), re.I)
        if level in BAD_LEVELS and mentions and not ALLOWED.search(record):
            problems.append(record)
    return problems


def test_log_problems() -> None:
    """The log check finds what concerns us, and only that."""
    repo = Path("/home/runner/work/ha-vidigates/ha-vidigates")
    stamp = "2026-11-30 06:28:44.585+00:00"

    def record(level: str, logger: str, message: str) -> str:
        return f"{stamp} {level} (MainThread) [{logger}] {message}"

    ours = f"{repo}/artifacts/newest/config/custom_components/vidigates"
    deprecated = "Detected that custom integration 'vidigates' calls a deprecated"
    text = "\n".join(
        [
            "a line on stderr before logging starts",
            record(
                "WARNING",
                "homeassistant.loader",
                "We found a custom integration vidigates which has not been "
                "tested by Home Assistant. This component might cause ...",
            ),
            record("INFO", "custom_components.vidigates", "set up"),
            record("WARNING", "py.warnings", f"{repo}/.venv/x.py:1: Deprecation"),
            record("WARNING", "homeassistant.helpers.frame", deprecated),
            record("ERROR", "homeassistant", "Error doing job"),
            "Traceback (most recent call last):",
            f'  File "{ours}/coordinator.py", line 1, in poll',
            "ValueError: boom",
            record("ERROR", "homeassistant.setup", "Setup failed for 'analytics'"),
            record("WARNING", "custom_components.vidigates.api", "slow"),
        ]
    )
    assert [problem.splitlines()[0] for problem in log_problems(text, repo)] == [
        record("WARNING", "homeassistant.helpers.frame", deprecated),
        record("ERROR", "homeassistant", "Error doing job"),
        record("WARNING", "custom_components.vidigates.api", "slow"),
    ]
    # Python's warnings reach stderr before Home Assistant's logging starts.
    assert log_problems(f"{ours}/api.py:1: DeprecationWarning: old", repo) != []


def manifest(domain: str) -> dict[str, Any]:
    """An integration's manifest.json: Home Assistant's, or ours."""
    folder = INTEGRATION if domain == DOMAIN else COMPONENTS / domain
    data: dict[str, Any] = json.loads(
        (folder / "manifest.json").read_text(encoding="utf-8")
    )
    return data


def configured_domains() -> list[str]:
    """The integrations demo/config/configuration.yaml sets up: its top-level keys.

    Composed, not loaded: the files its !include tags name (automations.yaml …)
    exist only once demo/stack.py has run.
    """
    with CONFIGURATION.open(encoding="utf-8") as file:
        node = yaml.compose(file)
    assert isinstance(node, yaml.MappingNode)
    return [str(key.value) for key, _value in node.value]


def test_requirements_pinned() -> None:
    """requirements_newest.txt installs what this release's integrations import.

    Home Assistant runs with --skip-pip, as in the demo, so a missing
    requirement fails an integration's set-up instead of being installed. The
    integrations are those it always sets up, the configuration's and ours,
    with their dependencies and after-dependencies (whose requirements Home
    Assistant installs too). Stand-ins in demo/shims/ count as installed.
    """
    shimmed = {
        canonicalize_name(path.name) for path in SHIMS.iterdir() if path.is_dir()
    }
    domains = {
        *bootstrap.CORE_INTEGRATIONS,
        *bootstrap.DEFAULT_INTEGRATIONS,
        *configured_domains(),
        DOMAIN,
    }
    todo, seen, missing = sorted(domains), set(), []
    while todo:
        domain = todo.pop()
        if domain in seen:
            continue
        seen.add(domain)
        data = manifest(domain)
        todo += data.get("dependencies", []) + data.get("after_dependencies", [])
        for line in data.get("requirements", []):
            requirement = Requirement(line)
            if canonicalize_name(requirement.name) in shimmed:
                continue
            installed = None
            with contextlib.suppress(metadata.PackageNotFoundError):
                installed = metadata.version(requirement.name)
            if installed is None or not requirement.specifier.contains(
                installed, prereleases=True
            ):
                missing.append(f"{line} (for {domain}; installed: {installed})")
    assert not missing, (
        f"Home Assistant {ha_version} needs these pins in requirements_newest.txt: "
        + "; ".join(sorted(missing))
    )


@dataclass(frozen=True)
class Registered:
    """The integration's entities in the entity registry."""

    # (platform domain, unique id) -> entity id
    ids: dict[tuple[str, str], str]
    enabled: frozenset[str]

    def find(self, domain: str, unique_id: str, entry_id: str) -> str:
        """The entity id of ``unique_id``, or of the same under the hub's entry.

        Release 0.2.0 puts the hub's entry id before an instance's unique id
        (two hubs may list one camera); either form is found.
        """
        for candidate in (unique_id, f"{entry_id}-{unique_id}"):
            if entity_id := self.ids.get((domain, candidate)):
                return entity_id
        raise AssertionError(f"no {domain} with unique id {unique_id}: {self.ids}")


def registry_entities(stack: DemoStack) -> Registered:
    """The integration's entities, as the entity registry lists them."""
    entries = stack.command({"type": "config/entity_registry/list"})
    ours = [entry for entry in entries if entry["platform"] == DOMAIN]
    return Registered(
        ids={
            (entry["entity_id"].split(".")[0], entry["unique_id"]): entry["entity_id"]
            for entry in ours
        },
        enabled=frozenset(
            entry["entity_id"] for entry in ours if entry["disabled_by"] is None
        ),
    )


def expected_states(hub: dict[str, Any], entry_id: str) -> dict[tuple[str, str], str]:
    """What some entities must show for a hub answer, by (domain, unique id)."""
    expected = {
        ("sensor", f"{entry_id}-occupancy"): hub["current"],
        ("sensor", f"{entry_id}-threshold"): hub["threshold"],
        ("number", f"{entry_id}-threshold"): hub["threshold"],
    }
    for instance in hub["instances"]:
        prefix = f"{instance['boxid']}-{instance['number']}"
        expected["sensor", f"{prefix}-status"] = instance["status"]
        for gate in instance["gates"]:
            for direction in ("in", "out"):
                unique_id = f"{prefix}-gate-{gate['id']}-{direction}"
                expected["sensor", unique_id] = gate[direction]
    return {key: normalise(value) for key, value in expected.items()}


def normalise(value: Any) -> str:
    """A state as text, numbers as numbers (a number entity shows 50.0)."""
    with contextlib.suppress(ValueError, TypeError):
        return repr(float(value))
    return str(value)


def hub(stack: DemoStack) -> dict[str, Any]:
    """What the simulated hub answers a client."""
    answer: dict[str, Any] = stack.request(f"{stack.sim_url}/api/v1/instances")
    return answer


def wait_for_states(
    stack: DemoStack, entities: Registered, entry_id: str
) -> dict[str, str]:
    """Wait until the entities show what the hub holds; return the states."""
    deadline = time.monotonic() + UPDATE_TIMEOUT
    while True:
        wanted = {
            entities.find(domain, unique_id, entry_id): value
            for (domain, unique_id), value in expected_states(
                hub(stack), entry_id
            ).items()
        }
        states = {
            state["entity_id"]: state["state"]
            for state in stack.request(f"{stack.ha_url}/api/states")
        }
        shown = {entity_id: normalise(states.get(entity_id)) for entity_id in wanted}
        if shown == wanted or time.monotonic() > deadline:
            assert shown == wanted, "the entities do not show what the hub holds"
            return states
        time.sleep(_POLL)


def loaded_entry(stack: DemoStack) -> dict[str, Any]:
    """The integration's one config entry, set up.

    Home Assistant answers a config flow that creates an entry, and a reload,
    once the entry is set up: no wait.
    """
    entries = stack.entries()
    assert [entry["state"] for entry in entries] == ["loaded"], entries
    return entries[0]


def run_journey(stack: DemoStack) -> None:
    """Entities, an action and a reload, checked against the simulator."""
    entry_id = loaded_entry(stack)["entry_id"]

    entities = registry_entities(stack)
    assert len(entities.ids) == EXPECTED_ENTITIES, sorted(entities.ids.values())
    states = wait_for_states(stack, entities, entry_id)
    unavailable = [
        entity_id
        for entity_id in sorted(entities.enabled)
        if states.get(entity_id, "unavailable") == "unavailable"
    ]
    assert not unavailable, f"no state, or unavailable: {unavailable}"

    # One action: the hub holds the new limit, and the entity shows it.
    threshold = hub(stack)["threshold"] + 7
    stack.request(
        f"{stack.ha_url}/api/services/{DOMAIN}/set",
        {"config_entry_id": entry_id, "threshold": threshold},
    )
    assert hub(stack)["threshold"] == threshold
    wait_for_states(stack, entities, entry_id)

    # A reload brings the same entities back, showing the same values.
    entry_url = f"{stack.ha_url}/api/config/config_entries/entry/{entry_id}"
    stack.request(f"{entry_url}/reload", {})
    loaded_entry(stack)
    assert registry_entities(stack) == entities
    states = wait_for_states(stack, entities, entry_id)
    number = entities.find("number", f"{entry_id}-threshold", entry_id)
    assert float(states[number]) == threshold


def test_newest_release(monkeypatch: pytest.MonkeyPatch) -> None:
    """Set up, use, reload and stop the integration; a clean log throughout."""
    shutil.rmtree(ARTIFACTS, ignore_errors=True)
    # Home Assistant logs Python's warnings; deprecations are hidden by default.
    monkeypatch.setenv("PYTHONWARNINGS", "default::DeprecationWarning")
    stack = DemoStack(
        DemoOptions(
            runtime_dir=ARTIFACTS,
            ha_port=free_port(),
            sim_port=0,
            # The hub's clock stands still, so its values do too.
            real_time=False,
        )
    )
    started = time.monotonic()
    with stack:
        assert not stack.notices, stack.notices
        run_journey(stack)
    # Stopped: the log includes the unload at shutdown.
    problems = log_problems(stack.hass_log.read_text(encoding="utf-8"))
    assert not problems, "Home Assistant's log:\n" + "\n".join(problems)
    (ARTIFACTS / "timings.txt").write_text(
        f"Home Assistant {ha_version}: answered after "
        f"{stack.ha_answered_after:.1f} s, ready after {stack.ha_ready_after:.1f} s, "
        f"whole run {time.monotonic() - started:.1f} s\n",
        encoding="utf-8",
    )
