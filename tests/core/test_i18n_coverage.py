"""Every string the code marks for translation has an English entry in the catalogue.

test_i18n.py checks the entries the catalogue has; this one finds the strings it lacks (a new
template or model whose strings nobody added to django.po would otherwise show in Swedish on
the English UI without any test noticing). It reads the sources as `makemessages` does, in
plain Python so it stays fast: templates through Django's own `templatize` (the step
makemessages runs before xgettext) and Python files through `ast`.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from django.conf import settings
from django.utils.translation.template import templatize

from .test_i18n import messages

PACKAGE = Path(settings.BASE_DIR)  # the bistand package
SKIPPED_DIRS = {"migrations", "static", "locale", "__pycache__"}
# gettext's keywords as makemessages passes them to xgettext: name -> (context?, plural?)
KEYWORDS = {
    "_": (False, False),
    "gettext": (False, False),
    "gettext_lazy": (False, False),
    "gettext_noop": (False, False),
    "ngettext": (False, True),
    "ngettext_lazy": (False, True),
    "pgettext": (True, False),
    "pgettext_lazy": (True, False),
    "npgettext": (True, True),
    "npgettext_lazy": (True, True),
}
STRING = r"u?(?:'(?:[^'\\\n]|\\.)*'|\"(?:[^\"\\\n]|\\.)*\")"
TEMPLATE_CALL = re.compile(
    r"\b(?P<name>" + "|".join(KEYWORDS) + r")\((?P<args>" + STRING + r"(?:,\s*" + STRING + r")*)"
)


def _sources(suffix: str):
    for path in sorted(PACKAGE.rglob(f"*{suffix}")):
        if not SKIPPED_DIRS.intersection(path.relative_to(PACKAGE).parts[:-1]):
            yield path


def _key(name: str, strings: list[str]) -> tuple[str | None, str] | None:
    context, _plural = KEYWORDS[name]
    if context:
        return (strings[0], strings[1]) if len(strings) >= 2 else None
    return (None, strings[0]) if strings else None


def python_msgids() -> dict[tuple[str | None, str], str]:
    found = {}
    for path in _sources(".py"):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
            if name not in KEYWORDS:
                continue
            strings = []
            for arg in node.args:
                if not (isinstance(arg, ast.Constant) and isinstance(arg.value, str)):
                    break
                strings.append(arg.value)
            key = _key(name, strings)
            if key and key[1]:
                found.setdefault(key, f"{path.relative_to(PACKAGE)}:{node.lineno}")
    return found


def template_msgids() -> dict[tuple[str | None, str], str]:
    found = {}
    for path in _sources(".html"):
        text = templatize(path.read_text(encoding="utf-8"), origin=str(path))
        for match in TEMPLATE_CALL.finditer(text):
            strings = [ast.literal_eval(s) for s in re.findall(STRING, match.group("args"))]
            key = _key(match.group("name"), strings)
            if key and key[1]:
                found.setdefault(key, str(path.relative_to(PACKAGE)))
    return found


def test_the_extractor_finds_strings_of_every_kind():
    """The reader itself: a translate tag, a blocktranslate with a plural, a filter argument,
    and gettext_lazy in Python — so that an empty result cannot pass the test below."""
    templates, python = template_msgids(), python_msgids()
    assert (None, "Stickprov") in templates
    assert (None, "%(n)s utesluten: granskarens eget beslut") in templates
    assert (None, "finns,saknas") in templates
    assert (None, "Internkontrollant") in python
    assert len(templates) > 300 and len(python) > 300


def test_every_msgid_used_in_bistand_has_an_english_entry():
    catalogue = {(e["msgctxt"], e["msgid"]) for e in messages()}
    used = {**python_msgids(), **template_msgids()}
    missing = sorted(f"{where}: {key[1]!r}" for key, where in used.items() if key not in catalogue)
    assert not missing, (
        f"{len(missing)} strings have no English translation in "
        "bistand/locale/en/LC_MESSAGES/django.po (bistand/locale/README.md):\n" + "\n".join(missing)
    )
