"""core.goals_text: the words of the goal follow-up and the drafted text per goal (seed 002, Marks
kommun). Pure: no database."""

from __future__ import annotations

import re
import string

import pytest
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from kommunkvalitet.core import goals as g
from kommunkvalitet.core import goals_text
from kommunkvalitet.core.formatting import format_value
from kommunkvalitet.core.goals_text import (
    GoalDraft,
    GoalDraftInput,
    IndicatorLine,
    assessment_css,
    assessment_symbol,
    assessment_word,
    draft_goal,
    number_word,
    reason_text,
    target_text,
)

NBSP = "\u00a0"
C, K = g.COMMITTEE, g.KEY_FIGURE
REASON_OF = {
    g.MET: g.R_TARGET_MET,
    g.PARTLY_MET: g.R_WITHIN_TOLERANCE,
    g.NOT_MET: g.R_TARGET_NOT_MET,
    g.NOT_ASSESSABLE: g.R_NO_VALUE,
}


def line(
    name="Mått",
    column=C,
    value=90.0,
    assessment=g.MET,
    *,
    reason=None,
    unit="percent",
    decimals=0,
    kind=g.LEVEL,
    target=90.0,
    reference=None,
    name_en="",
    data_year=None,
    direction="",
) -> IndicatorLine:
    return IndicatorLine(
        name=name,
        name_en=name_en,
        column=column,
        value=value,
        unit=unit,
        decimals=decimals,
        target_kind=kind,
        target=target,
        reference=reference,
        assessment=assessment,
        reason=reason or REASON_OF[assessment],
        data_year=data_year,
        direction=direction,
    )


def draft_input(lines, decision: g.Decision | None = None, year=2017, children=()) -> GoalDraftInput:
    """The input as a page builds it: the lines' assessments through core.goals."""
    goals = [
        g.GoalInput(
            1,
            None,
            tuple(g.IndicatorInput(x.column, g.IndicatorResult(x.assessment, x.reason)) for x in lines),
            decision,
        )
    ]
    goals += [g.GoalInput(c, 1, (g.IndicatorInput(C, g.IndicatorResult(g.MET, g.R_TARGET_MET)),)) for c in children]
    return GoalDraftInput("Mål", g.assess_structure(goals)[1], tuple(lines), year)


def seed_lines() -> list[IndicatorLine]:
    """Mark 2017, goal 2 (seed 002): nine measures, five reach their target."""
    return [line(f"Mått {i}", C, 95, g.MET) for i in range(5)] + [line(f"Mått {i}", C, 50, g.NOT_MET) for i in range(4)]


def seed_key_figures() -> list[IndicatorLine]:
    """Three of Mark's KKiK 2017 key figures against rikssnittet (seed 002)."""
    kw = {"column": K, "kind": g.BETTER_THAN_NATIONAL, "target": None}
    return [
        line(
            "Personalkontinuitet hemtjänst",
            value=19,
            assessment=g.NOT_MET,
            reference=15,
            unit="count",
            direction="lower",
            **kw,
        ),
        line("Nöjdhet särskilt boende", value=81, assessment=g.NOT_MET, reference=83, direction="higher", **kw),
        line("Nöjdhet hemtjänst", value=94, assessment=g.MET, reference=92, direction="higher", **kw),
    ]


SEED_SENTENCE = "Av de totalt nio mått som används för att följa upp målet nås målnivåerna för fem av måtten."


# --- vocabulary ------------------------------------------------------------------------------------


class TestVocabulary:
    def test_words(self):
        assert [assessment_word(c) for c in g.ASSESSMENTS] == [
            "Uppfyllt",
            "Delvis uppfyllt",
            "Inte uppfyllt",
            "Kan inte bedömas",
        ]
        assert [assessment_word(c, "en") for c in g.ASSESSMENTS] == [
            "Met",
            "Partly met",
            "Not met",
            "Cannot be assessed",
        ]

    def test_every_word_symbol_and_class_is_distinct(self):
        for lang in ("sv", "en"):
            assert len({assessment_word(c, lang) for c in g.ASSESSMENTS}) == 4
        symbols = [assessment_symbol(c) for c in g.ASSESSMENTS]
        assert len(set(symbols)) == 4
        assert all(len(s) == 1 and not s.isspace() for s in symbols)
        assert "\u2013" not in symbols  # the en dash is a missing value in tables
        classes = [assessment_css(c) for c in g.ASSESSMENTS]
        assert len(set(classes)) == 4
        assert all(re.fullmatch(r"a-[a-z-]+", c) for c in classes)
        assert assessment_css(g.MET) == "a-met"

    def test_symbols_differ_in_shape(self):
        assert [assessment_symbol(c) for c in g.ASSESSMENTS] == ["\u25cf", "\u25d0", "\u25cb", "?"]

    @pytest.mark.parametrize("fn", [assessment_word, assessment_symbol, assessment_css])
    def test_unknown_assessment_raises(self, fn):
        with pytest.raises(ValueError):
            fn("great")

    def test_unknown_language_raises(self):
        with pytest.raises(ValueError):
            assessment_word(g.MET, "de")

    def test_every_reason_has_words(self):
        reasons = [v for k, v in vars(g).items() if k.startswith("R_")]
        assert len(reasons) >= 16
        for lang in ("sv", "en"):
            words = [reason_text(r, lang) for r in reasons]
            assert all(w and w != r for w, r in zip(words, reasons, strict=True))
            assert len(set(words)) == len(reasons)

    def test_reason_words(self):
        assert reason_text(g.R_NO_VALUE) == "värde saknas"
        assert reason_text(g.R_NO_TARGET) == "målnivå saknas"
        assert reason_text(g.R_NOT_PUBLISHED) == "uppgiften är inte publicerad ännu"
        assert reason_text(g.R_NOT_COMPARABLE) == "går inte att jämföra"
        assert reason_text(g.R_NO_PREVIOUS) == "inget tidigare värde"
        assert reason_text(g.R_TOO_FEW_ASSESSABLE) == "för få bedömbara indikatorer"
        assert reason_text(g.R_NO_INDICATORS) == "inga indikatorer"
        assert reason_text(g.R_NOT_PUBLISHED, "en") == "not published yet"
        assert reason_text("") == ""
        assert reason_text("new_reason") == "new_reason"

    def test_target_words(self):
        assert target_text(g.LEVEL, 90, "percent", 0) == f"målnivå 90{NBSP}%"
        assert target_text(g.LEVEL, 90, "percent", 0, "en") == "target 90%"
        assert target_text(g.LEVEL, 12.5, "days", 1) == f"målnivå 12,5{NBSP}dagar"
        assert target_text(g.LEVEL, None, "percent", 0) == "målnivå saknas"
        assert target_text(g.BETTER_THAN_NATIONAL) == "bättre än rikssnittet"
        assert target_text(g.BEST_25) == "bland de 25 procent bästa"
        assert target_text(g.NOT_WORST_25) == "inte bland de 25 procent sämsta"
        assert target_text(g.BETTER_THAN_SKR) == "bättre än kommungruppen"
        assert target_text(g.BETTER_THAN_SIMILAR) == "bättre än liknande kommuner"
        assert target_text(g.IMPROVED) == "bättre än föregående värde"

    def test_every_target_kind_has_distinct_words(self):
        for lang in ("sv", "en"):
            words = [target_text(k, 1, "", 0, lang) for k in g.TARGET_KINDS]
            assert len(set(words)) == len(g.TARGET_KINDS)
            assert all(w != k for w, k in zip(words, g.TARGET_KINDS, strict=True))

    def test_number_words(self):
        assert [number_word(n) for n in range(13)] == [
            "noll",
            "ett",
            "två",
            "tre",
            "fyra",
            "fem",
            "sex",
            "sju",
            "åtta",
            "nio",
            "tio",
            "elva",
            "tolv",
        ]
        assert number_word(1, neuter=False) == "en"
        assert number_word(13) == "13"
        assert number_word(12, "en") == "twelve"


# --- the draft -------------------------------------------------------------------------------------


class TestDraftSwedish:
    def test_seed_sentence(self):
        d = draft_goal(draft_input(seed_lines()))
        assert d.paragraphs[0] == SEED_SENTENCE

    def test_seed_with_key_figures_and_bullets(self):
        # As in the seed: nine committee measures (five met), then the key figures against the rikssnitt,
        # which the measures sentence does not count ("Övriga mått inom ... KKiK visar ...").
        d = draft_goal(draft_input(seed_lines() + seed_key_figures()))
        assert d.paragraphs[0] == SEED_SENTENCE
        assert d.paragraphs[1] == "Ett av de tre nyckeltalen är bättre än rikssnittet."
        assert d.bullets == (
            "Personalkontinuitet hemtjänst: 19, rikssnitt: 15",
            f"Nöjdhet särskilt boende: 81{NBSP}%, rikssnitt: 83{NBSP}%",
            f"Nöjdhet hemtjänst: 94{NBSP}%, rikssnitt: 92{NBSP}%",
        )

    def test_suggestion_sentence(self):
        d = draft_goal(draft_input(seed_lines()))
        assert d.paragraphs[-1] == "Reglernas förslag till sammanvägd bedömning är att målet är delvis uppfyllt."

    def test_decision_equal_to_the_suggestion(self):
        d = draft_goal(draft_input(seed_lines(), g.Decision(g.PARTLY_MET)))
        assert d.paragraphs[-1] == (
            "Den sammanvägda bedömningen är att målet är delvis uppfyllt, i enlighet med reglernas förslag."
        )

    def test_decision_differing_is_said_and_the_motivation_is_not_copied(self):
        motivation = "Nyckeltalen visar på kvalitetsbrister inom hemtjänsten."
        d = draft_goal(draft_input(seed_lines(), g.Decision(g.NOT_MET, motivation)))
        assert d.paragraphs[-1] == (
            "Den sammanvägda bedömningen är att målet inte är uppfyllt, vilket avviker från reglernas förslag "
            "att målet är delvis uppfyllt."
        )
        assert "kvalitetsbrister" not in d.text

    def test_one_of_the_measures(self):
        lines = [line(assessment=g.MET)] + [line(assessment=g.NOT_MET)] * 3
        assert draft_goal(draft_input(lines)).paragraphs[0] == (
            "Av de totalt fyra mått som används för att följa upp målet nås målnivån för ett av måtten."
        )

    def test_a_single_measure(self):
        assert draft_goal(draft_input([line(assessment=g.MET)])).paragraphs[0] == (
            "Målet följs upp med ett mått, som når sin målnivå."
        )
        assert draft_goal(draft_input([line(assessment=g.NOT_MET)])).paragraphs[0] == (
            "Målet följs upp med ett mått, som når inte sin målnivå."
        )
        na = line(value=None, assessment=g.NOT_ASSESSABLE, reason=g.R_NOT_PUBLISHED)
        assert draft_goal(draft_input([na])).paragraphs[0] == (
            "Målet följs upp med ett mått, som inte kan bedömas (uppgiften är inte publicerad ännu)."
        )

    def test_all_and_none_met(self):
        assert draft_goal(draft_input([line()] * 3)).paragraphs[0] == (
            "Av de totalt tre mått som används för att följa upp målet nås målnivåerna för samtliga mått."
        )
        assert draft_goal(draft_input([line()] * 2)).paragraphs[0].endswith("för båda måtten.")
        assert draft_goal(draft_input([line(assessment=g.NOT_MET)] * 2)).paragraphs[0] == (
            "Av de totalt två mått som används för att följa upp målet nås målnivån inte för något av måtten."
        )

    def test_partly_and_not_assessable_are_mentioned(self):
        lines = [
            line(),
            line(),
            line(assessment=g.NOT_MET),
            line(assessment=g.PARTLY_MET),
            line(assessment=g.PARTLY_MET),
            line(value=None, assessment=g.NOT_ASSESSABLE, reason=g.R_NOT_PUBLISHED),
        ]
        assert draft_goal(draft_input(lines)).paragraphs[0] == (
            "Av de totalt sex mått som används för att följa upp målet nås målnivåerna för två av måtten. "
            "För två av måtten nås målnivån delvis, och ett av måtten kan inte bedömas "
            "(uppgiften är inte publicerad ännu)."
        )

    def test_not_assessable_with_different_reasons_gives_none(self):
        lines = [
            line(),
            line(),
            line(),
            line(value=None, assessment=g.NOT_ASSESSABLE, reason=g.R_NO_VALUE),
            line(assessment=g.NOT_ASSESSABLE, reason=g.R_NO_TARGET, target=None),
        ]
        assert draft_goal(draft_input(lines)).paragraphs[0].endswith(" Två av måtten kan inte bedömas.")

    def test_none_can_be_assessed(self):
        lines = [line(value=None, assessment=g.NOT_ASSESSABLE)] * 3
        d = draft_goal(draft_input(lines))
        assert d.paragraphs[0] == (
            "Inget av de totalt tre mått som används för att följa upp målet kan bedömas (värde saknas)."
        )
        assert d.paragraphs[-1] == "Reglernas förslag till sammanvägd bedömning är att målet inte kan bedömas."

    def test_more_than_twelve_in_digits(self):
        lines = [line()] * 7 + [line(assessment=g.NOT_MET)] * 7
        assert draft_goal(draft_input(lines)).paragraphs[0] == (
            "Av de totalt 14 mått som används för att följa upp målet nås målnivåerna för sju av måtten."
        )

    def test_no_indicators(self):
        d = draft_goal(draft_input([]))
        assert d.paragraphs == ("Det finns inga mått som följer upp målet, vilket gör att målet inte kan bedömas.",)
        assert d.bullets == ()
        assert d.text == d.paragraphs[0]

    def test_no_indicators_but_a_decision(self):
        d = draft_goal(draft_input([], g.Decision(g.PARTLY_MET, "Familjecentrum har öppnat")))
        assert len(d.paragraphs) == 2
        assert "avviker från reglernas förslag att målet inte kan bedömas" in d.paragraphs[1]
        assert "Familjecentrum" not in d.text

    def test_no_indicators_but_subgoals(self):
        d = draft_goal(draft_input([], children=(2, 3)))
        assert d.paragraphs == (
            "Målet har inga egna mått och bedöms utifrån sina delmål. "
            "Reglernas förslag till sammanvägd bedömning är att målet är uppfyllt.",
        )

    def test_subgoals_feeding_are_mentioned(self):
        d = draft_goal(draft_input([line()], children=(2,)))
        assert d.paragraphs[0].endswith("Målets delmål räknas också in i bedömningen.")
        assert "delmål" not in draft_goal(draft_input([line()])).text


class TestKeyFigures:
    def test_bullet_without_value(self):
        kf = line("Nöjdhet LSS", K, None, g.NOT_ASSESSABLE, kind=g.BETTER_THAN_NATIONAL, reference=81)
        d = draft_goal(draft_input([kf]))
        assert d.bullets == (f"Nöjdhet LSS: uppgift saknas, rikssnitt: 81{NBSP}%",)
        assert draft_goal(draft_input([kf]), "en").bullets == ("Nöjdhet LSS: no data, national average: 81%",)

    def test_only_key_figures_with_a_reference_get_a_bullet(self):
        lines = [
            line("Egen", C, reference=None),
            line("Nyckeltal utan", K, reference=None),
            line("Med", K, reference=50),
        ]
        assert draft_goal(draft_input(lines)).bullets == (f"Med: 90{NBSP}%, rikssnitt: 50{NBSP}%",)

    def test_bullet_formats_with_unit_and_decimals(self):
        kf = line("Kostnad", K, 12345.67, g.MET, unit="kr_per_inhabitant", decimals=0, reference=10000.4)
        assert draft_goal(draft_input([kf])).bullets == (
            f"Kostnad: 12{NBSP}346{NBSP}kr/inv, rikssnitt: 10{NBSP}000{NBSP}kr/inv",
        )
        assert draft_goal(draft_input([kf]), "en").bullets == (
            f"Kostnad: SEK{NBSP}12,346{NBSP}per inhabitant, national average: SEK{NBSP}10,000{NBSP}per inhabitant",
        )

    def test_a_lagging_data_year_is_named(self):
        kf = line("Nöjdhet", K, 81, g.MET, reference=80, data_year=2016)
        assert draft_goal(draft_input([kf], year=2017)).bullets == (
            f"Nöjdhet: 81{NBSP}%, rikssnitt: 80{NBSP}% (avser 2016)",
        )
        assert draft_goal(draft_input([kf], year=2016)).bullets == (f"Nöjdhet: 81{NBSP}%, rikssnitt: 80{NBSP}%",)

    def test_english_name(self):
        kf = line("Nöjdhet", K, 81, g.MET, reference=80, name_en="Satisfaction")
        assert draft_goal(draft_input([kf]), "en").bullets == ("Satisfaction: 81%, national average: 80%",)
        assert draft_goal(draft_input([kf])).bullets[0].startswith("Nöjdhet:")

    def test_better_than_rikssnitt_by_direction(self):
        lines = [
            line("a", K, 10, g.MET, reference=15, direction="lower"),
            line("b", K, 20, g.MET, reference=15, direction="lower"),
            line("c", K, 20, g.MET, reference=15, direction="higher"),
            line("d", K, 15, g.MET, reference=15, direction="higher"),  # equal is not better
        ]
        assert draft_goal(draft_input(lines)).paragraphs[1] == "Två av de fyra nyckeltalen är bättre än rikssnittet."

    def test_better_than_rikssnitt_without_direction_uses_the_better_than_national_assessment(self):
        kw = {"column": K, "kind": g.BETTER_THAN_NATIONAL, "reference": 15}
        lines = [
            line("a", value=10, assessment=g.MET, **kw),
            line("b", value=20, assessment=g.NOT_MET, **kw),
            line("c", value=20, assessment=g.MET, column=K, kind=g.LEVEL, reference=15),  # cannot tell
        ]
        assert draft_goal(draft_input(lines)).paragraphs[1] == (
            "Ett av de två nyckeltal som går att jämföra med rikssnittet är bättre än det."
        )

    def test_rikssnitt_sentence_variants(self):
        def sentence(*pairs, lang="sv"):
            lines = [line(f"k{i}", K, v, g.MET, reference=r, direction="higher") for i, (v, r) in enumerate(pairs)]
            return draft_goal(draft_input(lines), lang).paragraphs[1]

        assert sentence((2, 1)) == "Nyckeltalet är bättre än rikssnittet."
        assert sentence((1, 2)) == "Nyckeltalet är inte bättre än rikssnittet."
        assert sentence((2, 1), (3, 1)) == "Båda nyckeltalen är bättre än rikssnittet."
        assert sentence((2, 1), (3, 1), (4, 1)) == "Alla tre nyckeltal är bättre än rikssnittet."
        assert sentence((1, 2), (1, 3)) == "Inget av de två nyckeltalen är bättre än rikssnittet."
        assert sentence((2, 1), lang="en") == "The key figure is better than the national average."
        assert sentence((2, 1), (1, 3), (1, 3), lang="en") == (
            "One of the three key figures is better than the national average."
        )

    def test_no_reference_no_sentence(self):
        d = draft_goal(draft_input([line("k", K, 90, g.MET)]))
        assert len(d.paragraphs) == 2 and "rikssnitt" not in d.text


class TestDraftEnglish:
    def test_seed(self):
        d = draft_goal(draft_input(seed_lines()), "en")
        assert d.paragraphs[0] == "Of the nine measures in total used to follow up the goal, five reach their targets."
        assert d.paragraphs[-1] == "The rules' suggestion for the combined assessment is that the goal is partly met."

    def test_singular(self):
        lines = [line(assessment=g.MET)] + [line(assessment=g.NOT_MET)] * 2 + [line(assessment=g.PARTLY_MET)]
        assert draft_goal(draft_input(lines), "en").paragraphs[0] == (
            "Of the four measures in total used to follow up the goal, one reaches its target. "
            "One of the measures partly reaches its target."
        )
        assert draft_goal(draft_input([line()]), "en").paragraphs[0] == (
            "The goal is followed up by one measure, which reaches its target."
        )

    def test_not_assessable(self):
        lines = [line(), line(), line(value=None, assessment=g.NOT_ASSESSABLE)]
        assert draft_goal(draft_input(lines), "en").paragraphs[0] == (
            "Of the three measures in total used to follow up the goal, two reach their targets. "
            "One of the measures cannot be assessed (no value)."
        )

    def test_decision_differs(self):
        d = draft_goal(draft_input(seed_lines(), g.Decision(g.NOT_MET, "Quality problems")), "en")
        assert d.paragraphs[-1] == (
            "The combined assessment is that the goal is not met, which differs from the rules' suggestion "
            "that the goal is partly met."
        )
        assert "Quality" not in d.text

    def test_no_indicators(self):
        assert draft_goal(draft_input([]), "en").text == (
            "There are no measures that follow up the goal, so the goal cannot be assessed."
        )

    def test_unknown_language(self):
        with pytest.raises(ValueError):
            draft_goal(draft_input([line()]), "de")


def test_text_is_markdown_paragraphs_then_bullets():
    d = GoalDraft(("Ett.", "Två."), ("a: 1", "b: 2"))
    assert d.text == "Ett.\n\nTvå.\n\n- a: 1\n- b: 2"
    assert GoalDraft(("Ett.",), ()).text == "Ett."


# --- property: every number in the draft is a number the page shows -------------------------------

NUMBER = re.compile(r"\d+(?:[\u00a0.,]\d+)*")
UNITS = ("percent", "count", "days", "kr_per_inhabitant", "per_1000", "")
values = st.one_of(st.none(), st.floats(min_value=-1e7, max_value=1e7, allow_nan=False))
names = st.text(alphabet=string.ascii_letters + "åäöÅÄÖ -/", min_size=1, max_size=20).filter(str.strip)

lines_st = st.builds(
    IndicatorLine,
    name=names,
    name_en=st.one_of(st.just(""), names),
    column=st.sampled_from((C, K)),
    value=values,
    unit=st.sampled_from(UNITS),
    decimals=st.integers(0, 2),
    target_kind=st.sampled_from(g.TARGET_KINDS),
    target=values,
    reference=values,
    assessment=st.sampled_from(g.ASSESSMENTS),
    reason=st.sampled_from([v for k, v in vars(g).items() if k.startswith("R_")]),
    data_year=st.one_of(st.none(), st.integers(2010, 2030)),
    direction=st.sampled_from(("higher", "lower", "none", "")),
)


@hsettings(max_examples=200, deadline=None)
@given(
    st.lists(lines_st, max_size=16),
    st.one_of(st.none(), st.sampled_from(g.ASSESSMENTS)),
    st.sampled_from(("sv", "en")),
    st.lists(st.integers(2, 5), max_size=2, unique=True),
)
def test_every_number_in_the_draft_is_shown_on_the_page(lines, decided, lang, children):
    motivation = "motivering 4711"
    decision = g.Decision(decided, motivation) if decided else None
    goal = draft_input(lines, decision, year=2024, children=children)
    d = draft_goal(goal, lang)
    shown = set()
    for x in lines:
        for v in (x.value, x.target, x.reference):
            shown.update(NUMBER.findall(format_value(v, x.unit, x.decimals, lang)))
    counts = {str(n) for n in range(len(lines) + 1)}
    years = {str(x.data_year) for x in lines if x.data_year is not None} | {"2024"}
    for number in NUMBER.findall(d.text):
        assert number in shown | counts | years, (number, d.text)
    assert "4711" not in d.text
    assert d.paragraphs and all(p.strip() == p and p.endswith(".") for p in d.paragraphs)
    assert len(d.bullets) == sum(1 for x in lines if x.column == K and x.reference is not None)


class TestColumnAndRuleWords:
    def test_the_rule_in_words(self):
        assert goals_text.rule_text(g.DEFAULT_RULE) == (
            f"andel ≥ 75{NBSP}% Uppfyllt, ≥ 50{NBSP}% Delvis; minst 50{NBSP}% av indikatorerna måste kunna bedömas"
        )
        assert goals_text.rule_text(g.GoalRule(g.RULE_ALL), "en").startswith("every assessable indicator")

    def test_a_column_says_how_many_reach_their_target(self):
        result = g.assess_goal([g.MET] * 5 + [g.NOT_MET] * 4)
        text = goals_text.column_text(result, g.COMMITTEE, g.DEFAULT_RULE, False)
        assert text.startswith("5 av 9 indikatorer når målnivån (regel: andel")
        mixed = g.assess_goal([g.PARTLY_MET, g.PARTLY_MET, g.NOT_ASSESSABLE])
        assert goals_text.column_text(mixed, g.KEY_FIGURE, g.DEFAULT_RULE, True).startswith(
            "0 av 2 nyckeltal och delmål når målnivån, 2 delvis; 1 kan inte bedömas (regel:"
        )
        one = g.assess_goal([g.MET, g.NOT_MET])
        assert goals_text.column_text(one, g.COMMITTEE, g.DEFAULT_RULE, False, "en").startswith(
            "1 of 2 indicators reaches its target"
        )

    def test_a_column_without_indicators_gives_the_reason(self):
        assert goals_text.column_text(g.NO_INDICATORS, g.KEY_FIGURE, g.DEFAULT_RULE, False) == "Inga indikatorer."
