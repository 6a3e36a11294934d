"""The English and Russian catalogues are complete, compiled and actually used by the pages."""

from __future__ import annotations

import ast
import gettext
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings

LOCALE = Path(settings.LOCALE_PATHS[0])
KEYWORDS = ("msgctxt", "msgid_plural", "msgid", "msgstr")


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)


def parse_po(path: Path) -> list[Entry]:
    """A small .po reader: active (non-obsolete) entries with their flags and translations, header included."""
    entries: list[Entry] = []
    entry: Entry | None = None
    target: tuple[str, int] | None = None
    seen_msgid = False

    def finish() -> None:
        nonlocal entry, target, seen_msgid
        if entry is not None and seen_msgid:
            entries.append(entry)
        entry, target, seen_msgid = None, None, False

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line:
            finish()
            continue
        if line.startswith("#~"):  # obsolete entries are not part of the catalogue
            continue
        if entry is None:
            entry = Entry()
        if line.startswith("#,"):
            entry.flags |= {flag.strip() for flag in line[2:].split(",") if flag.strip()}
            continue
        if line.startswith("#"):
            continue
        if line.startswith('"'):
            assert target is not None, f"{path}: continuation line without a keyword: {raw!r}"
            text = ast.literal_eval(line)
        else:
            keyword, _, rest = line.partition(" ")
            text = ast.literal_eval(rest.strip())
            if keyword.startswith("msgstr"):
                index = int(keyword[len("msgstr["):-1]) if keyword.startswith("msgstr[") else 0
                target = ("msgstr", index)
                entry.msgstr[index] = ""
            else:
                assert keyword in KEYWORDS, f"{path}: unexpected line {raw!r}"
                target = (keyword, 0)
                if keyword == "msgid":
                    seen_msgid = True
                setattr(entry, keyword, "")
        if target[0] == "msgstr":
            entry.msgstr[target[1]] += text
        else:
            setattr(entry, target[0], (getattr(entry, target[0]) or "") + text)
    finish()
    return entries


def po_path(language: str) -> Path:
    return LOCALE / language / "LC_MESSAGES" / "django.po"


def messages(language: str) -> list[Entry]:
    return [entry for entry in parse_po(po_path(language)) if entry.msgid]


def test_x3_every_english_entry_is_translated():
    entries = messages("en")
    assert entries, "the English catalogue is empty"
    untranslated = [entry.msgid for entry in entries
                    if not entry.msgstr or any(not text for text in entry.msgstr.values())
                    or (entry.msgid_plural is not None and len(entry.msgstr) < 2)]
    fuzzy = [entry.msgid for entry in parse_po(po_path("en")) if "fuzzy" in entry.flags]
    assert not untranslated, "English entries without a translation:\n" + "\n".join(untranslated)
    assert not fuzzy, "English entries still marked fuzzy:\n" + "\n".join(fuzzy)


def test_x3_russian_plural_forms():
    header = next(entry for entry in parse_po(po_path("ru")) if not entry.msgid).msgstr[0]
    assert "nplurals=3;" in header, header
    for entry in messages("ru"):
        if entry.msgid_plural is not None:
            assert sorted(entry.msgstr) == [0, 1, 2], entry.msgid
            assert all(entry.msgstr.values()), f"Russian plural forms are not filled in: {entry.msgid}"


@pytest.mark.parametrize("language", ["en", "ru"])
def test_x3_compiled_catalogue_is_current(language):
    with (po_path(language).with_suffix(".mo")).open("rb") as handle:
        catalogue = gettext.GNUTranslations(handle)._catalog  # type: ignore[attr-defined]
    stale = []
    for entry in messages(language):
        key = f"{entry.msgctxt}\x04{entry.msgid}" if entry.msgctxt is not None else entry.msgid
        if "fuzzy" in entry.flags or not all(entry.msgstr.values()):
            continue  # msgfmt leaves these out; Django falls back to the msgid
        if entry.msgid_plural is None:
            compiled = {0: catalogue.get(key)}
        else:
            compiled = {index: catalogue.get((key, index)) for index in entry.msgstr}
        if compiled != entry.msgstr:
            stale.append(entry.msgid)
    assert not stale, (f"{language}/django.mo is older than django.po (run `make messages`); "
                       "missing or changed:\n" + "\n".join(stale))


@pytest.mark.django_db
def test_x3_pages_in_english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.get("/accounts/login/").content.decode()
    assert "Sign in" in english
    assert "Вход" not in english

    client.cookies.pop(settings.LANGUAGE_COOKIE_NAME)
    russian = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert "Вход" in russian
    assert "Sign in" not in russian
