"""The translations: complete in every language and covering what the code uses.

English (en.json) is the source. French and German must hold exactly its keys
with the same placeholders: Home Assistant silently falls back to English for
a string whose placeholders differ, and shows a raw key for a missing one.
en.json in turn must cover every entity, state, action, field, error, abort,
exception and repair issue the code can produce, and hold nothing the code no
longer uses.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
import importlib
import json
from pathlib import Path
import re
import string
from types import ModuleType
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er, translation
from homeassistant.helpers.entity import EntityDescription
from homeassistant.util.yaml import load_yaml_dict
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.vidigates import PLATFORMS
from custom_components.vidigates.const import DOMAIN
from custom_components.vidigates.issues import ISSUES

from .conftest import setup_integration

PACKAGE = Path(__file__).parents[1] / "custom_components" / DOMAIN
TRANSLATIONS = PACKAGE / "translations"
LANGUAGES = ("en", "fr", "de")
OTHER_LANGUAGES = ("fr", "de")

type Strings = dict[str, Any]


class DuplicateKeyError(ValueError):
    """A JSON object names one key twice: the first value would be lost."""


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    keys = [key for key, _ in pairs]
    if duplicates := {key for key in keys if keys.count(key) > 1}:
        raise DuplicateKeyError(sorted(duplicates))
    return dict(pairs)


def load(language: str) -> Strings:
    """Read one translation file, refusing duplicate keys."""
    text = (TRANSLATIONS / f"{language}.json").read_text(encoding="utf-8")
    strings: Strings = json.loads(text, object_pairs_hook=_no_duplicates)
    return strings


def flatten(node: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[str, Any]]:
    """Yield (dotted key path, leaf) in file order."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield from flatten(value, (*path, key))
    else:
        yield ".".join(path), node


def placeholders(text: str) -> set[str]:
    """The placeholders of a string, parsed as Home Assistant does."""
    return {
        name for _, name, _, _ in string.Formatter().parse(text) if name is not None
    }


def flat(language: str) -> dict[str, Any]:
    """One language's strings by dotted key path."""
    return dict(flatten(load(language)))


# --- (c) well-formed files ---------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_file_is_well_formed(language: str) -> None:
    strings = flat(language)
    assert strings
    for key, text in strings.items():
        assert isinstance(text, str), f"{language}: {key} is not a string"
        assert text.strip(), f"{language}: {key} is empty"
        assert text == text.strip(), f"{language}: {key} has surrounding spaces"
        # The frontend renders Markdown, not HTML.
        assert not re.search(r"<[a-z/][^>]*>", text, re.IGNORECASE), key
        # The frontend formats with ICU MessageFormat, where an apostrophe
        # right before a brace quotes it: "l'{name}" would show "{name}".
        assert not re.search(r"'[{}]", text), f"{language}: {key} quotes a brace"
        # Home Assistant strips the final period of an exception message;
        # with one, the text would differ from what the user sees.
        if key.startswith("exceptions."):
            assert not text.endswith("."), f"{language}: {key} ends with a period"


def test_duplicate_keys_are_refused() -> None:
    # The loader itself: a duplicate key would otherwise go unnoticed.
    with pytest.raises(DuplicateKeyError):
        json.loads('{"a": "x", "a": "y"}', object_pairs_hook=_no_duplicates)


# --- (a) every language holds exactly en.json's keys -------------------------


@pytest.mark.parametrize("language", OTHER_LANGUAGES)
def test_same_strings_as_english(language: str) -> None:
    english = flat("en")
    other = flat(language)
    # The same keys, in en.json's order, so the files compare line by line.
    assert list(other) == list(english)
    for key, text in other.items():
        assert placeholders(text) == placeholders(english[key]), f"{language}: {key}"
        # Short labels ("Port", "Hub", "OK") are the same in all three
        # languages; a phrase of three words or more is not.
        if len(english[key].split()) >= 3:
            assert text != english[key], f"{language}: {key} is still English"


# --- (b) en.json covers what the code uses -----------------------------------


def _descriptions(module: ModuleType) -> list[EntityDescription]:
    """Every entity description a platform module defines, alone or in tuples."""
    found: list[EntityDescription] = []
    for value in vars(module).values():
        items = value if isinstance(value, (tuple, list)) else (value,)
        found.extend(item for item in items if _is_description(item))
    return found


def _is_description(value: object) -> bool:
    # Home Assistant's frozen-dataclass compatibility layer builds the core
    # descriptions (SwitchEntityDescription...) as look-alike classes that
    # isinstance() does not recognise; their class hierarchy keeps the name.
    return isinstance(value, EntityDescription) or any(
        cls.__name__ == "EntityDescription" for cls in type(value).__mro__
    )


def _entity_keys() -> dict[str, dict[str, EntityDescription]]:
    """Platform → translation key → description, from the platform modules."""
    keys: dict[str, dict[str, EntityDescription]] = {}
    for platform in PLATFORMS:
        module = importlib.import_module(f"custom_components.{DOMAIN}.{platform}")
        descriptions = _descriptions(module)
        assert descriptions, f"{platform}.py: no entity descriptions found"
        for description in descriptions:
            assert description.translation_key, (
                f"{platform}.{description.key} has no translation_key"
            )
            keys.setdefault(str(platform), {})[description.translation_key] = (
                description
            )
    return keys


def test_every_entity_is_named_and_nothing_else() -> None:
    """Each description's name and options are in en.json; nothing else is."""
    entities = load("en")["entity"]
    used = _entity_keys()
    assert set(entities) == set(used)
    with_options = 0
    for platform, descriptions in used.items():
        assert set(entities[platform]) == set(descriptions), platform
        for key, description in descriptions.items():
            assert entities[platform][key].get("name"), f"{platform}.{key}"
            # Enum sensors and selects: each option shows translated.
            if (options := getattr(description, "options", None)) is not None:
                states = entities[platform][key].get("state", {})
                assert set(states) == set(options), f"{platform}.{key}"
                with_options += 1
    # The status sensor and the gate type select.
    assert with_options >= 2


def test_every_action_and_field_is_described() -> None:
    """services.yaml and en.json list the same actions and fields."""
    services = load_yaml_dict(PACKAGE / "services.yaml")
    strings = load("en")["services"]
    assert set(strings) == set(services)
    for service, spec in services.items():
        assert strings[service].get("name"), service
        assert strings[service].get("description"), service
        fields = (spec or {}).get("fields", {})
        assert set(strings[service].get("fields", {})) == set(fields), service
        for field in fields:
            text = strings[service]["fields"][field]
            assert text.get("name"), f"{service}.{field}"
            assert text.get("description"), f"{service}.{field}"


# The action fields that count people, in the action editor as on the entities.
PEOPLE_FIELDS = {
    ("set", "occupancy"),
    ("set", "threshold"),
    ("adjust_occupancy", "delta"),
}


def test_every_selector_option_is_translated() -> None:
    """Each selector option has a label; counts of people say "people"."""
    services = load_yaml_dict(PACKAGE / "services.yaml")
    selectors = load("en").get("selector", {})
    used: set[str] = set()
    with_unit = set()
    for service, spec in services.items():
        for name, field in (spec or {}).get("fields", {}).items():
            selector = field.get("selector", {})
            if (select := selector.get("select")) and (
                key := select.get("translation_key")
            ):
                used.add(key)
                options = {
                    option if isinstance(option, str) else option["value"]
                    for option in select["options"]
                }
                assert set(selectors[key]["options"]) == options, key
            number = selector.get("number") or {}
            if "unit_of_measurement" in number:
                assert number["unit_of_measurement"] == "people", (service, name)
                assert number["translation_key"] == "people", (service, name)
                used.add("people")
                with_unit.add((service, name))
    assert set(selectors) == used
    assert with_unit == PEOPLE_FIELDS
    for language in LANGUAGES:
        strings = load(language)
        # The same word as the entities' unit in that language.
        assert (
            strings["selector"]["people"]["unit_of_measurement"]["people"]
            == strings["entity"]["sensor"]["occupancy"]["unit_of_measurement"]
        ), language
    occupancy = load("en")["entity"]["sensor"]["occupancy"]
    assert occupancy["unit_of_measurement"] == "people"


def _calls(path: Path) -> Iterator[ast.Call]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    yield from (node for node in ast.walk(tree) if isinstance(node, ast.Call))


def _keyword(call: ast.Call, name: str) -> ast.expr | None:
    return next((kw.value for kw in call.keywords if kw.arg == name), None)


def _text(node: ast.expr | None) -> str | None:
    """The value of a string literal; None for anything else."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def _choices(node: ast.expr) -> set[str] | None:
    """The strings an expression can be: a literal, or a choice of literals."""
    if (text := _text(node)) is not None:
        return {text}
    if isinstance(node, ast.IfExp):
        body, orelse = _choices(node.body), _choices(node.orelse)
        if body is not None and orelse is not None:
            return body | orelse
    return None


def _literal_keys(node: ast.expr | None) -> set[str] | None:
    """The keys of a dict literal of string keys; None if it is not one."""
    if node is None:
        return set()
    if not isinstance(node, ast.Dict):
        return None
    keys = {text for key in node.keys if (text := _text(key)) is not None}
    return keys if len(keys) == len(node.keys) else None


def _raised_exceptions() -> dict[str, list[set[str] | None]]:
    """Translation key → the placeholder sets it is raised with, from the source.

    An exception call is one with both translation_domain and translation_key
    (entity descriptions have no translation_domain).
    """
    raised: dict[str, list[set[str] | None]] = {}
    for path in sorted(PACKAGE.glob("*.py")):
        for call in _calls(path):
            node = _keyword(call, "translation_key")
            if _keyword(call, "translation_domain") is None or node is None:
                continue
            keys = _choices(node)
            assert keys, f"{path.name}:{call.lineno}: not a literal key"
            given = _literal_keys(_keyword(call, "translation_placeholders"))
            for key in keys:
                raised.setdefault(key, []).append(given)
    return raised


def test_every_exception_is_translated_and_nothing_else() -> None:
    """Each raised translation_key has a message its placeholders fill."""
    messages = load("en")["exceptions"]
    raised = _raised_exceptions()
    # Reads of the hub, writes, and the actions' validation all raise some.
    assert len(raised) >= 5
    assert set(messages) == set(raised)
    for key, uses in raised.items():
        wanted = placeholders(messages[key]["message"])
        for given in uses:
            if given is not None:
                assert wanted == given, key


def test_every_repair_issue_is_translated_and_nothing_else() -> None:
    """Each issue the code raises has a title and description it can fill."""
    strings = load("en")["issues"]
    table = {kind.translation_key for kind in ISSUES.values()}
    used: set[str] = set()
    given: list[tuple[set[str], set[str]]] = []
    for path in sorted(PACKAGE.glob("*.py")):
        for call in _calls(path):
            name = call.func.attr if isinstance(call.func, ast.Attribute) else ""
            if name != "async_create_issue":
                continue
            node = _keyword(call, "translation_key")
            # A key read from the ISSUES table stands for all of its keys.
            keys = (None if node is None else _choices(node)) or table
            used |= keys
            provided = _literal_keys(_keyword(call, "translation_placeholders"))
            assert provided is not None, f"{path.name}:{call.lineno}"
            given.append((keys, provided))
    assert used >= table
    assert set(strings) == used
    for keys, provided in given:
        for key in keys:
            for part in ("title", "description"):
                assert placeholders(strings[key][part]) <= provided, f"{key}.{part}"


def test_every_config_flow_outcome_is_translated_and_nothing_else() -> None:
    """Each step, error and abort reason of config_flow.py has its text."""
    config = load("en")["config"]
    steps: set[str] = set()
    errors: set[str] = set()
    aborts: set[str] = set()
    # What Home Assistant's flow helpers abort with.
    implied = {
        "_async_abort_entries_match": "already_configured",
        "_abort_if_unique_id_configured": "already_configured",
        "async_update_reload_and_abort": "reconfigure_successful",
        "_abort_if_unique_id_mismatch": "unique_id_mismatch",
    }
    path = PACKAGE / "config_flow.py"
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            name = node.func.attr
            if name in implied:
                aborts.add(implied[name])
            for method, keyword, found in (
                ("async_abort", "reason", aborts),
                ("async_show_form", "step_id", steps),
            ):
                if name == method and (value := _keyword(node, keyword)) is not None:
                    text = _text(value)
                    assert text is not None, f"{path.name}:{node.lineno}"
                    found.add(text)
        # Errors are dict literals such as {"base": "cannot_connect"} or
        # {CONF_HOST: "invalid_host"}.
        if isinstance(node, ast.Dict) and node.keys:
            field_like = all(
                _text(k) == "base"
                or (isinstance(k, ast.Name) and k.id.startswith("CONF_"))
                for k in node.keys
            )
            values = [text for v in node.values if (text := _text(v)) is not None]
            if field_like and len(values) == len(node.values):
                errors.update(values)
    assert steps >= {"user", "reconfigure"}
    assert errors >= {"cannot_connect", "unknown"}
    assert set(config["step"]) == steps
    assert set(config["error"]) == errors
    assert set(config["abort"]) == aborts


# --- Home Assistant loads them -----------------------------------------------


# Every entity, also those a user must enable first.
@pytest.mark.usefixtures("entity_registry_enabled_by_default", "mock_hub")
async def test_home_assistant_shows_the_translations(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    entity_registry: er.EntityRegistry,
) -> None:
    """Every string reaches the user; names and units show in their language.

    (Repair issues render in every language: test_repairs.py.)
    """
    hass.config.language = "fr"
    await setup_integration(hass, mock_config_entry)

    # Every string of each file is what Home Assistant serves: none dropped
    # for a placeholder mismatch (it would serve English instead).
    for language in LANGUAGES:
        for category, content in load(language).items():
            served = await translation.async_get_translations(
                hass, language, category, {DOMAIN}
            )
            prefix = f"component.{DOMAIN}.{category}"
            for key, text in flatten(content):
                assert served.get(f"{prefix}.{key}") == text, (language, key)

    strings = load("fr")
    english = load("en")
    entries = er.async_entries_for_config_entry(
        entity_registry, mock_config_entry.entry_id
    )
    assert entries
    for entry in entries:
        state = hass.states.get(entry.entity_id)
        assert state is not None, entry.entity_id
        assert entry.translation_key is not None
        text = strings["entity"][entry.domain][entry.translation_key]
        name = state.attributes["friendly_name"]
        # Gate sensors fill {gate}; every other name is shown as written.
        pattern = re.escape(text["name"]).replace(r"\{gate\}", r"\d+")
        assert re.search(f" {pattern}$", name), (entry.entity_id, name)
        # Home Assistant takes a translated unit from en.json whatever the
        # language, so automations see one spelling in every installation.
        unit = english["entity"][entry.domain][entry.translation_key].get(
            "unit_of_measurement"
        )
        if unit is not None:
            assert state.attributes["unit_of_measurement"] == unit, entry.entity_id
