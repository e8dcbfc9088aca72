"""The catalogues are current and complete: every word marked in the source is in
``messages.pot``; Catalan, Romanian and Turkish translate every one of them (no empty, no
fuzzy entry, the same placeholders); the compiled ``.mo`` files are those of the ``.po``
files; and nothing is handed to gettext that Babel cannot extract (an f-string, a variable)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from audit_app.i18n.catalogue import LANGUAGES, LOCALES

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "audit_app"
TRANSLATED = [language for language in LANGUAGES if language != "en"]
CALLS = {"_": 1, "N_": 1, "ngettext": 2, "pgettext": 2}
PLACEHOLDER = re.compile(r"\{[^{}]*\}")


def _po(language: str) -> Catalog:
    with (LOCALES / language / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return read_po(handle)


def _key(message_id: str | tuple[str, ...], context: str | None) -> tuple[object, str | None]:
    return (message_id, context)


def _extracted() -> set[tuple[object, str | None]]:
    found = set()
    for _file, _line, message, _comments, context in extract_from_dir(
        str(PACKAGE), method_map=[("**.py", "python")]
    ):
        found.add(_key(message, context))
    return found


def _ids(catalog: Catalog) -> set[tuple[object, str | None]]:
    return {_key(message.id, message.context) for message in catalog if message.id}


def test_the_template_holds_every_marked_word_and_no_other() -> None:
    with (LOCALES / "messages.pot").open("rb") as handle:
        template = read_po(handle)
    extracted, listed = _extracted(), _ids(template)
    assert not extracted - listed, (
        f"run `make messages`: new words {sorted(map(str, extracted - listed))[:20]}"
    )
    assert not listed - extracted, (
        f"run `make messages`: gone words {sorted(map(str, listed - extracted))[:20]}"
    )


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_catalogue_translates_every_word(language: str) -> None:
    catalog = _po(language)
    assert _ids(catalog) == _extracted(), f"{language}: run `make messages`"
    missing = [
        message.id
        for message in catalog
        if message.id
        and (
            message.fuzzy
            or not (all(message.string) if isinstance(message.string, tuple) else message.string)
        )
    ]
    assert not missing, f"{language}: {len(missing)} words untranslated, e.g. {missing[:10]}"


@pytest.mark.parametrize("language", TRANSLATED)
def test_a_translation_keeps_every_placeholder(language: str) -> None:
    wrong = []
    for message in _po(language):
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        wanted = set(PLACEHOLDER.findall(ids[-1])) | set(PLACEHOLDER.findall(ids[0]))
        for string in strings:
            if string and set(PLACEHOLDER.findall(string)) - wanted:
                wrong.append((ids[0], string))
            if string and not set(PLACEHOLDER.findall(ids[0])) <= set(
                PLACEHOLDER.findall(string)
            ) | {"{n}", "{count}"}:
                wrong.append((ids[0], string))
    assert not wrong, f"{language}: placeholders differ in {wrong[:5]}"


@pytest.mark.parametrize("language", TRANSLATED)
def test_the_compiled_catalogue_is_the_current_one(language: str) -> None:
    with (LOCALES / language / "LC_MESSAGES" / "messages.mo").open("rb") as handle:
        compiled = read_mo(handle)
    source = _po(language)
    want = {_key(m.id, m.context): m.string for m in source if m.id and not m.fuzzy and m.string}
    have = {_key(m.id, m.context): m.string for m in compiled if m.id}
    assert have == want, f"{language}: run `make messages` to compile the .mo"


def test_gettext_is_only_handed_literal_words() -> None:
    """Babel extracts string literals only: ``_(f"...")``, ``_("a" + b)`` or
    ``_("{n}".format(n=n))`` would show up untranslated in every language. ``N_`` takes
    literals only; ``_`` may also take a name or an item of a table whose words ``N_`` marked."""
    wrong = []
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
                continue
            literal_args = CALLS.get(node.func.id)
            if literal_args is None:
                continue
            args = node.args[:literal_args]
            lookups = (ast.Name, ast.Subscript, ast.Attribute) if node.func.id == "_" else ()
            if len(args) < literal_args or not all(
                (isinstance(a, ast.Constant) and isinstance(a.value, str))
                or isinstance(a, lookups)
                for a in args
            ):
                wrong.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not wrong, f"gettext called with a non-literal at {wrong}"
