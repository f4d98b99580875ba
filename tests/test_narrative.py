"""Drafted KKiK texts (core/narrative): pinned Swedish and English wording for real-shaped findings, and
properties (numbers cited verbatim, deterministic, never crashes, no band sentence without a band)."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kommunkvalitet.core.findings import BANDS, POSITIONS, TRENDS, MeasureFinding
from kommunkvalitet.core.formatting import NBSP
from kommunkvalitet.core.narrative import (
    AREA_POSITIONS,
    Draft,
    Sentence,
    draft_area,
    draft_measure,
    inline_label,
    join_list,
)

# Labels, units and decimals as in measuresets/kkik_2022.toml: (kpi, label, label_en, unit, decimals, direction, cost)
MEASURES = {
    "U30453": (
        "Brukarbedömning individ- och familjeomsorg",
        "User assessment of individual and family care: improved situation",
        "percent",
        0,
        "higher",
        False,
    ),
    "U31462": (
        "Ej återaktualiserade vuxna personer med försörjningsstöd ett år efter avslutat försörjningsstöd",
        "Adults not returning to income support within one year after it ended",
        "percent",
        0,
        "higher",
        False,
    ),
    "U31402": (
        "Väntetid i antal dagar från ansökan vid nybesök till beslut inom försörjningsstöd",
        "Waiting time in days from application at first visit to decision on income support",
        "days",
        0,
        "lower",
        False,
    ),
    "U28570": (
        "Brukarbedömning boende LSS totalt - Brukaren trivs alltid hemma",
        "User assessment of LSS housing: the user always enjoys living at home",
        "percent",
        0,
        "higher",
        False,
    ),
    "U23401": (
        "Väntetid i antal dagar från ansökningsdatum till första erbjudet inflyttningsdatum till särskilt boende",
        "Waiting time in days from application to first offered moving-in date, residential care for older people",
        "days",
        0,
        "lower",
        False,
    ),
    "U23471": (
        "Brukarbedömning särskilt boende äldreomsorg – helhetssyn",
        "User assessment of residential care for older people: overall satisfaction",
        "percent",
        0,
        "higher",
        False,
    ),
    "U23490": (
        "Sjuksköterskor/plats i boende för särskild service för äldre under vardagar",
        "Nurses per place in residential care for older people, weekdays",
        "ratio",
        3,
        "higher",
        False,
    ),
    "U21401": (
        "Personalkontinuitet (antal personal som en hemtjänsttagare med minst 2 besök dagligen möter under 14 dagar)",
        "Staff continuity in home care: number of staff a home-care user with at least 2 daily visits meets in 14 days",
        "count",
        0,
        "lower",
        False,
    ),
    "U21468": (
        "Brukarbedömning hemtjänst äldreomsorg – helhetssyn",
        "User assessment of home care for older people: overall satisfaction",
        "percent",
        0,
        "higher",
        False,
    ),
    "N30101": (
        "Kostnad individ- och familjeomsorg",
        "Cost of individual and family care, SEK per inhabitant",
        "kr_per_inhabitant",
        0,
        "none",
        True,
    ),
    "N20048": (
        "Kostnad äldreomsorg (80+)",
        "Cost of care for older people, SEK per inhabitant aged 80+",
        "kr_per_inhabitant_80plus",
        0,
        "none",
        True,
    ),
    "N11008": (
        "Kostnad förskola, kr/inskrivet barn",
        "Cost of preschool, SEK per enrolled child",
        "kr_per_child",
        0,
        "none",
        True,
    ),
    "N15452": (
        "Elever i åk 3 som klarat alla delprov i svenska, kommunala skolor",
        "Year 3 pupils passing all parts of the national test in Swedish, municipal schools",
        "percent",
        1,
        "higher",
        False,
    ),
    "N15485": (
        "Elever i åk 6 med lägst betyget E i matematik, kommunala skolor",
        "Year 6 pupils with at least grade E in mathematics, municipal schools",
        "percent",
        1,
        "higher",
        False,
    ),
    "N07403": (
        "Sjukpenningtal",
        "Sickness benefit rate, days per insured person aged 16-64",
        "days",
        1,
        "lower",
        False,
    ),
    "U09400": (
        "Valdeltagande i senaste kommunalvalet",
        "Voter turnout in the latest municipal election",
        "percent",
        1,
        "higher",
        False,
    ),
}


def mf(kpi: str, value: float | None, year: int = 2022, **kw) -> MeasureFinding:
    label, label_en, unit, decimals, direction, cost = MEASURES[kpi]
    kw.setdefault("direction", direction)
    return MeasureFinding(
        kpi=kpi,
        label=label,
        label_en=label_en,
        unit=unit,
        decimals=decimals,
        is_cost=cost,
        year=year,
        value=value,
        **kw,
    )


def changed(kpi: str, value: float, previous: float, trend: str, previous_year: int = 2021, **kw) -> MeasureFinding:
    return mf(
        kpi, value, previous_year=previous_year, previous_value=previous, change=value - previous, trend=trend, **kw
    )


def texts(draft: Draft) -> list[str]:
    return [s.text for s in draft.sentences]


# --- Örnsköldsvik-like Stöd och omsorg, the whole draft pinned ---------------------------------------------------

ORNSKOLDSVIK = [
    changed(
        "U30453",
        86,
        70,
        "improved",
        marked=True,
        band="best",
        previous_band="middle",
        national_mean=75.2,
        position="far_above",
        rank=20,
        n=125,
    ),
    changed(
        "U31462",
        72,
        73,
        "worsened",
        band="middle",
        previous_band="middle",
        national_mean=74.5,
        position="slightly_below",
        rank=150,
        n=250,
    ),
    mf("U31402", 14, band="middle", national_mean=16.0, position="slightly_below", rank=120, n=260),
    mf("U28570", None, missing_reason=".."),
    changed(
        "U23401",
        77,
        80,
        "improved",
        band="middle",
        previous_band="middle",
        national_mean=53.0,
        position="far_above",
        rank=180,
        n=280,
    ),
    changed(
        "U21401",
        19,
        19,
        "unchanged",
        band="worst",
        previous_band="worst",
        national_mean=15.9,
        position="far_above",
        rank=230,
        n=270,
    ),
    mf("U21468", 88, band="middle", national_mean=87.1, position="level"),
    changed("N30101", 3812, 3650, "increased", year=2021, previous_year=2020),
    changed(
        "N20048",
        245100,
        248000,
        "decreased",
        year=2021,
        previous_year=2020,
        national_mean=200000.0,
        position="far_above",
    ),
]

ORNSKOLDSVIK_SV = (
    "Resultatet för brukarbedömning individ- och familjeomsorg har ökat markant mellan 2021 och 2022 och ligger nu"
    " bland de 25 procent bästa kommunerna. Det ligger långt över rikssnittet (86~% mot 75~%)."
    "\n\n"
    "Resultatet för väntetid i antal dagar från ansökningsdatum till första erbjudet inflyttningsdatum till"
    " särskilt boende har förbättrats mellan 2021 och 2022 och ligger kvar bland de 50 procent mellersta kommunerna."
    " Det ligger långt över rikssnittet (77~dagar mot 53~dagar)."
    " Resultatet för ej återaktualiserade vuxna personer med försörjningsstöd ett år efter avslutat försörjningsstöd"
    " har försämrats mellan 2021 och 2022 och ligger kvar bland de 50 procent mellersta kommunerna."
    " Resultaten för väntetid i antal dagar från ansökan vid nybesök till beslut inom försörjningsstöd och"
    " brukarbedömning hemtjänst äldreomsorg – helhetssyn ligger bland de 50 procent mellersta kommunerna."
    "\n\n"
    "Resultatet för personalkontinuitet (antal personal som en hemtjänsttagare med minst 2 besök dagligen möter"
    " under 14 dagar) ligger kvar på samma nivå som 2021 och bland de 25 procent sämsta kommunerna."
    " Det ligger långt över rikssnittet (19 mot 16)."
    "\n\n"
    "Kostnaden för individ- och familjeomsorg har ökat mellan 2020 och 2021, medan kostnaden för äldreomsorg (80+)"
    " har minskat. Kostnaden för äldreomsorg (80+) ligger långt över rikssnittet (245~100~kr/inv 80+ mot"
    " 200~000~kr/inv 80+)."
    "\n\n"
    "För brukarbedömning boende LSS totalt - Brukaren trivs alltid hemma saknas uppgift för 2022"
    " (orsak enligt källan: sekretess)."
)


def nbsp(text: str) -> str:
    """Expected texts write "~" where the drafts have U+00A0 (between a number and its unit, thousands)."""
    return text.replace("~", NBSP)


def test_ornskoldsvik_like_area_draft_sv():
    draft = draft_area("Stöd och omsorg", ORNSKOLDSVIK, "sv", 2022)
    assert draft.title == "Området Stöd och omsorg"
    assert draft.text == nbsp(ORNSKOLDSVIK_SV)
    assert len(draft.paragraphs) == 5  # one per band (best, middle, worst), costs, missing
    assert set(draft.kpis) == {f.kpi for f in ORNSKOLDSVIK}


def test_ornskoldsvik_like_area_draft_en():
    draft = draft_area("Support and care", ORNSKOLDSVIK, "en", 2022)
    assert draft.title == "Support and care"
    assert draft.text == nbsp(
        "The result for user assessment of individual and family care: improved situation has increased markedly"
        " between 2021 and 2022 and is now among the 25 per cent best municipalities. It is well above the national"
        " average (86% compared with an unweighted mean of 75%)."
        "\n\n"
        "The result for waiting time in days from application to first offered moving-in date, residential care"
        " for older people has improved between 2021 and 2022 and remains among the middle 50 per cent of"
        " municipalities. It is well above the national average (77~days compared with an unweighted mean of 53~days)."
        " The result for adults not returning to income support within one year after it ended has deteriorated"
        " between 2021 and 2022 and remains among the middle 50 per cent of municipalities."
        " The results for waiting time in days from application at first visit to decision on income support and"
        " user assessment of home care for older people: overall satisfaction are among the middle 50 per cent of"
        " municipalities."
        "\n\n"
        "The result for staff continuity in home care: number of staff a home-care user with at least 2 daily"
        " visits meets in 14 days remains at the same level as in 2021 and among the 25 per cent worst"
        " municipalities. It is well above the national average (19 compared with an unweighted mean of 16)."
        "\n\n"
        "The cost of individual and family care has increased between 2020 and 2021, while the cost of care for"
        " older people (aged 80+) has decreased. The cost of care for older people (aged 80+) is well above the"
        " national average (SEK~245,100~per inhabitant aged 80+ compared with an unweighted mean of"
        " SEK~200,000~per inhabitant aged 80+)."
        "\n\n"
        "For user assessment of LSS housing: the user always enjoys living at home, no value is available for 2022"
        " (reason given by the source: confidentiality)."
    )


def test_sentences_carry_their_numbers_and_kpis():
    draft = draft_area("Stöd och omsorg", ORNSKOLDSVIK, "sv", 2022)
    by_text = {s.text: s for s in draft.sentences}
    pos = by_text["Det ligger långt över rikssnittet (86 % mot 75 %).".replace(" %", f"{NBSP}%")]
    assert pos.kpis == ("U30453",)
    assert pos.numbers == (f"86{NBSP}%", f"75{NBSP}%")
    group = next(s for s in draft.sentences if s.text.startswith("Resultaten för"))
    assert group.kpis == ("U31402", "U21468")
    assert group.numbers == ()
    cost = next(s for s in draft.sentences if s.text.startswith("Kostnaden för individ"))
    assert cost.kpis == ("N30101", "N20048")
    assert f"245{NBSP}100{NBSP}kr/inv 80+" in draft.numbers


# --- marked change into the best band, and the comparison year ---------------------------------------------------


def test_marked_improvement_into_the_best_band():
    f = changed("U30453", 86, 70, "improved", marked=True, band="best", previous_band="middle")
    assert texts(draft_area("Stöd och omsorg", [f])) == [
        "Resultatet för brukarbedömning individ- och familjeomsorg har ökat markant mellan 2021 och 2022 och ligger"
        " nu bland de 25 procent bästa kommunerna."
    ]
    assert texts(draft_area("Support and care", [f], "en")) == [
        "The result for user assessment of individual and family care: improved situation has increased markedly"
        " between 2021 and 2022 and is now among the 25 per cent best municipalities."
    ]


def test_comparison_year_that_is_not_the_previous_year_is_named():
    f = changed("U23471", 84, 78, "improved", previous_year=2019, marked=True, band="best", previous_band="best")
    assert texts(draft_area("Stöd och omsorg", [f])) == [
        "Resultatet för brukarbedömning särskilt boende äldreomsorg – helhetssyn har ökat markant mellan 2019 och"
        " 2022 och ligger kvar bland de 25 procent bästa kommunerna."
    ]
    m = draft_measure(f)
    assert "från 78 % år 2019".replace(" %", f"{NBSP}%") in m.text


def test_marked_worsening_of_a_higher_measure():
    f = changed("U21468", 70, 85, "worsened", marked=True, band="worst", previous_band="middle")
    assert texts(draft_area("Stöd och omsorg", [f])) == [
        "Resultatet för brukarbedömning hemtjänst äldreomsorg – helhetssyn har minskat markant mellan 2021 och 2022"
        " och ligger nu bland de 25 procent sämsta kommunerna."
    ]


def test_band_moved_against_the_change_says_men():
    f = changed("U21468", 88, 87, "improved", band="middle", previous_band="best")
    assert texts(draft_area("Stöd och omsorg", [f])) == [
        "Resultatet för brukarbedömning hemtjänst äldreomsorg – helhetssyn har förbättrats mellan 2021 och 2022 men"
        " ligger nu bland de 50 procent mellersta kommunerna."
    ]
    assert texts(draft_area("x", [f], "en")) == [
        "The result for user assessment of home care for older people: overall satisfaction has improved between"
        " 2021 and 2022 but is now among the middle 50 per cent of municipalities."
    ]


def test_unchanged_but_moved_band():
    f = changed("U21401", 19, 19, "unchanged", band="worst", previous_band="middle")
    assert texts(draft_area("Stöd och omsorg", [f]))[0].endswith(
        "ligger kvar på samma nivå som 2021 men ligger nu bland de 25 procent sämsta kommunerna."
    )


# --- direction lower: a decrease is an improvement ---------------------------------------------------------------


@pytest.mark.parametrize("marked", [False, True])
def test_lower_is_better_waiting_time_down_is_improved(marked):
    f = changed("U23401", 40, 77, "improved", marked=marked, band="best", previous_band="middle")
    sv = draft_area("Stöd och omsorg", [f]).text
    en = draft_area("Support and care", [f], "en").text
    verb = "har förbättrats markant" if marked else "har förbättrats"
    assert sv == (
        "Resultatet för väntetid i antal dagar från ansökningsdatum till första erbjudet inflyttningsdatum till"
        f" särskilt boende {verb} mellan 2021 och 2022 och ligger nu bland de 25 procent bästa kommunerna."
    )
    assert "har ökat" not in sv and "increased" not in en
    assert ("has improved markedly" if marked else "has improved between") in en
    m = draft_measure(f)
    assert "har ökat" not in m.text
    assert f"Det {verb} från 77{NBSP}dagar år 2021." in m.text


def test_lower_is_better_waiting_time_up_is_worsened():
    f = changed("U31402", 20, 12, "worsened", marked=True, band="worst", previous_band="middle")
    text = draft_area("Stöd och omsorg", [f]).text
    assert "har försämrats markant mellan 2021 och 2022 och ligger nu bland de 25 procent sämsta" in text
    assert "har ökat" not in text
    assert "has deteriorated markedly between 2021 and 2022" in draft_area("x", [f], "en").text


def test_personalkontinuitet_unchanged_in_the_worst_band_like_seed_000():
    f = changed("U21401", 19, 19, "unchanged", band="worst", previous_band="worst")
    assert texts(draft_area("Stöd och omsorg", [f])) == [
        "Resultatet för personalkontinuitet (antal personal som en hemtjänsttagare med minst 2 besök dagligen möter"
        " under 14 dagar) ligger kvar på samma nivå som 2021 och bland de 25 procent sämsta kommunerna."
    ]


# --- missing values ----------------------------------------------------------------------------------------------


def test_missing_value():
    f = mf("U28570", None)
    draft = draft_area("Stöd och omsorg", [f])
    assert draft.text == "För brukarbedömning boende LSS totalt - Brukaren trivs alltid hemma saknas uppgift för 2022."
    assert draft.sentences[0].kpis == ("U28570",)
    assert draft_measure(f).text == draft.text
    assert draft_measure(f, "en").text == (
        "For user assessment of LSS housing: the user always enjoys living at home, no value is available for 2022."
    )


def test_missing_value_ignores_stale_band_and_trend():
    f = mf("U28570", None, band="best", trend="improved", previous_year=2021, previous_value=80.0, position="far_above")
    assert texts(draft_area("Stöd och omsorg", [f])) == [
        "För brukarbedömning boende LSS totalt - Brukaren trivs alltid hemma saknas uppgift för 2022."
    ]


def test_missing_value_with_reason():
    f = mf("U23490", None, missing_reason="..")
    assert draft_measure(f).text == (
        "För sjuksköterskor/plats i boende för särskild service för äldre under vardagar saknas uppgift för 2022"
        " (orsak enligt källan: sekretess)."
    )
    g = mf("U23490", None, missing_reason="Ej insamlat")
    assert draft_measure(g).text.endswith("(orsak enligt källan: Ej insamlat).")
    assert draft_measure(f, "en").text.endswith("(reason given by the source: confidentiality).")


def test_all_missing_is_one_grouped_sentence():
    fs = [mf("U30453", None), mf("U31462", None), mf("U31402", None)]
    draft = draft_area("Stöd och omsorg", fs)
    assert draft.text == (
        "För brukarbedömning individ- och familjeomsorg, ej återaktualiserade vuxna personer med försörjningsstöd ett"
        " år efter avslutat försörjningsstöd och väntetid i antal dagar från ansökan vid nybesök till beslut inom"
        " försörjningsstöd saknas uppgift för 2022."
    )
    assert draft.sentences[0].kpis == ("U30453", "U31462", "U31402")
    en = draft_area("Support and care", fs, "en").text
    assert en.startswith("For user assessment of individual and family care: improved situation, adults not")
    assert en.endswith(
        ", and waiting time in days from application at first visit to decision on income support,"
        " no values are available for 2022."
    )


def test_missing_values_grouped_by_reason():
    fs = [mf("U30453", None), mf("U31462", None, missing_reason="-"), mf("U31402", None)]
    assert len(draft_area("x", fs).sentences) == 2


def test_empty_area():
    draft = draft_area("Stöd och omsorg", [], "sv", 2022)
    assert draft.text == "För området Stöd och omsorg finns inga resultat att redovisa i KKiK 2022."
    assert draft.kpis == ()
    assert draft_area("Stöd och omsorg", []).text == "För området Stöd och omsorg finns inga resultat att redovisa."
    assert draft_area("Support and care", [], "en", 2022).text == (
        "There are no results to report for the area Support and care in KKiK 2022."
    )


# --- bands: ties, group sizes, no band ---------------------------------------------------------------------------


def test_tie_at_a_band_boundary_follows_the_band_given():
    # Same value, but the engine put one in best and the other in middle (ties share the better band only within
    # one KPI; these are two KPIs): the narrative follows the bands as given.
    fs = [mf("U23471", 90, band="best"), mf("U21468", 90, band="middle")]
    assert texts(draft_area("Stöd och omsorg", fs)) == [
        "Resultatet för brukarbedömning särskilt boende äldreomsorg – helhetssyn ligger bland de 25 procent bästa"
        " kommunerna.",
        "Resultatet för brukarbedömning hemtjänst äldreomsorg – helhetssyn ligger bland de 50 procent mellersta"
        " kommunerna.",
    ]


def test_one_two_three_measures_in_a_band_group():
    one = [mf("U30453", 80, band="best")]
    two = one + [mf("U31462", 80, band="best")]
    three = two + [mf("U23471", 80, band="best")]
    assert texts(draft_area("x", one)) == [
        "Resultatet för brukarbedömning individ- och familjeomsorg ligger bland de 25 procent bästa kommunerna."
    ]
    assert texts(draft_area("x", two)) == [
        "Resultaten för brukarbedömning individ- och familjeomsorg och ej återaktualiserade vuxna personer med"
        " försörjningsstöd ett år efter avslutat försörjningsstöd ligger bland de 25 procent bästa kommunerna."
    ]
    assert texts(draft_area("x", three)) == [
        "Resultaten för brukarbedömning individ- och familjeomsorg, ej återaktualiserade vuxna personer med"
        " försörjningsstöd ett år efter avslutat försörjningsstöd och brukarbedömning särskilt boende äldreomsorg"
        " – helhetssyn ligger bland de 25 procent bästa kommunerna."
    ]
    assert texts(draft_area("x", three, "en")) == [
        "The results for user assessment of individual and family care: improved situation, adults not returning to"
        " income support within one year after it ended, and user assessment of residential care for older people:"
        " overall satisfaction are among the 25 per cent best municipalities."
    ]
    assert texts(draft_area("x", one, "en")) == [
        "The result for user assessment of individual and family care: improved situation is among the 25 per cent"
        " best municipalities."
    ]


def test_labels_with_commas_are_listed_with_semicolons():
    fs = [mf("N15452", 80.0, band="worst"), mf("N15485", 85.0, band="worst"), mf("U09400", 80.0, band="worst")]
    assert texts(draft_area("Barn och unga", fs)) == [
        "Resultaten för elever i åk 3 som klarat alla delprov i svenska, kommunala skolor; elever i åk 6 med lägst"
        " betyget E i matematik, kommunala skolor och valdeltagande i senaste kommunalvalet ligger bland de 25"
        " procent sämsta kommunerna."
    ]


def test_bands_are_ordered_best_to_worst_and_same_band_says_kvar():
    fs = [
        mf("U30453", 50, band="worst"),
        mf("U31462", 70, band="middle", previous_band="middle"),
        mf("U23471", 95, band="best"),
    ]
    assert texts(draft_area("x", fs)) == [
        "Resultatet för brukarbedömning särskilt boende äldreomsorg – helhetssyn ligger bland de 25 procent bästa"
        " kommunerna.",
        "Resultatet för ej återaktualiserade vuxna personer med försörjningsstöd ett år efter avslutat"
        " försörjningsstöd ligger kvar bland de 50 procent mellersta kommunerna.",
        "Resultatet för brukarbedömning individ- och familjeomsorg ligger bland de 25 procent sämsta kommunerna.",
    ]


def test_four_group_variant_bands():
    fs = [mf("U30453", 50, band="second"), mf("U31462", 70, band="third")]
    assert texts(draft_area("x", fs)) == [
        "Resultatet för brukarbedömning individ- och familjeomsorg ligger bland de 25 procent näst bästa kommunerna.",
        "Resultatet för ej återaktualiserade vuxna personer med försörjningsstöd ett år efter avslutat"
        " försörjningsstöd ligger bland de 25 procent näst sämsta kommunerna.",
    ]


def test_measure_without_band_is_never_in_a_band_sentence():
    fs = [
        mf("U30453", 80, band="best"),
        changed("U23490", 0.061, 0.058, "improved", band=None, n=5),  # too few values
    ]
    draft = draft_area("Stöd och omsorg", fs)
    assert texts(draft) == [
        "Resultatet för brukarbedömning individ- och familjeomsorg ligger bland de 25 procent bästa kommunerna.",
        "Resultatet för sjuksköterskor/plats i boende för särskild service för äldre under vardagar har förbättrats"
        " mellan 2021 och 2022.",
        "För sjuksköterskor/plats i boende för särskild service för äldre under vardagar har för få kommuner"
        " uppgift för att resultatet ska delas in i grupper.",
    ]
    for s in draft.sentences:
        if "bland de" in s.text:
            assert "U23490" not in s.kpis
    en = texts(draft_area("x", fs, "en"))
    assert en[2] == (
        "For nurses per place in residential care for older people, weekdays, too few municipalities have a value"
        " to place the result in a group."
    )


def test_direction_none_result_gets_a_trend_but_no_band():
    f = changed("U09400", 84.1, 85.0, "decreased", direction="none")
    assert texts(draft_area("x", [f])) == [
        "Resultatet för valdeltagande i senaste kommunalvalet har minskat mellan 2021 och 2022."
    ]
    assert texts(draft_area("x", [f], "en")) == [
        "The result for voter turnout in the latest municipal election has decreased between 2021 and 2022."
    ]


def test_same_change_and_band_is_one_sentence():
    fs = [
        changed("U30453", 80, 75, "improved", band="best", previous_band="best"),
        changed("U23471", 90, 88, "improved", band="best", previous_band="best"),
    ]
    assert texts(draft_area("x", fs)) == [
        "Resultaten för brukarbedömning individ- och familjeomsorg och brukarbedömning särskilt boende äldreomsorg"
        " – helhetssyn har förbättrats mellan 2021 och 2022 och ligger kvar bland de 25 procent bästa kommunerna."
    ]
    assert texts(draft_area("x", fs, "en"))[0].endswith(
        "have improved between 2021 and 2022 and remain among the 25 per cent best municipalities."
    )


# --- position against rikssnittet ------------------------------------------------------------------------------


def test_position_sentence_only_for_marked_positions_by_default():
    fs = [
        mf("U31462", 72, band="middle", national_mean=74.5, position="slightly_below"),
        mf("U30453", 60, band="worst", national_mean=75.2, position="far_below"),
    ]
    assert sorted(AREA_POSITIONS) == ["far_above", "far_below"]
    assert texts(draft_area("x", fs)) == [
        "Resultatet för ej återaktualiserade vuxna personer med försörjningsstöd ett år efter avslutat"
        " försörjningsstöd ligger bland de 50 procent mellersta kommunerna.",
        "Resultatet för brukarbedömning individ- och familjeomsorg ligger bland de 25 procent sämsta kommunerna.",
        f"Det ligger långt under rikssnittet (60{NBSP}% mot 75{NBSP}%).",
    ]
    every = texts(draft_area("x", fs, positions=set(POSITIONS)))
    assert f"Det ligger något under rikssnittet (72{NBSP}% mot 75{NBSP}%)." in every


def test_position_in_a_group_names_the_measure():
    fs = [
        mf("U30453", 90, band="best", national_mean=75.2, position="far_above"),
        mf("U23471", 95, band="best", national_mean=84.0, position="far_above"),
    ]
    sentences = texts(draft_area("x", fs))
    assert sentences[1] == (
        f"Resultatet för brukarbedömning individ- och familjeomsorg ligger långt över rikssnittet (90{NBSP}% mot"
        f" 75{NBSP}%)."
    )
    assert sentences[2].startswith("Resultatet för brukarbedömning särskilt boende")


def test_riket_is_never_called_rikssnittet():
    f = mf("U30453", 90, band="best", national_mean=75.2, position="far_above", riket=70.0, rank=3, n=125)
    for lang in ("sv", "en"):
        for text in (draft_area("x", [f], lang).text, draft_measure(f, lang).text):
            assert "riket" not in text.lower().replace("rikssnitt", "")
            assert "70" not in text  # the Riket value is not cited
    assert "rikssnittet" in draft_area("x", [f]).text
    assert "national average (90" in draft_area("x", [f], "en").text


# --- costs ---------------------------------------------------------------------------------------------------------


def test_cost_trend_in_one_sentence():
    fs = [
        changed("N30101", 3812, 3650, "increased", year=2021, previous_year=2020),
        changed("N20048", 251000, 245000, "increased", year=2021, previous_year=2020),
        changed("N11008", 150000, 155000, "decreased", year=2021, previous_year=2020),
    ]
    draft = draft_area("x", fs)
    assert texts(draft) == [
        "Kostnaderna för individ- och familjeomsorg och äldreomsorg (80+) har ökat mellan 2020 och 2021, medan"
        " kostnaden för förskola har minskat."
    ]
    assert draft.sentences[0].kpis == ("N30101", "N20048", "N11008")
    assert texts(draft_area("x", fs, "en")) == [
        "The costs of individual and family care and care for older people (aged 80+) have increased between 2020"
        " and 2021, while the cost of preschool has decreased."
    ]


def test_cost_unchanged_marked_and_mixed_periods():
    fs = [
        changed("N30101", 3650, 3650, "unchanged", year=2021, previous_year=2020),
        changed("N20048", 280000, 245000, "increased", year=2021, previous_year=2019, marked=True),
    ]
    assert texts(draft_area("x", fs)) == [
        "Kostnaden för äldreomsorg (80+) har ökat markant, medan kostnaden för individ- och familjeomsorg är"
        " oförändrad."
    ]
    assert texts(draft_area("x", fs, "en")) == [
        "The cost of care for older people (aged 80+) has increased markedly, while the cost of individual and"
        " family care is unchanged."
    ]


def test_costs_only_decreasing():
    fs = [
        changed("N30101", 3500, 3650, "decreased", year=2021, previous_year=2020),
        changed("N11008", 150000, 155000, "decreased", year=2021, previous_year=2020),
    ]
    assert texts(draft_area("x", fs)) == [
        "Kostnaderna för individ- och familjeomsorg och förskola har minskat mellan 2020 och 2021."
    ]


def test_cost_without_a_previous_value_is_not_in_the_cost_sentence():
    assert draft_area("x", [mf("N30101", 3812, year=2021)]).text.startswith("För området x")


def test_draft_measure_cost():
    f = changed(
        "N20048",
        245100,
        248000,
        "decreased",
        year=2021,
        previous_year=2020,
        national_mean=200000.0,
        position="far_above",
    )
    s = draft_measure(f)
    assert s.text == nbsp(
        "Kostnaden för äldreomsorg (80+) var 245~100~kr/inv 80+ år 2021. Den har minskat från 248~000~kr/inv 80+ år"
        " 2020 och ligger långt över rikssnittet (200~000~kr/inv 80+)."
    )
    assert s.numbers == (
        f"245{NBSP}100{NBSP}kr/inv 80+",
        f"248{NBSP}000{NBSP}kr/inv 80+",
        f"200{NBSP}000{NBSP}kr/inv 80+",
    )


# --- draft_measure -------------------------------------------------------------------------------------------------


def test_draft_measure_sv_and_en():
    f = changed(
        "U23401",
        77,
        80,
        "improved",
        band="middle",
        previous_band="middle",
        national_mean=53.0,
        position="far_above",
        rank=180,
        n=280,
    )
    s = draft_measure(f)
    assert isinstance(s, Sentence)
    assert s.text == nbsp(
        "Resultatet för väntetid i antal dagar från ansökningsdatum till första erbjudet inflyttningsdatum till"
        " särskilt boende var 77~dagar år 2022 och ligger bland de 50 procent mellersta kommunerna (plats 180 av"
        " 280). Det har förbättrats från 80~dagar år 2021 och ligger långt över rikssnittet (53~dagar)."
    )
    assert s.kpis == ("U23401",)
    assert s.numbers == (f"77{NBSP}dagar", "180", "280", f"80{NBSP}dagar", f"53{NBSP}dagar")
    assert draft_measure(f, "en").text == nbsp(
        "The result for waiting time in days from application to first offered moving-in date, residential care for"
        " older people was 77~days in 2022 and is among the middle 50 per cent of municipalities (rank 180 of 280)."
        " It has improved from 80~days in 2021 and is well above the national average (unweighted mean: 53~days)."
    )


def test_draft_measure_value_only_and_unchanged():
    assert draft_measure(mf("U23490", 0.0614)).text == (
        "Resultatet för sjuksköterskor/plats i boende för särskild service för äldre under vardagar var 0,061 år 2022."
    )
    f = changed("U21401", 19, 19, "unchanged", band="worst", national_mean=15.9, position="far_above")
    assert draft_measure(f).text.endswith(
        "ligger bland de 25 procent sämsta kommunerna. Det ligger kvar på samma nivå som 2021 och ligger långt över"
        " rikssnittet (16)."
    )
    assert draft_measure(f).numbers == ("19", "16")


def test_draft_measure_marked_percent_uses_decimals():
    f = changed("N15452", 72.45, 61.0, "improved", marked=True, band="best", previous_band="middle")
    assert draft_measure(f).text == (
        f"Resultatet för elever i åk 3 som klarat alla delprov i svenska, kommunala skolor var 72,5{NBSP}% år 2022"
        f" och ligger bland de 25 procent bästa kommunerna. Det har förbättrats markant från 61,0{NBSP}% år 2021."
    )


# --- helpers ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("label", "inline"),
    [
        ("Brukarbedömning hemtjänst äldreomsorg – helhetssyn", "brukarbedömning hemtjänst äldreomsorg – helhetssyn"),
        ("Åk 3 alla delprov svenska", "åk 3 alla delprov svenska"),
        ("LSS-boende, antal", "LSS-boende, antal"),
        ("IFO totalt", "IFO totalt"),
        ("NKI Bygglov", "NKI Bygglov"),
        ("Sveriges kommuner", "Sveriges kommuner"),
        ("Swedish tests", "Swedish tests"),
        ("E-tjänster", "e-tjänster"),
        ("väntetid", "väntetid"),
        ("", ""),
    ],
)
def test_inline_label(label, inline):
    assert inline_label(label) == inline


def test_join_list():
    assert join_list([], "och") == ""
    assert join_list(["A"], "och") == "A"
    assert join_list(["A", "B"], "och") == "A och B"
    assert join_list(["A", "B", "C"], "och") == "A, B och C"
    assert join_list(["A", "B", "C"], "and", oxford=True) == "A, B, and C"
    assert join_list(["A, x", "B", "C"], "och") == "A, x; B och C"
    assert join_list(["A, x", "B", "C"], "and", oxford=True) == "A, x; B; and C"


def test_unknown_language_raises():
    with pytest.raises(ValueError, match="unknown language"):
        draft_area("x", [], "de")
    with pytest.raises(ValueError, match="unknown language"):
        draft_measure(mf("U30453", 1), "fi")


def test_draft_text_joins_paragraphs_with_blank_lines():
    d = Draft(paragraphs=((Sentence("A."), Sentence("B.")), (Sentence("C."),)))
    assert d.text == "A. B.\n\nC."


# --- properties ------------------------------------------------------------------------------------------------------

ALL_BANDS = (*BANDS, "second", "third")
UNITS = (
    "percent",
    "days",
    "count",
    "ratio",
    "index",
    "kr_per_inhabitant",
    "kr_per_inhabitant_80plus",
    "kr_per_child",
    "kr_per_pupil",
    "per_1000",
    "hours_per_week",
    "something_new",
    "",
)
maybe_float = st.none() | st.floats(allow_nan=False, allow_infinity=False, min_value=-1e12, max_value=1e12)


@st.composite
def findings(draw, kpi: str | None = None) -> MeasureFinding:
    year = draw(st.integers(2010, 2030))
    return MeasureFinding(
        kpi=kpi or draw(st.sampled_from(sorted(MEASURES))),
        label=draw(st.sampled_from([m[0] for m in MEASURES.values()]) | st.text(max_size=30)),
        label_en=draw(st.sampled_from([m[1] for m in MEASURES.values()]) | st.text(max_size=30)),
        unit=draw(st.sampled_from(UNITS)),
        decimals=draw(st.integers(0, 3)),
        direction=draw(st.sampled_from(("higher", "lower", "none"))),
        is_cost=draw(st.booleans()),
        year=year,
        value=draw(maybe_float),
        missing_reason=draw(st.none() | st.sampled_from(["", "..", "-", ".", "Bortfall"])),
        previous_year=draw(st.none() | st.integers(2005, year)),
        previous_value=draw(maybe_float),
        change=draw(maybe_float),
        change_pct=draw(maybe_float),
        change_pp=draw(maybe_float),
        trend=draw(st.none() | st.sampled_from(TRENDS)),
        marked=draw(st.booleans()),
        band=draw(st.none() | st.sampled_from(ALL_BANDS)),
        previous_band=draw(st.none() | st.sampled_from(ALL_BANDS)),
        rank=draw(st.none() | st.integers(1, 290)),
        n=draw(st.integers(0, 290)),
        national_mean=draw(maybe_float),
        position=draw(st.none() | st.sampled_from(POSITIONS)),
        riket=draw(maybe_float),
    )


@st.composite
def finding_lists(draw) -> list[MeasureFinding]:
    kpis = draw(st.lists(st.sampled_from(sorted(MEASURES)), unique=True, max_size=8))
    return [draw(findings(kpi)) for kpi in kpis]


def _check_sentence(s: Sentence) -> None:
    assert s.text.strip()
    for number in s.numbers:
        assert number in s.text, (number, s.text)


@settings(max_examples=300, deadline=None)
@given(fs=finding_lists(), lang=st.sampled_from(["sv", "en"]), edition=st.none() | st.integers(2015, 2030))
def test_area_draft_properties(fs, lang, edition):
    draft = draft_area("Stöd och omsorg", fs, lang, edition)
    again = draft_area("Stöd och omsorg", [dataclasses.replace(f) for f in fs], lang, edition)
    assert draft == again  # deterministic
    assert draft.text
    for s in draft.sentences:
        _check_sentence(s)
    by_kpi = {f.kpi: f for f in fs}
    band_words = " bland de " if lang == "sv" else " among the "
    for s in draft.sentences:
        if band_words in s.text:  # a band sentence: every measure in it has a band
            assert all(by_kpi[k].band is not None and by_kpi[k].value is not None for k in s.kpis), s
    assert set(draft.kpis) <= set(by_kpi)
    missing = {f.kpi for f in fs if f.value is None}
    assert missing <= set(draft.kpis)  # every missing value is said


@settings(max_examples=300, deadline=None)
@given(f=findings(), lang=st.sampled_from(["sv", "en"]))
def test_measure_draft_properties(f, lang):
    s = draft_measure(f, lang)
    assert s == draft_measure(f, lang)
    _check_sentence(s)
    assert s.kpis == (f.kpi,)


@settings(max_examples=200, deadline=None)
@given(f=findings(), marked=st.booleans(), band=st.none() | st.sampled_from(BANDS))
def test_lower_is_better_improvement_is_never_an_increase(f, marked, band):
    kpi = "U23401"
    label, label_en, unit, decimals, _, _ = MEASURES[kpi]
    f = dataclasses.replace(
        f,
        kpi=kpi,
        label=label,
        label_en=label_en,
        unit=unit,
        decimals=decimals,
        direction="lower",
        is_cost=False,
        trend="improved",
        marked=marked,
        band=band,
        value=f.value if f.value is not None else 50.0,
    )
    for text in (draft_area("x", [f]).text, draft_measure(f).text):
        assert "har ökat" not in text
        assert "har förbättrats" in text
    for text in (draft_area("x", [f], "en").text, draft_measure(f, "en").text):
        assert "increased" not in text
        assert "has improved" in text


@settings(max_examples=100, deadline=None)
@given(fs=st.lists(findings(), max_size=6), lang=st.sampled_from(["sv", "en"]))
def test_area_draft_never_crashes_even_with_repeated_kpis(fs, lang):
    draft = draft_area("Samhälle och miljö", fs, lang)
    assert draft == draft_area("Samhälle och miljö", fs, lang)
    for s in draft.sentences:
        _check_sentence(s)
