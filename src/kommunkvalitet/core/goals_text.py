"""Words for the goal follow-up (core.goals), shared by the pages, the JSON and the drafted texts, and
the drafted text per goal in Swedish and English. Pure: no Django, no I/O.

Vocabulary: every assessment code has a Swedish and an English word, a symbol that differs in shape
(not only in colour: ● ◐ ○ ?, all in the DejaVu fonts) and a CSS class; every reason code and every
target kind has a short phrase.

The draft (:func:`draft_goal`) follows the goal follow-up of Marks kommun (seed 002): "Av de totalt
nio mått som används för att följa upp målet nås målnivåerna för fem av måtten.", then how many key
figures are better than rikssnittet, then one sentence with the rules' suggestion for the combined
assessment and the decision, if any, and last the key figures as a list: "Personalkontinuitet
hemtjänst: 19, rikssnitt: 15". It cites only numbers the page shows: values, references and counts
(counts up to twelve as words). It never copies a decision's motivation: that is the person's own text.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from kommunkvalitet.core import goals as g
from kommunkvalitet.core.formatting import format_value, missing_text

LANGS = ("sv", "en")

# --- vocabulary -----------------------------------------------------------------------------------

_ASSESSMENT_WORDS = {
    g.MET: ("Uppfyllt", "Met"),
    g.PARTLY_MET: ("Delvis uppfyllt", "Partly met"),
    g.NOT_MET: ("Inte uppfyllt", "Not met"),
    g.NOT_ASSESSABLE: ("Kan inte bedömas", "Cannot be assessed"),
}
# Filled, half-filled and empty circle; a question mark for "cannot be assessed" (not the en dash,
# which tables use for a missing value).
_SYMBOLS = {g.MET: "\u25cf", g.PARTLY_MET: "\u25d0", g.NOT_MET: "\u25cb", g.NOT_ASSESSABLE: "?"}
_CSS = {g.MET: "a-met", g.PARTLY_MET: "a-partly-met", g.NOT_MET: "a-not-met", g.NOT_ASSESSABLE: "a-not-assessable"}

_REASONS = {
    g.R_TARGET_MET: ("målnivån nås", "the target is reached"),
    g.R_WITHIN_TOLERANCE: ("nära målnivån, inom toleransen", "close to the target, within the tolerance"),
    g.R_TARGET_NOT_MET: ("målnivån nås inte", "the target is not reached"),
    g.R_MIDDLE_BAND: (
        "varken bland de 25 procent bästa eller de 25 procent sämsta",
        "neither among the best 25 per cent nor the worst 25 per cent",
    ),
    g.R_NO_VALUE: ("värde saknas", "no value"),
    g.R_NO_TARGET: ("målnivå saknas", "no target level"),
    g.R_NOT_PUBLISHED: ("uppgiften är inte publicerad ännu", "not published yet"),
    g.R_NOT_COMPARABLE: ("går inte att jämföra", "cannot be compared"),
    g.R_NO_PREVIOUS: ("inget tidigare värde", "no earlier value"),
    g.R_NO_INDICATORS: ("inga indikatorer", "no indicators"),
    g.R_TOO_FEW_ASSESSABLE: ("för få bedömbara indikatorer", "too few indicators can be assessed"),
    g.R_SHARE: ("andelen indikatorer som når målnivån", "the share of indicators that reach their target"),
    g.R_ALL: ("alla indikatorer ska nå målnivån", "every indicator must reach its target"),
    g.R_BOTH_AGREE: ("båda bedömningarna är lika", "both assessments agree"),
    g.R_ONLY_ONE: ("bara den ena bedömningen kan göras", "only one of the assessments can be made"),
    g.R_CAUTIOUS: (
        "bedömningarna skiljer sig, den försiktigare gäller",
        "the assessments differ, the more cautious applies",
    ),
}

_TARGETS = {
    g.BETTER_THAN_NATIONAL: ("bättre än rikssnittet", "better than the national average"),
    g.BEST_25: ("bland de 25 procent bästa", "among the best 25 per cent"),
    g.NOT_WORST_25: ("inte bland de 25 procent sämsta", "not among the worst 25 per cent"),
    g.BETTER_THAN_SKR: ("bättre än kommungruppen", "better than the municipality group"),
    g.BETTER_THAN_SIMILAR: ("bättre än liknande kommuner", "better than similar municipalities"),
    g.IMPROVED: ("bättre än föregående värde", "better than the previous value"),
}


def _k(lang: str) -> int:
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r}; expected one of {LANGS}")
    return LANGS.index(lang)


def _known(code: str) -> str:
    if code not in _ASSESSMENT_WORDS:
        raise ValueError(f"unknown assessment {code!r}; expected one of {g.ASSESSMENTS}")
    return code


def assessment_word(code: str, lang: str = "sv") -> str:
    """ "Uppfyllt", "Delvis uppfyllt", "Inte uppfyllt", "Kan inte bedömas" (English "Met", "Partly met",
    "Not met", "Cannot be assessed")."""
    return _ASSESSMENT_WORDS[_known(code)][_k(lang)]


def assessment_symbol(code: str) -> str:
    """A symbol that differs in shape: ● met, ◐ partly met, ○ not met, ? cannot be assessed."""
    return _SYMBOLS[_known(code)]


def assessment_css(code: str) -> str:
    """The CSS class of an assessment: "a-met", "a-partly-met", "a-not-met", "a-not-assessable"."""
    return _CSS[_known(code)]


def reason_text(code: str, lang: str = "sv") -> str:
    """A short phrase for a reason code ("värde saknas", "målnivå saknas" ...); "" for no reason, and
    an unknown code as it is (a new reason never breaks a page)."""
    k = _k(lang)
    if not code:
        return ""
    return _REASONS[code][k] if code in _REASONS else code


def target_text(kind: str, target: float | None = None, unit: str = "", decimals: int = 0, lang: str = "sv") -> str:
    """What the indicator is held against: "målnivå 90 %" / "target 90%" (kind "level"; "målnivå saknas"
    without a target), "bättre än rikssnittet", "bland de 25 procent bästa" ... An unknown kind as it is."""
    k = _k(lang)
    if kind == g.LEVEL:
        if target is None or not math.isfinite(target):
            return _REASONS[g.R_NO_TARGET][k]
        return ("målnivå ", "target ")[k] + format_value(target, unit, decimals, lang)
    return _TARGETS[kind][k] if kind in _TARGETS else kind


# --- numbers as words -----------------------------------------------------------------------------

_SV_NUMBERS = ("noll", "ett", "två", "tre", "fyra", "fem", "sex", "sju", "åtta", "nio", "tio", "elva", "tolv")
_EN_NUMBERS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve")


def number_word(n: int, lang: str = "sv", neuter: bool = True) -> str:
    """0-12 as a word ("ett"/"en" for one in Swedish, by the noun's gender), larger numbers as digits."""
    k = _k(lang)
    if 0 <= n <= 12:
        if k == 0 and n == 1 and not neuter:
            return "en"
        return (_SV_NUMBERS, _EN_NUMBERS)[k][n]
    return str(n)


# --- the draft --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class IndicatorLine:
    """One indicator of a goal as the draft needs it (its assessment already made by core.goals)."""

    name: str  # Swedish name/short label as used in running text and the bullet list
    name_en: str  # English name ('' -> use name)
    column: str  # core.goals.COMMITTEE or core.goals.KEY_FIGURE
    value: float | None
    unit: str  # unit code for core.formatting.format_value (percent, count, days, ... or '')
    decimals: int
    target_kind: str  # one of core.goals.TARGET_KINDS
    target: float | None  # the level target (target_kind 'level')
    reference: float | None  # the rikssnitt (national mean) for a key figure, else None
    assessment: str  # code
    reason: str  # code
    data_year: int | None = None
    # "higher" | "lower" | "none" | "" (unknown): which side of rikssnittet is better. Unknown: only a
    # key figure whose target is "better than rikssnittet" is counted, by its assessment.
    direction: str = ""


@dataclass(frozen=True)
class GoalDraftInput:
    title: str
    assessment: g.GoalAssessment  # committee, key_figures, suggestion, decision ...
    indicators: tuple[IndicatorLine, ...]
    year: int


@dataclass(frozen=True)
class GoalDraft:
    paragraphs: tuple[str, ...]
    bullets: tuple[str, ...]  # the key-figure list

    @property
    def text(self) -> str:
        """Markdown: the paragraphs separated by blank lines, then the bullets as "- " lines."""
        parts = list(self.paragraphs)
        if self.bullets:
            parts.append("\n".join(f"- {b}" for b in self.bullets))
        return "\n\n".join(parts)


def _finite(x: float | None) -> bool:
    return x is not None and math.isfinite(x)


def _better_than_reference(line: IndicatorLine) -> bool | None:
    """True/False: the value is (not) better than the rikssnitt; None: cannot tell."""
    value, reference = line.value, line.reference
    if value is None or reference is None or not (math.isfinite(value) and math.isfinite(reference)):
        return None
    if line.direction in ("higher", "lower"):
        gap = value - reference
        return gap > 0 if line.direction == "higher" else gap < 0
    judged = line.reason in (g.R_TARGET_MET, g.R_TARGET_NOT_MET, g.R_WITHIN_TOLERANCE)
    if not line.direction and line.target_kind == g.BETTER_THAN_NATIONAL and judged:
        return line.assessment == g.MET
    return None


# The reasons an indicator cannot be assessed, named in parentheses when all such indicators share one.
_NOT_ASSESSABLE_REASONS = (g.R_NO_VALUE, g.R_NO_TARGET, g.R_NOT_PUBLISHED, g.R_NOT_COMPARABLE, g.R_NO_PREVIOUS)


def _common_reason(lines: list[IndicatorLine]) -> str:
    reasons = {line.reason for line in lines}
    reason = next(iter(reasons)) if len(reasons) == 1 else ""
    return reason if reason in _NOT_ASSESSABLE_REASONS else ""


# Swedish ---------------------------------------------------------------------------------------------

_SV_CLAUSE = {
    g.MET: "att målet är uppfyllt",
    g.PARTLY_MET: "att målet är delvis uppfyllt",
    g.NOT_MET: "att målet inte är uppfyllt",
    g.NOT_ASSESSABLE: "att målet inte kan bedömas",
}


def _sv(n: int) -> str:
    return number_word(n, "sv")


def _sv_cap(n: int) -> str:
    w = _sv(n)
    return w[:1].upper() + w[1:]


def _sv_measures(lines: list[IndicatorLine]) -> list[str]:
    n = len(lines)
    met = sum(1 for x in lines if x.assessment == g.MET)
    partly = sum(1 for x in lines if x.assessment == g.PARTLY_MET)
    na_lines = [x for x in lines if x.assessment not in g.ASSESSABLE]
    na = len(na_lines)
    why = reason_text(_common_reason(na_lines), "sv")
    why = f" ({why})" if why else ""
    if n == 1:
        verb = {
            g.MET: "når sin målnivå",
            g.PARTLY_MET: "når delvis sin målnivå",
            g.NOT_MET: "når inte sin målnivå",
        }.get(lines[0].assessment, f"inte kan bedömas{why}")
        return [f"Målet följs upp med ett mått, som {verb}."]
    head = f"Av de totalt {_sv(n)} mått som används för att följa upp målet"
    if na == n:
        return [f"Inget av de totalt {_sv(n)} mått som används för att följa upp målet kan bedömas{why}."]
    if met == n:
        tail = "båda måtten" if n == 2 else "samtliga mått"
        return [f"{head} nås målnivåerna för {tail}."]
    if met == 0:
        first = f"{head} nås målnivån inte {'helt ' if partly else ''}för något av måtten."
    elif met == 1:
        first = f"{head} nås målnivån för ett av måtten."
    else:
        first = f"{head} nås målnivåerna för {_sv(met)} av måtten."
    out = [first]
    partly_txt = f"för {_sv(partly)} av måtten nås målnivån delvis" if partly else ""
    na_txt = f"{_sv(na)} av måtten kan inte bedömas{why}" if na else ""
    if partly and na:
        out.append(f"{partly_txt[:1].upper()}{partly_txt[1:]}, och {na_txt}.")
    elif partly:
        out.append(f"{partly_txt[:1].upper()}{partly_txt[1:]}.")
    elif na:
        out.append(f"{na_txt[:1].upper()}{na_txt[1:]}.")
    return out


def _sv_reference(key_lines: list[IndicatorLine]) -> str:
    with_ref = [x for x in key_lines if _finite(x.reference)]
    if not with_ref:
        return ""
    judged = [b for b in (_better_than_reference(x) for x in with_ref) if b is not None]
    c, b = len(judged), sum(judged)
    if c == 0:
        return ""
    if c == len(key_lines):
        if c == 1:
            return "Nyckeltalet är bättre än rikssnittet." if b else "Nyckeltalet är inte bättre än rikssnittet."
        if b == 0:
            return f"Inget av de {_sv(c)} nyckeltalen är bättre än rikssnittet."
        if b == c:
            return (
                "Båda nyckeltalen är bättre än rikssnittet."
                if c == 2
                else f"Alla {_sv(c)} nyckeltal är bättre än rikssnittet."
            )
        return f"{_sv_cap(b)} av de {_sv(c)} nyckeltalen är bättre än rikssnittet."
    if c == 1:
        verb = "är" if b else "är inte"
        return f"Ett av nyckeltalen går att jämföra med rikssnittet, och det {verb} bättre än rikssnittet."
    if b == 0:
        return f"Inget av de {_sv(c)} nyckeltal som går att jämföra med rikssnittet är bättre än det."
    if b == c:
        return f"Alla {_sv(c)} nyckeltal som går att jämföra med rikssnittet är bättre än det."
    return f"{_sv_cap(b)} av de {_sv(c)} nyckeltal som går att jämföra med rikssnittet är bättre än det."


def _sv_decision(a: g.GoalAssessment) -> str:
    suggestion = _SV_CLAUSE[a.suggestion]
    if a.decision is None:
        return f"Reglernas förslag till sammanvägd bedömning är {suggestion}."
    decided = _SV_CLAUSE[a.decision.assessment]
    if a.decision_differs:
        return f"Den sammanvägda bedömningen är {decided}, vilket avviker från reglernas förslag {suggestion}."
    return f"Den sammanvägda bedömningen är {decided}, i enlighet med reglernas förslag."


# English ---------------------------------------------------------------------------------------------

_EN_CLAUSE = {
    g.MET: "the goal is met",
    g.PARTLY_MET: "the goal is partly met",
    g.NOT_MET: "the goal is not met",
    g.NOT_ASSESSABLE: "the goal cannot be assessed",
}


def _en(n: int) -> str:
    return number_word(n, "en")


def _en_cap(n: int) -> str:
    w = _en(n)
    return w[:1].upper() + w[1:]


def _en_measures(lines: list[IndicatorLine]) -> list[str]:
    n = len(lines)
    met = sum(1 for x in lines if x.assessment == g.MET)
    partly = sum(1 for x in lines if x.assessment == g.PARTLY_MET)
    na_lines = [x for x in lines if x.assessment not in g.ASSESSABLE]
    na = len(na_lines)
    why = reason_text(_common_reason(na_lines), "en")
    why = f" ({why})" if why else ""
    if n == 1:
        verb = {
            g.MET: "reaches its target",
            g.PARTLY_MET: "partly reaches its target",
            g.NOT_MET: "does not reach its target",
        }.get(lines[0].assessment, f"cannot be assessed{why}")
        return [f"The goal is followed up by one measure, which {verb}."]
    head = f"Of the {_en(n)} measures in total used to follow up the goal,"
    if na == n:
        return [f"None of the {_en(n)} measures in total used to follow up the goal can be assessed{why}."]
    if met == n:
        tail = "both reach their targets" if n == 2 else f"all {_en(n)} reach their targets"
        return [f"{head} {tail}."]
    if met == 0:
        first = f"{head} none {'fully ' if partly else ''}reaches its target."
    elif met == 1:
        first = f"{head} one reaches its target."
    else:
        first = f"{head} {_en(met)} reach their targets."
    out = [first]
    partly_txt = (
        f"{_en_cap(partly)} of the measures {'partly reaches its target' if partly == 1 else 'partly reach their targets'}"
        if partly
        else ""
    )
    na_txt = f"{_en(na) if partly else _en_cap(na)} of the measures cannot be assessed{why}" if na else ""
    if partly and na:
        out.append(f"{partly_txt}, and {na_txt}.")
    elif partly or na:
        out.append(f"{partly_txt or na_txt}.")
    return out


def _en_reference(key_lines: list[IndicatorLine]) -> str:
    with_ref = [x for x in key_lines if _finite(x.reference)]
    judged = [b for b in (_better_than_reference(x) for x in with_ref) if b is not None]
    c, b = len(judged), sum(judged)
    if c == 0:
        return ""
    if c == len(key_lines):
        if c == 1:
            return f"The key figure is {'' if b else 'not '}better than the national average."
        if b == 0:
            return f"None of the {_en(c)} key figures is better than the national average."
        if b == c:
            return (
                "Both key figures are better than the national average."
                if c == 2
                else f"All {_en(c)} key figures are better than the national average."
            )
        verb = "is" if b == 1 else "are"
        return f"{_en_cap(b)} of the {_en(c)} key figures {verb} better than the national average."
    if c == 1:
        return (
            "One of the key figures can be compared with the national average, and it is "
            f"{'' if b else 'not '}better than it."
        )
    if b == 0:
        return f"None of the {_en(c)} key figures that can be compared with the national average is better than it."
    if b == c:
        return f"All {_en(c)} key figures that can be compared with the national average are better than it."
    verb = "is" if b == 1 else "are"
    return f"{_en_cap(b)} of the {_en(c)} key figures that can be compared with the national average {verb} better than it."


def _en_decision(a: g.GoalAssessment) -> str:
    suggestion = _EN_CLAUSE[a.suggestion]
    if a.decision is None:
        return f"The rules' suggestion for the combined assessment is that {suggestion}."
    decided = _EN_CLAUSE[a.decision.assessment]
    if a.decision_differs:
        return f"The combined assessment is that {decided}, which differs from the rules' suggestion that {suggestion}."
    return f"The combined assessment is that {decided}, as the rules suggest."


@dataclass(frozen=True)
class _Words:
    measures: Callable[[list[IndicatorLine]], list[str]]
    reference: Callable[[list[IndicatorLine]], str]
    decision: Callable[[g.GoalAssessment], str]
    none: str
    subgoals_only: str
    subgoals_too: str
    reference_word: str
    data_year: str


_TEXTS = {
    "sv": _Words(
        measures=_sv_measures,
        reference=_sv_reference,
        decision=_sv_decision,
        none="Det finns inga mått som följer upp målet, vilket gör att målet inte kan bedömas.",
        subgoals_only="Målet har inga egna mått och bedöms utifrån sina delmål.",
        subgoals_too="Målets delmål räknas också in i bedömningen.",
        reference_word="rikssnitt",
        data_year="avser {}",
    ),
    "en": _Words(
        measures=_en_measures,
        reference=_en_reference,
        decision=_en_decision,
        none="There are no measures that follow up the goal, so the goal cannot be assessed.",
        subgoals_only="The goal has no measures of its own and is assessed from its sub-goals.",
        subgoals_too="The goal's sub-goals also count in the assessment.",
        reference_word="national average",
        data_year="refers to {}",
    ),
}


def _bullet(line: IndicatorLine, year: int, lang: str) -> str:
    t = _TEXTS[lang]
    name = (line.name_en or line.name) if lang == "en" else line.name
    value = format_value(line.value, line.unit, line.decimals, lang) if _finite(line.value) else missing_text(lang)
    reference = format_value(line.reference, line.unit, line.decimals, lang)
    when = f" ({t.data_year.format(line.data_year)})" if line.data_year is not None and line.data_year != year else ""
    return f"{name}: {value}, {t.reference_word}: {reference}{when}"


def _fed_by_subgoals(goal: GoalDraftInput) -> bool:
    """True when the goal has sub-goals and its columns count more items than its own indicators."""
    a = goal.assessment
    if not a.children:
        return False
    own = {name: sum(1 for x in goal.indicators if x.column == name) for name in (g.COMMITTEE, g.KEY_FIGURE)}
    return a.committee.n > own[g.COMMITTEE] or a.key_figures.n > own[g.KEY_FIGURE]


def draft_goal(goal: GoalDraftInput, lang: str = "sv") -> GoalDraft:
    """The drafted text of one goal (a starting point that a person edits): the measures that reach
    their target, the key figures against rikssnittet, the rules' suggestion and the decision, and the
    key figures as a list "<name>: <value>, rikssnitt: <reference>"."""
    _k(lang)
    t = _TEXTS[lang]
    a = goal.assessment
    lines = list(goal.indicators)
    key_lines = [x for x in lines if x.column == g.KEY_FIGURE]
    paragraphs: list[str] = []
    fed = _fed_by_subgoals(goal)
    if not lines:
        if fed:
            paragraphs.append(f"{t.subgoals_only} {t.decision(a)}")
        else:
            paragraphs.append(t.none)
            if a.decision is not None:
                paragraphs.append(t.decision(a))
        return GoalDraft(tuple(paragraphs), ())
    # The measures sentence counts the indicators held against a target of their own; key figures held
    # against the rikssnitt are the next sentence's (as in the seed: "nio mått ... fem av måtten", then
    # the key figures against riksmedel).
    measured = [x for x in lines if x.column == g.COMMITTEE or x.target_kind != g.BETTER_THAN_NATIONAL]
    first = t.measures(measured) if measured else []
    if fed:
        first.append(t.subgoals_too)
    if first:
        paragraphs.append(" ".join(first))
    reference = t.reference(key_lines)
    if reference:
        paragraphs.append(reference)
    paragraphs.append(t.decision(a))
    bullets = tuple(_bullet(x, goal.year, lang) for x in key_lines if _finite(x.reference))
    return GoalDraft(tuple(paragraphs), bullets)


# --- a goal's columns and rule in words (the report's "why") -------------------------------------------


def _percent(x: float, lang: str) -> str:
    return format_value(x * 100, "percent", 0, lang)


def rule_text(rule: g.GoalRule, lang: str = "sv") -> str:
    """The rule in words: "andel ≥ 75 % Uppfyllt, ≥ 50 % Delvis; minst 50 % av indikatorerna måste kunna
    bedömas" / "share ≥ 75% Met, ≥ 50% Partly met; at least 50% of the indicators must be assessable"."""
    k = _k(lang)
    if rule.kind == g.RULE_ALL:
        text = (
            "alla bedömbara indikatorer ska nå målnivån för Uppfyllt; ingen: Inte uppfyllt; annars Delvis",
            "every assessable indicator must reach its target for Met; none: Not met; otherwise Partly met",
        )[k]
    else:
        what = (("viktad andel", "weighted share") if rule.kind == g.RULE_WEIGHTED else ("andel", "share"))[k]
        met, partly = _percent(rule.met_share, lang), _percent(rule.partly_share, lang)
        text = (f"{what} ≥ {met} Uppfyllt, ≥ {partly} Delvis", f"{what} ≥ {met} Met, ≥ {partly} Partly met")[k]
    least = _percent(rule.min_assessable_share, lang)
    return (
        text
        + (
            f"; minst {least} av indikatorerna måste kunna bedömas",
            f"; at least {least} of the indicators must be assessable",
        )[k]
    )


def column_text(result: g.GoalResult, column: str, rule: g.GoalRule, with_subgoals: bool, lang: str = "sv") -> str:
    """Why a goal's column (``core.goals.COMMITTEE`` or ``KEY_FIGURE``) has its assessment: "5 av 9
    indikatorer når målnivån (regel: ...)." Counts are digits: they sit beside a table of the same."""
    k = _k(lang)
    if result.reason in (g.R_SHARE, g.R_ALL):
        nouns = {
            (g.COMMITTEE, False): ("indikatorer", "indicators"),
            (g.COMMITTEE, True): ("indikatorer och delmål", "indicators and sub-goals"),
            (g.KEY_FIGURE, False): ("nyckeltal", "key figures"),
            (g.KEY_FIGURE, True): ("nyckeltal och delmål", "key figures and sub-goals"),
        }
        noun = nouns[(column, with_subgoals)][k]
        verb = ("når målnivån", "reach their target")[k] if result.n_met != 1 or k == 0 else "reaches its target"
        parts = [f"{result.n_met} {('av', 'of')[k]} {result.n_assessable} {noun} {verb}"]
        if result.n_partly:
            parts.append((f"{result.n_partly} delvis", f"{result.n_partly} partly")[k])
        text = ", ".join(parts)
        left_out = result.n - result.n_assessable
        if left_out:
            text += (f"; {left_out} kan inte bedömas", f"; {left_out} cannot be assessed")[k]
        return f"{text[:1].upper()}{text[1:]} ({('regel', 'rule')[k]}: {rule_text(rule, lang)})."
    if result.reason == g.R_TOO_FEW_ASSESSABLE:
        return (
            f"Bara {result.n_assessable} av {result.n} kan bedömas (regel: {rule_text(rule, lang)}).",
            f"Only {result.n_assessable} of {result.n} can be assessed (rule: {rule_text(rule, lang)}).",
        )[k]
    text = reason_text(result.reason, lang)
    return f"{text[:1].upper()}{text[1:]}."
