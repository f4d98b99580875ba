"""The review workflow in a real Chromium, by keyboard only, with two users: the editor writes the text
of Mark's Stöd och omsorg and sends it for review; the publisher sends it back with a comment; the
editor sees the comment, fixes the text and sends it again; the publisher publishes it; the public page
shows it. Then a goal's assessment: the editor proposes it, the publisher publishes it. axe-core finds
no WCAG 2.1 A/AA violation on the forms. Server and helpers: browserkit.py."""

from __future__ import annotations

import pytest

from browserkit import EDITOR, MUNI, PUBLISHER, axe, enter, replace_text, require_chromium, sign_in, tab_to, tab_to_text

pytestmark = pytest.mark.browser
require_chromium()
AREA = f"/kommun/{MUNI}/2022/stod_och_omsorg/"
EDIT = AREA + "redigera/"


def _write_and_send(page, text: str) -> None:
    tab_to(page, "#id_text")
    replace_text(page, text)
    tab_to_text(page, "Spara och skicka för granskning")
    enter(page)
    assert "Texten är skickad för granskning." in page.content()


def test_editor_and_publisher_take_a_text_from_draft_to_published_by_keyboard(server, browser, page):
    violations = []
    publisher = browser.new_context(locale="sv-SE", viewport={"width": 1280, "height": 1000}).new_page()

    sign_in(page, server, EDITOR, EDIT)
    violations.append(("editor's form", axe(page)))
    _write_and_send(page, "Hemtjänsten har *fler* besök per brukare än förra året.")

    sign_in(publisher, server, PUBLISHER, EDIT)
    assert "Klar för granskning" in publisher.content()
    tab_to(publisher, "#id_note")
    publisher.keyboard.type("Skriv vad siffran var förra året.")
    violations.append(("publisher's form", axe(publisher)))
    tab_to_text(publisher, "Skicka tillbaka")
    enter(publisher)
    assert "skickad tillbaka till redaktören" in publisher.content()

    page.goto(server + EDIT)
    note = page.locator("#granskning")
    assert "Skriv vad siffran var förra året." in note.inner_text()
    violations.append(("the returned form", axe(page)))
    _write_and_send(page, "Hemtjänsten har *fler* besök per brukare än förra året, då de var färre.")

    publisher.goto(server + EDIT)
    tab_to_text(publisher, "Spara och publicera")
    enter(publisher)
    assert "Texten är publicerad." in publisher.content()

    public = browser.new_context(locale="sv-SE").new_page()
    public.goto(server + AREA)
    assert "då de var färre" in public.content() and "<em>fler</em>" in public.content()

    # A goal's combined assessment: the editor proposes it, the publisher publishes it.
    page.goto(f"{server}/kommun/{MUNI}/mal/2017/redigera/")
    assess = page.locator("a[href*='/bedomning/']").first.get_attribute("href")
    page.goto(server + assess)
    tab_to(page, "#id_motivation")
    page.keyboard.type("Som regeln föreslår.")
    violations.append(("editor's assessment form", axe(page)))
    tab_to_text(page, "Skicka förslaget för granskning")
    enter(page)
    assert "Förslaget är skickat för granskning." in page.content()
    publisher.goto(server + assess)
    assert "Förslag som väntar på granskning" in publisher.content()
    violations.append(("publisher's assessment form", axe(publisher)))
    tab_to_text(publisher, "Publicera förslaget")
    enter(publisher)
    assert "Bedömningen är publicerad." in publisher.content()
    assert not [v for v in violations if v[1]], violations
