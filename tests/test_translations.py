"""The English catalogue is complete: every message of the templates and the Python code has an English
translation, and the compiled .mo that the app reads is the .po compiled.

The first test runs Django's ``makemessages`` (GNU gettext's xgettext and msgmerge, as ``make messages``
does) on a copy of the package and reads what it finds: a new ``{% translate %}`` or ``gettext`` string
without an English msgstr fails it, with the string and where it is. Fix it with ``make messages``, write
the English in ``src/kommunkvalitet/locale/en/LC_MESSAGES/django.po`` and run ``make messages`` again.
"""

from __future__ import annotations

import io
import os
import shutil
from pathlib import Path

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from django.core.management import call_command

import kommunkvalitet

PACKAGE = Path(kommunkvalitet.__file__).resolve().parent
CATALOGUE = PACKAGE / "locale" / "en" / "LC_MESSAGES"
FIX = "run `make messages`, translate the new strings in django.po, and run `make messages` again"


def read(path: Path):
    with path.open("rb") as fh:
        return read_po(fh)


def entries(catalog) -> dict:
    """msgid (the tuple of singular and plural for a plural message) -> its message, without the header."""
    return {m.id: m for m in catalog if m.id}


def untranslated(catalog) -> list[str]:
    """The messages without an English msgstr (or only a fuzzy one), with where they are."""
    out = []
    for m in catalog:
        if not m.id:
            continue
        strings = m.string if isinstance(m.string, tuple) else (m.string,)
        if "fuzzy" in m.flags or not all(s and s.strip() for s in strings):
            out.append(f"{m.id!r} ({', '.join(sorted({loc for loc, _ in m.locations}))})")
    return out


@pytest.fixture
def collected(tmp_path, settings):
    """The catalogue as `make messages` would leave it now: makemessages on a copy of the package."""
    if shutil.which("xgettext") is None or shutil.which("msgmerge") is None:
        if os.environ.get("CI") == "true":
            raise RuntimeError("CI needs GNU gettext for makemessages (.ci/run installs it)")
        pytest.skip("no GNU gettext on this machine (apt-get install gettext)")
    copy = tmp_path / "kommunkvalitet"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("static", "__pycache__", "*.mo"))
    settings.LOCALE_PATHS = [copy / "locale"]
    cwd = os.getcwd()
    os.chdir(copy)
    try:
        call_command("makemessages", locale=["en"], no_obsolete=True, add_location="file", verbosity=0)
    finally:
        os.chdir(cwd)
    return read(copy / "locale" / "en" / "LC_MESSAGES" / "django.po")


def test_every_message_of_the_templates_and_the_code_has_its_english(collected):
    assert len(entries(collected)) > 400  # the templates and the Python code were read
    missing = untranslated(collected)
    assert not missing, f"{len(missing)} message(s) without English ({FIX}):\n" + "\n".join(missing)


def test_the_committed_catalogue_is_up_to_date_with_the_sources(collected):
    committed = entries(read(CATALOGUE / "django.po"))
    found = entries(collected)
    assert set(found) == set(committed), (
        f"new: {sorted(map(str, set(found) - set(committed)))}; "
        f"no longer used: {sorted(map(str, set(committed) - set(found)))} ({FIX})"
    )
    assert not untranslated(read(CATALOGUE / "django.po"))


def test_the_compiled_catalogue_is_the_po_compiled():
    """The app reads the .mo (committed, so no install needs gettext); it must be the .po's content."""
    compiled = io.BytesIO()
    write_mo(compiled, read(CATALOGUE / "django.po"))
    assert (CATALOGUE / "django.mo").read_bytes() == compiled.getvalue(), f"django.mo is stale: {FIX}"


def test_the_catalogue_is_shipped_with_the_package():
    """pyproject's package data takes locale/**/*, and settings.LOCALE_PATHS points at it."""
    from django.conf import settings

    assert CATALOGUE.parent.parent in [Path(p) for p in settings.LOCALE_PATHS]
    pyproject = (PACKAGE.parent.parent / "pyproject.toml").read_text(encoding="utf-8")
    assert '"locale/**/*"' in pyproject
