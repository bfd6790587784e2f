"""Every translatable string is in the French and German catalogues, translated, not fuzzy,
and the committed .mo files say the same as the .po files.

The strings are extracted as `make makemessages` does (same extensions and ignores), but
from a copy of the sources in a temporary directory: makemessages writes templates' work
files beside them and merges into the catalogues, and the working tree must stay untouched.
"""

from __future__ import annotations

import gettext
import shutil
import subprocess
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings

ROOT = Path(settings.BASE_DIR)
LANGUAGES = ("fr", "de")
EXTENSIONS = (".html", ".txt", ".py", ".svg")
# The Makefile's --ignore list, plus what is never source (installs, builds, data).
IGNORED = {".venv", "tests", "bench", "docs", "build", "staticfiles", "node_modules", "locale"}

pytestmark = pytest.mark.skipif(
    not (shutil.which("xgettext") and shutil.which("msgfmt")),
    reason="GNU gettext is not installed (CI installs it)",
)


def _copy_sources(target: Path) -> None:
    for path in ROOT.rglob("*"):
        relative = path.relative_to(ROOT)
        parts = relative.parts
        if any(p in IGNORED or p.startswith(".") or p.endswith(".egg-info") for p in parts[:-1]):
            continue
        if path.suffix in EXTENSIONS and path.is_file() and not parts[-1].startswith("."):
            destination = target / relative
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, destination)


@pytest.fixture(scope="module")
def source_msgids(tmp_path_factory) -> set[tuple[str | None, str]]:
    """(msgctxt, msgid) of every string marked for translation in the sources."""
    work = tmp_path_factory.mktemp("catalogues")
    _copy_sources(work)
    locale = work / "locale"
    for language in LANGUAGES:
        (locale / language / "LC_MESSAGES").mkdir(parents=True)
    with pytest.MonkeyPatch.context() as patch, override_settings(LOCALE_PATHS=[str(locale)]):
        patch.chdir(work)
        call_command(
            "makemessages",
            locale=list(LANGUAGES),
            extensions=["html", "txt", "py", "svg"],
            no_location=True,
            keep_pot=True,
            verbosity=0,
        )
    pot = polib.pofile(str(locale / "django.pot"))
    return {(entry.msgctxt, entry.msgid) for entry in pot if not entry.obsolete}


def _catalogue(language: str) -> polib.POFile:
    return polib.pofile(str(ROOT / "locale" / language / "LC_MESSAGES" / "django.po"))


def _translated(entry: polib.POEntry) -> bool:
    if entry.msgid_plural:
        return bool(entry.msgstr_plural) and all(entry.msgstr_plural.values())
    return bool(entry.msgstr)


def _label(key: tuple[str | None, str]) -> str:
    context, msgid = key
    return f"{context}|{msgid!r}" if context else repr(msgid)


def test_the_sources_have_strings_to_translate(source_msgids):
    assert len(source_msgids) > 100
    assert (None, "Guarantees") in source_msgids


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_source_string_is_translated_and_not_fuzzy(source_msgids, language):
    entries = {(e.msgctxt, e.msgid): e for e in _catalogue(language) if not e.obsolete}
    missing = sorted(_label(k) for k in source_msgids if k not in entries)
    untranslated = sorted(
        _label(k) for k in source_msgids if k in entries and not _translated(entries[k])
    )
    fuzzy = sorted(_label(k) for k in source_msgids if k in entries and entries[k].fuzzy)
    assert not missing, f"{language}: not in the catalogue (make makemessages): {missing}"
    assert not untranslated, f"{language}: not translated: {untranslated}"
    assert not fuzzy, f"{language}: fuzzy (check, then drop the flag): {fuzzy}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_committed_mo_file_matches_its_po_file(tmp_path, language):
    messages = ROOT / "locale" / language / "LC_MESSAGES"
    compiled = tmp_path / "django.mo"
    subprocess.run(
        ["msgfmt", "--check", "-o", str(compiled), str(messages / "django.po")],  # noqa: S607
        check=True,
        capture_output=True,
    )
    with (messages / "django.mo").open("rb") as committed, compiled.open("rb") as fresh:
        expected = gettext.GNUTranslations(fresh)._catalog
        actual = gettext.GNUTranslations(committed)._catalog
    out_of_date = sorted(
        str(k) for k in expected.keys() | actual.keys() if expected.get(k) != actual.get(k)
    )
    assert not out_of_date, f"{language}: django.mo is out of date (make messages): {out_of_date}"
