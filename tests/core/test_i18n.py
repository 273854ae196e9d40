"""The UI speaks Swedish by default and English on request.

Source strings are Swedish, so Swedish needs no catalogue; English comes from
bistand/locale/en/LC_MESSAGES/django.po (compiled to django.mo). How to update the
catalogue: bistand/locale/README.md.
"""

import ast
import gettext
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

LOCALE_DIR = Path(settings.LOCALE_PATHS[0])
PO_FILE = LOCALE_DIR / "en" / "LC_MESSAGES" / "django.po"
MO_FILE = LOCALE_DIR / "en" / "LC_MESSAGES" / "django.mo"


# --- a small .po reader (no polib) -----------------------------------------------------


def read_po(path):
    """The entries of a .po file as dicts: flags, msgctxt, msgid, msgid_plural, msgstr
    (a list: one string, or one per plural form). Obsolete (#~) entries are skipped."""
    entries = []
    entry, field = None, None

    def finish():
        if entry is not None and entry.get("msgid") is not None:
            entries.append(entry)

    for line in path.read_text(encoding="utf-8").splitlines() + [""]:
        line = line.strip()
        if not line:
            finish()
            entry, field = None, None
            continue
        if entry is None:
            entry = {"flags": set(), "msgctxt": None, "msgid": None, "msgid_plural": None}
            entry["msgstr"] = []
        if line.startswith("#,"):
            entry["flags"].update(f.strip() for f in line[2:].split(","))
            continue
        if line.startswith("#"):
            continue
        m = re.match(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?)\s+(".*")$', line)
        if m:
            keyword, value = m.group(1), ast.literal_eval(m.group(2))
            if keyword.startswith("msgstr"):
                entry["msgstr"].append(value)
                field = ("msgstr", len(entry["msgstr"]) - 1)
            else:
                entry[keyword] = value
                field = (keyword, None)
            continue
        if line.startswith('"') and field is not None:
            value = ast.literal_eval(line)
            if field[0] == "msgstr":
                entry["msgstr"][field[1]] += value
            else:
                entry[field[0]] += value
            continue
        raise ValueError(f"unexpected line in {path.name}: {line!r}")
    return entries


def messages():
    """Every entry except the header."""
    return [e for e in read_po(PO_FILE) if e["msgid"] != ""]


PLACEHOLDER = re.compile(r"%\([A-Za-z_][A-Za-z0-9_]*\)[sd]|%%|\{[A-Za-z_][A-Za-z0-9_]*\}")


# --- the catalogue ---------------------------------------------------------------------


def test_english_catalogue_exists_where_locale_paths_points():
    assert PO_FILE.is_file()
    assert MO_FILE.is_file()
    header = read_po(PO_FILE)[0]
    assert header["msgid"] == ""
    assert "Language: en" in header["msgstr"][0]
    assert "Plural-Forms: nplurals=2; plural=(n != 1);" in header["msgstr"][0]


def test_every_entry_in_the_english_catalogue_is_translated():
    entries = messages()
    assert len(entries) > 500  # the whole UI, not a sample
    untranslated = [e["msgid"] for e in entries if not e["msgstr"] or not all(e["msgstr"])]
    fuzzy = [e["msgid"] for e in entries if "fuzzy" in e["flags"]]
    assert untranslated == []
    assert fuzzy == []


def test_plural_entries_have_both_english_forms():
    plurals = [e for e in messages() if e["msgid_plural"] is not None]
    assert plurals
    for e in plurals:
        assert len(e["msgstr"]) == 2, e["msgid"]
        assert all(e["msgstr"]), e["msgid"]


def test_placeholders_survive_translation():
    for e in messages():
        sources = [e["msgid"]] + ([e["msgid_plural"]] if e["msgid_plural"] else [])
        wanted = sorted(set(PLACEHOLDER.findall(" ".join(sources))))
        for translation in e["msgstr"]:
            assert sorted(set(PLACEHOLDER.findall(translation))) == wanted, e["msgid"]


def test_compiled_catalogue_matches_the_po_file():
    """django.mo is compiled from the current django.po (run compilemessages after edits)."""
    with MO_FILE.open("rb") as f:
        catalogue = gettext.GNUTranslations(f)
    for e in messages():
        msgid = e["msgid"] if e["msgctxt"] is None else f"{e['msgctxt']}\x04{e['msgid']}"
        if e["msgid_plural"] is None:
            assert catalogue.gettext(msgid) == e["msgstr"][0], e["msgid"]
        else:
            assert catalogue.ngettext(msgid, e["msgid_plural"], 1) == e["msgstr"][0]
            assert catalogue.ngettext(msgid, e["msgid_plural"], 2) == e["msgstr"][1]


# --- the UI ----------------------------------------------------------------------------


@pytest.fixture
def social_worker_client(client, org):
    client.force_login(org.social_worker)
    return client


def test_home_page_is_swedish_by_default(social_worker_client):
    response = social_worker_client.get(reverse("home"))
    assert response.status_code == 200
    page = response.content.decode()
    assert '<html lang="sv">' in page
    assert "Mina ärenden" in page
    assert "Logga ut" in page
    assert "My cases" not in page


def test_switching_to_english_through_the_language_form(social_worker_client):
    home = reverse("home")
    response = social_worker_client.post(reverse("set_language"), {"language": "en", "next": home})
    assert response.status_code == 302
    assert response.url == home
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"

    page = social_worker_client.get(home).content.decode()
    assert '<html lang="en">' in page
    assert "My cases" in page
    assert "Log out" in page
    assert "This information is protected by social services confidentiality" in page
    assert "Mina ärenden" not in page

    # and back to Swedish
    social_worker_client.post(reverse("set_language"), {"language": "sv", "next": home})
    assert "Mina ärenden" in social_worker_client.get(home).content.decode()


def test_login_page_in_english_with_the_language_cookie(client, db):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(reverse("login")).content.decode()
    assert "Log in" in page
    assert "Username" in page
    assert "Password" in page
    assert "Logga in" not in page


def test_login_page_in_swedish_by_default(client, db):
    page = client.get(reverse("login")).content.decode()
    assert "Logga in" in page
    assert "Log in" not in page


def test_model_choices_follow_the_language(social_worker_client, org):
    """Lazy strings in Python (here the role shown in the header) are translated too."""
    assert "Socialsekreterare" in social_worker_client.get(reverse("home")).content.decode()
    social_worker_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = social_worker_client.get(reverse("home")).content.decode()
    assert "Social worker" in page
