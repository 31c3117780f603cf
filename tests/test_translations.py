"""The translations: complete in every language and covering what the code uses.

English (en.json) is the source. French and German must hold exactly its keys
with the same placeholders: Home Assistant silently falls back to English for
a string whose placeholders differ, and shows a raw key for a missing one.
en.json in turn must cover every entity, state, action, field, error, abort,
exception and repair issue the code can produce, and hold nothing else.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
import importlib
import json
from pathlib import Path
import re
import string
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er, translation
from homeassistant.util.yaml import load_yaml_dict
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.vidigates import PLATFORMS
from custom_components.vidigates.const import DOMAIN
from custom_components.vidigates.issues import ISSUES

from .conftest import setup_integration

PACKAGE = Path(__file__).parents[1] / "custom_components" / DOMAIN
LANGUAGES = ("en", "fr", "de")


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    keys = [key for key, _ in pairs]
    if duplicates := {key for key in keys if keys.count(key) > 1}:
        raise ValueError(sorted(duplicates))  # the first value would be lost
    return dict(pairs)


def load(language: str) -> dict[str, Any]:
    """Read one translation file, refusing duplicate keys."""
    text = (PACKAGE / "translations" / f"{language}.json").read_text("utf-8")
    strings: dict[str, Any] = json.loads(text, object_pairs_hook=_no_duplicates)
    return strings


def flatten(node: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[str, Any]]:
    """Yield (dotted key path, leaf) in file order."""
    if not isinstance(node, dict):
        yield ".".join(path), node
        return
    for key, value in node.items():
        yield from flatten(value, (*path, key))


def placeholders(text: str) -> set[str]:
    """The placeholders of a string, parsed as Home Assistant does."""
    return {
        name for _, name, _, _ in string.Formatter().parse(text) if name is not None
    }


@pytest.mark.parametrize("language", LANGUAGES)
def test_file_is_well_formed(language: str) -> None:
    strings = dict(flatten(load(language)))
    english = dict(flatten(load("en")))
    # The same keys, in en.json's order, so the files compare line by line.
    assert list(strings) == list(english)
    for key, text in strings.items():
        where = f"{language}: {key}"
        assert isinstance(text, str), where
        assert text.strip(), where
        assert text == text.strip(), where
        # The frontend renders Markdown, not HTML.
        assert not re.search(r"<[a-z/][^>]*>", text, re.IGNORECASE), where
        # The frontend formats with ICU MessageFormat, where an apostrophe
        # right before a brace quotes it: "l'{name}" would show "{name}".
        assert not re.search(r"'[{}]", text), where
        # Home Assistant strips the final period of an exception message;
        # with one, the text would differ from what the user sees.
        assert not (key.startswith("exceptions.") and text.endswith(".")), where
        assert placeholders(text) == placeholders(english[key]), where
        # Short labels ("Port", "Hub", "OK") are the same in all three
        # languages; a phrase of three words or more is not.
        if language != "en" and len(english[key].split()) >= 3:
            assert text != english[key], f"{where} is still English"
    with pytest.raises(ValueError, match="'a'"):
        json.loads('{"a": "x", "a": "y"}', object_pairs_hook=_no_duplicates)


def _is_description(value: object) -> bool:
    # Home Assistant's frozen-dataclass compatibility layer builds the core
    # descriptions (SwitchEntityDescription...) as look-alike classes that
    # isinstance() does not recognise; their class hierarchy keeps the name.
    return any(cls.__name__ == "EntityDescription" for cls in type(value).__mro__)


def test_every_entity_is_named_and_nothing_else() -> None:
    """Each description's name and options are in en.json; nothing else is."""
    entities = load("en")["entity"]
    assert set(entities) == {str(platform) for platform in PLATFORMS}
    with_options = 0
    for platform in PLATFORMS:
        module = importlib.import_module(f"custom_components.{DOMAIN}.{platform}")
        descriptions = {
            item.translation_key: item
            for value in vars(module).values()
            for item in (value if isinstance(value, (tuple, list)) else (value,))
            if _is_description(item)
        }
        assert None not in descriptions, platform
        assert set(entities[platform]) == set(descriptions), platform
        for key, description in descriptions.items():
            assert entities[platform][key].get("name"), f"{platform}.{key}"
            # Enum sensors and selects: each option shows translated.
            if (options := getattr(description, "options", None)) is not None:
                states = entities[platform][key].get("state", {})
                assert set(states) == set(options), f"{platform}.{key}"
                with_options += 1
    assert with_options >= 2  # the status sensor and the gate type select


def test_every_action_field_and_selector_is_described() -> None:
    """services.yaml and en.json list the same actions, fields and options.

    Counts of people say "people", in the action editor as on the entities.
    """
    services = load_yaml_dict(PACKAGE / "services.yaml")
    strings = load("en")
    assert set(strings["services"]) == set(services)
    used: set[str] = set()
    with_unit = set()
    for service, spec in services.items():
        text = strings["services"][service]
        assert text["name"], service
        assert text["description"], service
        fields = (spec or {}).get("fields", {})
        assert set(text.get("fields", {})) == set(fields), service
        for name, field in fields.items():
            assert text["fields"][name]["name"], (service, name)
            assert text["fields"][name]["description"], (service, name)
            selector = field.get("selector", {})
            select = selector.get("select") or {}
            if key := select.get("translation_key"):
                used.add(key)
                options = {
                    option if isinstance(option, str) else option["value"]
                    for option in select["options"]
                }
                assert set(strings["selector"][key]["options"]) == options, key
            number = selector.get("number") or {}
            if "unit_of_measurement" in number:
                assert number["unit_of_measurement"] == "people", (service, name)
                assert number["translation_key"] == "people", (service, name)
                used.add("people")
                with_unit.add((service, name))
    assert set(strings["selector"]) == used
    assert with_unit == {
        ("set", "occupancy"),
        ("set", "threshold"),
        ("adjust_occupancy", "delta"),
    }
    assert strings["entity"]["sensor"]["occupancy"]["unit_of_measurement"] == "people"
    for language in LANGUAGES:
        # The same word as the entities' unit in that language.
        other = load(language)
        assert (
            other["selector"]["people"]["unit_of_measurement"]["people"]
            == other["entity"]["sensor"]["occupancy"]["unit_of_measurement"]
        ), language


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


def test_every_exception_and_issue_is_translated_and_nothing_else() -> None:
    """Each raised translation_key and repair issue has texts its placeholders fill.

    An exception call is one with both translation_domain and translation_key
    (entity descriptions have no translation_domain).
    """
    strings = load("en")
    table = {kind.translation_key for kind in ISSUES.values()}
    raised: dict[str, list[set[str] | None]] = {}
    issues: set[str] = set()
    for path in sorted(PACKAGE.glob("*.py")):
        for call in _calls(path):
            where = f"{path.name}:{call.lineno}"
            node = _keyword(call, "translation_key")
            given = _literal_keys(_keyword(call, "translation_placeholders"))
            name = call.func.attr if isinstance(call.func, ast.Attribute) else ""
            if name == "async_create_issue":
                # A key read from the ISSUES table stands for all of its keys.
                keys = (None if node is None else _choices(node)) or table
                issues |= keys
                assert given is not None, where
                for key in keys:
                    for part in ("title", "description"):
                        text = strings["issues"][key][part]
                        assert placeholders(text) <= given, (key, part)
            elif _keyword(call, "translation_domain") is not None and node:
                literal = _choices(node)
                assert literal, f"{where}: not a literal key"
                for key in literal:
                    raised.setdefault(key, []).append(given)
    assert issues >= table
    assert set(strings["issues"]) == issues
    # Reads of the hub, writes, and the actions' validation all raise some.
    assert len(raised) >= 5
    assert set(strings["exceptions"]) == set(raised)
    for key, uses in raised.items():
        wanted = placeholders(strings["exceptions"][key]["message"])
        assert all(given in (None, wanted) for given in uses), key


def test_every_config_flow_outcome_is_translated_and_nothing_else() -> None:
    """Each step, error and abort reason of config_flow.py has its text."""
    config = load("en")["config"]
    found: dict[str, set[str]] = {"step": set(), "error": set(), "abort": set()}
    # What Home Assistant's flow helpers abort with.
    implied = {
        "_async_abort_entries_match": "already_configured",
        "_abort_if_unique_id_configured": "already_configured",
        "async_update_reload_and_abort": "reconfigure_successful",
        "_abort_if_unique_id_mismatch": "unique_id_mismatch",
    }
    path = PACKAGE / "config_flow.py"
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            name = node.func.attr
            if name in implied:
                found["abort"].add(implied[name])
            for method, keyword, kind in (
                ("async_abort", "reason", "abort"),
                ("async_show_form", "step_id", "step"),
            ):
                if name == method and (value := _keyword(node, keyword)) is not None:
                    text = _text(value)
                    assert text is not None, f"{path.name}:{node.lineno}"
                    found[kind].add(text)
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
                found["error"].update(values)
    assert found["step"] >= {"user", "reconfigure"}
    assert found["error"] >= {"cannot_connect", "unknown"}
    assert {kind: set(config[kind]) for kind in found} == found


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

    french, english = load("fr")["entity"], load("en")["entity"]
    entries = er.async_entries_for_config_entry(
        entity_registry, mock_config_entry.entry_id
    )
    assert entries
    for entry in entries:
        state = hass.states.get(entry.entity_id)
        assert state is not None, entry.entity_id
        assert entry.translation_key is not None
        # Gate sensors fill {gate}; every other name is shown as written.
        name = french[entry.domain][entry.translation_key]["name"]
        pattern = re.escape(name).replace(r"\{gate\}", r"\d+")
        assert re.search(f" {pattern}$", state.attributes["friendly_name"])
        # Home Assistant takes a translated unit from en.json whatever the
        # language, so automations see one spelling in every installation.
        text = english[entry.domain][entry.translation_key]
        if (unit := text.get("unit_of_measurement")) is not None:
            assert state.attributes["unit_of_measurement"] == unit, entry.entity_id
