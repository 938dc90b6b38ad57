"""Every interface string has its Chinese: each msgid the templates and the code mark for
translation is in the compiled zh_Hans catalog (msgfmt leaves out empty and fuzzy entries)."""

import ast
import gettext
import re
from pathlib import Path

import pytest
from django.utils.translation.template import templatize

ROOT = Path(__file__).resolve().parents[2]
CATALOG = ROOT / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.mo"
MARKERS = {"_", "gettext", "gettext_lazy", "gettext_noop", "ngettext", "ngettext_lazy"}
CONTEXT_MARKERS = {"pgettext", "pgettext_lazy", "npgettext", "npgettext_lazy"}
# templatize's output: gettext('…'), ngettext('…', '…', n), pgettext('ctx', '…') …
_STRING = r"u?'(?:[^'\\]|\\.)*'"
TEMPLATE_CALL = re.compile(
    rf"\b(?P<kind>n?p?gettext)\((?P<first>{_STRING})(?:\s*,\s*(?P<second>{_STRING}))?"
)


def template_msgids() -> set[tuple[str, str]]:
    """(context, msgid) of every string the templates translate."""
    found = set()
    for path in (ROOT / "templates").rglob("*.html"):
        code = templatize(path.read_text(), origin=str(path))
        for call in TEMPLATE_CALL.finditer(code):
            first = ast.literal_eval(call["first"])
            if call["kind"] in ("pgettext", "npgettext"):
                found.add((first, ast.literal_eval(call["second"])))
            else:
                found.add(("", first))
    return found


def _code_trees() -> list[ast.Module]:
    return [
        ast.parse(path.read_text(), filename=str(path))
        for path in (ROOT / "ticketui").rglob("*.py")
        # The sandbox plays Huawei's side, in its own languages.
        if "migrations" not in path.parts and "sandbox" not in path.parts
    ]


def _text(node: ast.AST) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _constants(trees: list[ast.Module]) -> dict[str, set[str]]:
    """Module-level NAME = "text" (or gettext_noop("text")), by name across the code: a message
    kept in a constant and translated where it is shown, `_(NAME)`."""
    constants: dict[str, set[str]] = {}
    for tree in trees:
        for node in tree.body:
            if isinstance(node, ast.Assign) and len(node.targets) == 1:
                value = node.value
                if isinstance(value, ast.Call) and value.args:
                    value = value.args[0]
                if (text := _text(value)) and isinstance(node.targets[0], ast.Name):
                    constants.setdefault(node.targets[0].id, set()).add(text)
    return constants


def code_msgids() -> set[tuple[str, str]]:
    """(context, msgid) of every string the Python code passes to a gettext function, as a
    literal or as a module-level constant."""
    trees = _code_trees()
    constants = _constants(trees)
    found = set()
    for tree in trees:
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            first = node.args[0]
            if name in MARKERS:
                if text := _text(first):
                    found.add(("", text))
                elif isinstance(first, ast.Name):
                    found |= {("", text) for text in constants.get(first.id, ())}
            elif (
                name in CONTEXT_MARKERS
                and len(node.args) >= 2
                and (context := _text(first))
                and (text := _text(node.args[1]))
            ):
                found.add((context, text))
    return found


@pytest.fixture(scope="module")
def chinese(_compiled_translations) -> set[tuple[str, str]]:
    """(context, msgid) of every translated entry of the compiled catalog."""
    with CATALOG.open("rb") as compiled:
        catalog = gettext.GNUTranslations(compiled)._catalog
    keys = set()
    for key, text in catalog.items():
        msgid = key[0] if isinstance(key, tuple) else key
        if msgid and text:
            context, _, msgid = msgid.rpartition("\x04")
            keys.add((context, msgid))
    return keys


def test_the_scan_finds_the_interface_strings():
    assert ("", "Search case id or summary") in template_msgids()
    assert ("", "Rate %(name)s with 1 to %(stars)d stars.") in code_msgids()
    assert ("", "Your preferences are saved.") in code_msgids()  # _(PROFILE_SAVED)


@pytest.mark.parametrize("source", ["templates", "code"])
def test_every_string_marked_for_translation_has_its_chinese(chinese, source):
    msgids = template_msgids() if source == "templates" else code_msgids()

    missing = sorted(
        f"{context}|{msgid}" if context else msgid for context, msgid in msgids - chinese
    )

    assert not missing, "\n".join(missing)
