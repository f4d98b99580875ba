"""The English interface, served in-process on the imported snapshot: the language switch keeps the page
(also from a cached page, with CSRF enforced), the page cache keeps each language apart, English pages
have no Swedish interface strings and ``lang="en"``, the drafts, ranks and numbers follow the language, and
a JSON twin takes ``?lang=en``. The browser test (keyboard, axe-core) is tests/test_language_browser.py."""

from __future__ import annotations

import html
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.test import Client

import kommunkvalitet
from kommunkvalitet.core import pages, vocabulary
from kommunkvalitet.core.formatting import format_value
from kommunkvalitet.core.measuresets import MEASURESET_DIR, load_measure_set
from kommunkvalitet.store.demo import load_demo
from kommunkvalitet.store.models import Indicator
from kommunkvalitet.web.pagecache import CACHED_HEADER

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("page_cache")]  # tests/conftest.py

MUNI, YEAR, AREA = "2284", 2022, "stod_och_omsorg"
AREA_HTML = f"/kommun/{MUNI}/{YEAR}/{AREA}/"
AREA_JSON = f"/kommun/{MUNI}/{YEAR}/{AREA}.json"
PO = Path(kommunkvalitet.__file__).parent / "locale" / "en" / "LC_MESSAGES" / "django.po"
# A sample of every page family a reader meets: start, overview, area, measure, goal report, search, login
SAMPLE = ["/", f"/kommun/{MUNI}/{YEAR}/", AREA_HTML, f"/nyckeltal/U23401/{YEAR}/?kommun={MUNI}",
          "/kommun/1463/mal/2017/", "/sok/?q=omsorg", "/konto/login/"]  # fmt: skip


def reader(lang: str | None = None, **kw) -> Client:
    client = Client(**kw)
    if lang:
        client.cookies["django_language"] = lang
    return client


def ok(response):
    assert response.status_code == 200, response.status_code
    return response


def lang_of(response) -> str:
    return re.search(r'<html lang="(\w+)"', response.content.decode())[1]


def text(response) -> str:
    return html.unescape(response.content.decode())


def catalogue() -> dict[str, str]:
    """Swedish interface string -> its English, for the whole strings a page shows as they are (no
    placeholder, no markup) and that English writes differently."""
    with PO.open("rb") as fh:
        messages = read_po(fh)
    return {
        m.id.strip(" :"): m.string
        for m in messages
        if isinstance(m.id, str) and m.id and "%(" not in m.id and "<" not in m.id and m.string != m.id
    }


class Strings(HTMLParser):
    """The strings a reader meets: text nodes and the attributes read aloud, outside the charts and any
    element marked as another language (the switch's "På svenska")."""

    SPOKEN = ("aria-label", "title", "alt", "placeholder")

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []
        self.stack: list[bool] = []  # per open element: inside an svg or a lang="sv" part

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        skip = (
            (self.stack and self.stack[-1])
            or tag in ("svg", "script", "style")
            or (tag != "html" and a.get("lang") == "sv")
        )
        if tag not in ("input", "meta", "link", "br", "img", "hr"):
            self.stack.append(bool(skip))
        if not skip:
            self.found += [a[k].strip(" :") for k in self.SPOKEN if a.get(k)]

    def handle_endtag(self, tag):
        if tag not in ("input", "meta", "link", "br", "img", "hr") and self.stack:
            self.stack.pop()

    def handle_data(self, data):
        if data.strip() and not (self.stack and self.stack[-1]):
            self.found.append(data.strip().strip(" :"))


def strings(response) -> set[str]:
    parser = Strings()
    parser.feed(response.content.decode())
    return set(parser.found)


def test_english_pages_have_lang_en_and_no_swedish_interface_string():
    load_demo()  # the example goal report (Mark 2017), as `make run` loads it
    # what users wrote stays in their language: the example's indicators name their source "Exempeldata"
    written = {s.strip(" :") for s in Indicator.objects.values_list("source", flat=True) if s}
    words = {sv: en for sv, en in catalogue().items() if sv not in written}
    sv, en = reader(), reader("en")
    for url in SAMPLE:
        swedish, english = ok(sv.get(url)), ok(en.get(url))
        assert lang_of(swedish) == "sv" and lang_of(english) == "en", url
        assert english["Content-Language"] == "en", url
        assert strings(swedish) & set(words), url  # the check can see a Swedish string when there is one
        left = strings(english) & set(words)
        assert not left, f"{url}: Swedish interface strings on the English page: {sorted(left)}"
        assert strings(english) & set(words.values()), url


def test_the_switch_posts_to_set_language_and_comes_back_to_the_same_page_even_from_the_cache():
    url = AREA_HTML + "?x=1&y=2"
    assert ok(reader().get(url))[CACHED_HEADER] == "miss"
    browser = reader(enforce_csrf_checks=True)  # a new reader without cookies gets the stored page
    first = ok(browser.get(url))
    assert first[CACHED_HEADER] == "hit" and "csrftoken" in browser.cookies
    for lang, back in (("en", "sv"), ("sv", "en")):
        page = first.content.decode() if lang == "en" else ok(browser.get(url)).content.decode()
        form = re.search(r'<form class="language" method="post" action="([^"]+)">(.*?)</form>', page, re.S)
        assert form, "no language switch"
        fields = dict(re.findall(r'name="(\w+)" value="([^"]*)"', form[2]))
        assert html.unescape(fields["next"]) == url and fields["language"] == lang
        response = browser.post(form[1], {**fields, "next": html.unescape(fields["next"])})
        assert response.status_code == 302 and response["Location"] == url
        assert lang_of(ok(browser.get(url))) == lang
        assert f'name="language" value="{back}"' in ok(browser.get(url)).content.decode()
    refused = reader(enforce_csrf_checks=True).post(form[1], {"language": "en", "next": url})
    assert refused.status_code == 403  # CSRF is enforced: the switch works because the token is right


def test_the_page_cache_keeps_each_language_apart():
    sv, en = reader(), reader("en")
    for url in (AREA_HTML, AREA_JSON):
        first_sv, first_en = sv.get(url), en.get(url)
        assert (first_sv[CACHED_HEADER], first_en[CACHED_HEADER]) == ("miss", "miss"), url
        assert first_sv["ETag"] != first_en["ETag"]
        again_en, again_sv = en.get(url), sv.get(url)
        assert (again_en[CACHED_HEADER], again_sv[CACHED_HEADER]) == ("hit", "hit"), url
        assert again_en["Content-Language"] == "en" and again_sv["Content-Language"] == "sv"
        assert "Cookie" in again_en["Vary"]
    assert lang_of(en.get(AREA_HTML)) == "en" and lang_of(sv.get(AREA_HTML)) == "sv"
    # a Swedish reader's ETag does not answer an English reader's revisit with 304
    assert en.get(AREA_HTML, headers={"if-none-match": first_sv["ETag"]}).status_code == 200


def _json(client: Client, url: str) -> dict:
    return json.loads(ok(client.get(url)).content)


def test_the_json_twin_speaks_the_language_asked_for():
    swedish = _json(reader(), AREA_JSON)
    english = _json(reader(), AREA_JSON + "?lang=en")
    assert _json(reader("en"), AREA_JSON) == english  # the reader's cookie, as the page
    assert _json(reader("en"), AREA_JSON + "?lang=sv") == swedish  # ?lang wins over the cookie
    assert _json(reader(), AREA_JSON + "?lang=de") == swedish  # an unknown language: Swedish
    ranked = [m for m in english["measures"] if m["rank"]]
    assert ranked
    for sv_m, en_m in zip(swedish["measures"], english["measures"], strict=True):
        assert en_m["rank_text"] == pages.rank_text(en_m["rank"], en_m["n"], "en")
        assert sv_m["rank_text"] == pages.rank_text(sv_m["rank"], sv_m["n"], "sv")
        if en_m["gap_text"]:
            gap = en_m["gap"] if en_m["gap"] in vocabulary.WORDS["gap"] else "unknown"
            assert en_m["gap_text"] == vocabulary.label("gap", gap, "en") != sv_m["gap_text"]
    assert english["source"] == swedish["source"]  # the attribution is the same in every twin
    assert english["draft"] == swedish["draft"]  # both drafts, whatever the language


def test_the_drafts_and_the_area_name_follow_the_language():
    data = _json(reader(), AREA_JSON)
    swedish, english = text(ok(reader().get(AREA_HTML))), text(ok(reader("en").get(AREA_HTML)))
    for lang, page in (("sv", swedish), ("en", english)):
        assert data["draft"][lang]["text"].split(". ")[0] in page, lang
    assert data["draft"]["en"]["text"].split(". ")[0] not in swedish
    assert data["draft"]["sv"]["text"].split(". ")[0] not in english
    area = load_measure_set(MEASURESET_DIR / "kkik_2022.toml").area(AREA)
    assert f"<h1>{area.name_en} " in english and f"<h1>{area.name} " in swedish


def test_numbers_are_swedish_on_swedish_pages_and_english_on_english_pages():
    data = _json(reader(), AREA_JSON)
    swedish, english = text(ok(reader().get(AREA_HTML))), text(ok(reader("en").get(AREA_HTML)))
    shares = [m for m in data["measures"] if m["unit"] == "percent" and m["value"] is not None]
    large = [m for m in data["measures"] if m["value"] is not None and abs(m["value"]) >= 1000]
    assert shares and large, "the area has a share and a value over 1,000"
    for m in (shares[0], large[0]):
        sv_text = format_value(m["value"], m["unit"], m["decimals"], "sv")
        en_text = format_value(m["value"], m["unit"], m["decimals"], "en")
        assert sv_text != en_text
        assert sv_text in swedish and en_text not in swedish
        assert en_text in english and sv_text not in english
    assert re.search(r"\d\xa0%", swedish) and not re.search(r"\d\xa0%", english)  # "12,5 %" / "12.5%"
    assert re.search(r"\d\xa0\d{3}\b", swedish) and re.search(r"\d,\d{3}\b", english)  # "1 234" / "1,234"


def test_the_measure_pages_gender_sentence_follows_the_language():
    """The drafted sentence on a large gap between women and men (core.gender) on the measure page."""
    data = _json(reader(), AREA_JSON)
    said = 0
    for m in data["measures"]:
        if not (m["women"] and m["men"] and m["women"]["value"] is not None and m["men"]["value"] is not None):
            continue
        url = f"/nyckeltal/{m['kpi']}/{YEAR}/?kommun={MUNI}"
        swedish, english = text(ok(reader().get(url))), text(ok(reader("en").get(url)))
        if "Skillnaden mellan kvinnor och män är stor" not in swedish:
            continue
        said += 1
        assert "Skillnaden mellan kvinnor och män" not in english
        women, men = (format_value(m[g]["value"], m["unit"], m["decimals"], "en") for g in ("women", "men"))
        assert re.search(rf"{re.escape(women)} for women and {re.escape(men)} for men", english), m["kpi"]
    assert said, "no measure of the area has a large gap between women and men"


# --- the words inside the charts and the map -------------------------------------------------------

MEASURE = f"/nyckeltal/U23401/{YEAR}/?kommun={MUNI}"
# The Swedish words the measure page's charts and map wrote before they followed the page's language
CHART_SWEDISH = ("Rikssnitt", "rikssnittet", "bästa", "sämsta", "mellersta", "Kommuner från", "med värde",
                 "Uppgift saknas", "uppgift saknas", "Vald kommun", "Kommungrupp", "Riket (viktat)", "ej jämförbart",
                 "Stapeldiagram", "Linjediagram", "Karta:", "kommuner", "visar", "saknar", "färgade", "placering")  # fmt: skip


def figures_of(page: str) -> dict[str, tuple[str, str]]:
    """The measure page's (or an embed's) pictures: kind -> (the SVG, its figure's caption)."""
    found = {}
    for svg, caption in re.findall(r"(<svg\b.*?</svg>).*?<figcaption[^>]*>(.*?)</figcaption>", page, re.S):
        kind = "map" if 'class="kk-map"' in svg else re.search(r'class="chart chart-(\w+)"', svg)[1]
        found.setdefault(kind, (html.unescape(svg), html.unescape(caption)))
    return found


def group_names() -> list[str]:
    """The names of the municipality's groups in the time series: Kolada's, so they stay Swedish
    ("Liknande kommuner äldreomsorg, Örnsköldsvik, 2024")."""
    data = json.loads(ok(reader().get(f"/nyckeltal/U23401/{YEAR}.json?kommun={MUNI}")).content)
    return [line["label"].removeprefix("Kommungrupp: ") for line in data["series"] if line["key"] in ("skr", "similar")]


def unnamed(text: str, names: list[str]) -> str:
    for name in names:
        text = text.replace(name, "")
    return text


def test_the_charts_and_the_map_of_an_english_measure_page_speak_english():
    sv, en, names = reader(), reader("en"), group_names()
    for _ in range(2):  # drawn, then from the chart and page caches: each language keeps its own
        swedish, english = (
            figures_of(ok(sv.get(MEASURE)).content.decode()),
            figures_of(ok(en.get(MEASURE)).content.decode()),
        )
        assert set(english) == set(swedish) == {"bar", "series", "map"}
        for kind, (svg, caption) in english.items():
            said = unnamed(svg + " " + caption, names)
            left = [w for w in CHART_SWEDISH if w in said]
            assert not left, f"{kind}: Swedish words in an English chart: {left}"
        assert any(w in swedish[k][0] + swedish[k][1] for k in swedish for w in CHART_SWEDISH)  # the check can see them
        bar, series, map_ = english["bar"], english["series"], english["map"]
        assert "National average" in bar[0] and "best 25%" in bar[0] and "worst 25%" in bar[0]
        assert "Municipalities from best to worst" in bar[0] and 'aria-label="Bar chart: ' in bar[0]
        assert bar[1].startswith("The bar chart shows the ") and "Örnsköldsvik (black bar) has " in bar[1]
        assert "National average (unweighted mean)" in series[0]  # (Kolada has no Riket for U23401)
        assert "Municipality group: " in series[0] and series[1].startswith("The line chart shows ")
        assert "best 25%" in map_[0] and "No data" in map_[0] and "Chosen municipality" in map_[0]
        assert "among the best 25 per cent" in map_[0] and map_[1].startswith(
            "The map shows the 290 municipalities of Sweden"
        )
        assert bar[1].count("among the") == 1 and "Bland" not in bar[1]


def test_the_chart_numbers_are_written_the_english_way_on_english_pages():
    data = json.loads(ok(reader().get(f"/nyckeltal/U23401/{YEAR}.json?kommun={MUNI}")).content)
    mean, unit, decimals = data["distribution"]["T"]["mean"], data["kpi"]["unit"], data["kpi"]["decimals"]
    en = figures_of(ok(reader("en").get(MEASURE)).content.decode())
    sv = figures_of(ok(reader().get(MEASURE)).content.decode())
    assert f"National average {format_value(mean, unit, decimals, 'en')}" in en["bar"][0]
    assert f"Rikssnitt {format_value(mean, unit, decimals, 'sv')}" in sv["bar"][0]
    assert f"the national average is {format_value(mean, unit, decimals, 'en')}" in en["bar"][1]


def test_an_embed_speaks_the_language_asked_for_with_lang_en():
    base, names = f"/nyckeltal/U23401/{YEAR}/inbadda", group_names()
    for url in (f"{base}/stapel/?kommun={MUNI}&lang=en", f"{base}/tidsserie/?kommun={MUNI}&lang=en",
                f"{base}/karta/?kommun={MUNI}&lang=en", f"/kommun/{MUNI}/{YEAR}/{AREA}/inbadda/U23401/?lang=en"):  # fmt: skip
        response = ok(reader().get(url))  # no cookie: a host site's frame does not send ours
        assert lang_of(response) == "en" and response["Content-Language"] == "en", url
        ((svg, caption),) = figures_of(response.content.decode()).values()
        left = [w for w in CHART_SWEDISH if w in unnamed(svg + caption, names)]
        assert not left, f"{url}: {left}"
        swedish = ok(reader().get(url.replace("lang=en", "lang=sv"))).content.decode()
        assert lang_of(ok(reader().get(url.replace("lang=en", "lang=sv")))) == "sv"
        assert any(w in swedish for w in ("Stapeldiagrammet", "Linjediagrammet", "Kartan", "Utveckling"))
    # the English measure page's embed code gives the English embeds
    page = text(ok(reader("en").get(MEASURE)))
    assert f"{base}/stapel/?kommun={MUNI}&lang=en" in page
