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
from dataclasses import dataclass

from kommunkvalitet.core import goals as g
from kommunkvalitet.core.formatting import format_value, missing_text
from kommunkvalitet.core.vocabulary import WORDS, label, lang_index

LANGS = ("sv", "en")

# --- vocabulary -----------------------------------------------------------------------------------

# Filled, half-filled and empty circle; a question mark for "cannot be assessed" (not the en dash,
# which tables use for a missing value).
_SYMBOLS = {g.MET: "\u25cf", g.PARTLY_MET: "\u25d0", g.NOT_MET: "\u25cb", g.NOT_ASSESSABLE: "?"}
_CSS = {g.MET: "a-met", g.PARTLY_MET: "a-partly-met", g.NOT_MET: "a-not-met", g.NOT_ASSESSABLE: "a-not-assessable"}

# The words of assessments, reasons and target kinds are in core.vocabulary (one vocabulary for the
# narrative, the pages and the JSON twins).
_REASONS = WORDS["goal_reason"]
_TARGETS = WORDS["goal_target"]


def _k(lang: str) -> int:
    return lang_index(lang)


def _known(code: str) -> str:
    if code not in WORDS["assessment"]:
        raise ValueError(f"unknown assessment {code!r}; expected one of {g.ASSESSMENTS}")
    return code


def assessment_word(code: str, lang: str = "sv") -> str:
    """ "Uppfyllt", "Delvis uppfyllt", "Inte uppfyllt", "Kan inte bedömas" (English "Met", "Partly met",
    "Not met", "Cannot be assessed")."""
    return label("assessment", _known(code), lang)


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


# The sentences: one plan, phrase tables per language ------------------------------------------------

# Each entry is a format string; {n}, {met}, {partly}, {na}, {c}, {b} are numbers as words, {why} the
# common reason in parentheses (or ""). A pair (singular, plural) is chosen by the count it names.
_PHRASES: dict[str, dict[str, str | tuple[str, str]]] = {
    "sv": {
        "one_met": "Målet följs upp med ett mått, som når sin målnivå.",
        "one_partly_met": "Målet följs upp med ett mått, som delvis når sin målnivå.",
        "one_not_met": "Målet följs upp med ett mått, som inte når sin målnivå.",
        "one_not_assessable": "Målet följs upp med ett mått, som inte kan bedömas{why}.",
        "none_assessable": "Inget av de totalt {n} mått som används för att följa upp målet kan bedömas{why}.",
        "head": "Av de totalt {n} mått som används för att följa upp målet",
        "all_met": ("{head} nås målnivåerna för båda måtten.", "{head} nås målnivåerna för samtliga mått."),
        "met_0": "{head} nås målnivån inte för något av måtten.",
        "met_0_partly": "{head} nås målnivån inte helt för något av måtten.",
        "met_1": "{head} nås målnivån för ett av måtten.",
        "met_n": "{head} nås målnivåerna för {met} av måtten.",
        "partly": ("För {partly} av måtten nås målnivån delvis", "För {partly} av måtten nås målnivån delvis"),
        "na": "{na} av måtten kan inte bedömas{why}",
        "and": ", och ",
        "ref_one": ("Nyckeltalet är inte bättre än rikssnittet.", "Nyckeltalet är bättre än rikssnittet."),
        "ref_none": "Inget av de {c} nyckeltalen är bättre än rikssnittet.",
        "ref_all": ("Båda nyckeltalen är bättre än rikssnittet.", "Alla {c} nyckeltal är bättre än rikssnittet."),
        "ref_some": "{B} av de {c} nyckeltalen är bättre än rikssnittet.",
        "ref_part_one": (
            "Ett av nyckeltalen går att jämföra med rikssnittet, och det är inte bättre än rikssnittet.",
            "Ett av nyckeltalen går att jämföra med rikssnittet, och det är bättre än rikssnittet.",
        ),
        "ref_part_none": "Inget av de {c} nyckeltal som går att jämföra med rikssnittet är bättre än det.",
        "ref_part_all": "Alla {c} nyckeltal som går att jämföra med rikssnittet är bättre än det.",
        "ref_part_some": "{B} av de {c} nyckeltal som går att jämföra med rikssnittet är bättre än det.",
        "suggestion_only": "Reglernas förslag till sammanvägd bedömning är {suggestion}.",
        "decision_differs": "Den sammanvägda bedömningen är {decided}, vilket avviker från reglernas förslag {suggestion}.",
        "decision_agrees": "Den sammanvägda bedömningen är {decided}, i enlighet med reglernas förslag.",
        g.MET: "att målet är uppfyllt",
        g.PARTLY_MET: "att målet är delvis uppfyllt",
        g.NOT_MET: "att målet inte är uppfyllt",
        g.NOT_ASSESSABLE: "att målet inte kan bedömas",
    },
    "en": {
        "one_met": "The goal is followed up by one measure, which reaches its target.",
        "one_partly_met": "The goal is followed up by one measure, which partly reaches its target.",
        "one_not_met": "The goal is followed up by one measure, which does not reach its target.",
        "one_not_assessable": "The goal is followed up by one measure, which cannot be assessed{why}.",
        "none_assessable": "None of the {n} measures in total used to follow up the goal can be assessed{why}.",
        "head": "Of the {n} measures in total used to follow up the goal,",
        "all_met": ("{head} both reach their targets.", "{head} all {n} reach their targets."),
        "met_0": "{head} none reaches its target.",
        "met_0_partly": "{head} none fully reaches its target.",
        "met_1": "{head} one reaches its target.",
        "met_n": "{head} {met} reach their targets.",
        "partly": (
            "{Partly} of the measures partly reaches its target",
            "{Partly} of the measures partly reach their targets",
        ),
        "na": "{na} of the measures cannot be assessed{why}",
        "and": ", and ",
        "ref_one": (
            "The key figure is not better than the national average.",
            "The key figure is better than the national average.",
        ),
        "ref_none": "None of the {c} key figures is better than the national average.",
        "ref_all": (
            "Both key figures are better than the national average.",
            "All {c} key figures are better than the national average.",
        ),
        "ref_some": (
            "{B} of the {c} key figures is better than the national average.",
            "{B} of the {c} key figures are better than the national average.",
        ),
        "ref_part_one": (
            "One of the key figures can be compared with the national average, and it is not better than it.",
            "One of the key figures can be compared with the national average, and it is better than it.",
        ),
        "ref_part_none": "None of the {c} key figures that can be compared with the national average is better than it.",
        "ref_part_all": "All {c} key figures that can be compared with the national average are better than it.",
        "ref_part_some": (
            "{B} of the {c} key figures that can be compared with the national average is better than it.",
            "{B} of the {c} key figures that can be compared with the national average are better than it.",
        ),
        "suggestion_only": "The rules' suggestion for the combined assessment is that {suggestion}.",
        "decision_differs": "The combined assessment is that {decided}, which differs from the rules' suggestion that {suggestion}.",
        "decision_agrees": "The combined assessment is that {decided}, as the rules suggest.",
        g.MET: "the goal is met",
        g.PARTLY_MET: "the goal is partly met",
        g.NOT_MET: "the goal is not met",
        g.NOT_ASSESSABLE: "the goal cannot be assessed",
    },
}


def _phrase(lang: str, key: str, plural: bool = True) -> str:
    entry = _PHRASES[lang][key]
    return entry if isinstance(entry, str) else entry[1 if plural else 0]


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _measures(lines: list[IndicatorLine], lang: str) -> list[str]:
    """How many of the measures reach their target, and which partly or cannot be assessed."""
    n = len(lines)
    met = sum(1 for x in lines if x.assessment == g.MET)
    partly = sum(1 for x in lines if x.assessment == g.PARTLY_MET)
    na_lines = [x for x in lines if x.assessment not in g.ASSESSABLE]
    na = len(na_lines)
    why = reason_text(_common_reason(na_lines), lang)
    words = {"n": number_word(n, lang), "met": number_word(met, lang), "partly": number_word(partly, lang),
             "Partly": _cap(number_word(partly, lang)), "why": f" ({why})" if why else ""}  # fmt: skip
    if n == 1:
        return [_phrase(lang, f"one_{lines[0].assessment}").format(**words)]
    if na == n:
        return [_phrase(lang, "none_assessable").format(**words)]
    words["head"] = _phrase(lang, "head").format(**words)
    if met == n:
        return [_phrase(lang, "all_met", plural=n > 2).format(**words)]
    key = "met_n" if met > 1 else f"met_{met}" + ("_partly" if met == 0 and partly else "")
    out = [_phrase(lang, key).format(**words)]
    parts = [_phrase(lang, "partly", plural=partly > 1).format(**words)] if partly else []
    if na:
        na_text = _phrase(lang, "na").format(**{**words, "na": number_word(na, lang)})
        parts.append(na_text if parts else _cap(na_text))
    if parts:
        out.append(_phrase(lang, "and").join(parts) + ".")
    return out


def _reference(key_lines: list[IndicatorLine], lang: str) -> str:
    """How many key figures are better than the rikssnitt (of those that can be compared with it)."""
    judged = [b for b in (_better_than_reference(x) for x in key_lines if _finite(x.reference)) if b is not None]
    c, b = len(judged), sum(judged)
    if c == 0:
        return ""
    prefix = "ref_" if c == len(key_lines) else "ref_part_"
    words = {"c": number_word(c, lang), "B": _cap(number_word(b, lang))}
    if c == 1:
        return _phrase(lang, prefix + "one", plural=bool(b))
    if b == 0:
        return _phrase(lang, prefix + "none").format(**words)
    if b == c:
        return _phrase(lang, prefix + "all", plural=c > 2).format(**words)
    return _phrase(lang, prefix + "some", plural=b > 1).format(**words)


def _decision(a: g.GoalAssessment, lang: str) -> str:
    """The rules' suggestion for the combined assessment and, when taken, the decision."""
    suggestion = _phrase(lang, a.suggestion)
    if a.decision is None:
        return _phrase(lang, "suggestion_only").format(suggestion=suggestion)
    key = "decision_differs" if a.decision_differs else "decision_agrees"
    return _phrase(lang, key).format(decided=_phrase(lang, a.decision.assessment), suggestion=suggestion)


@dataclass(frozen=True)
class _Words:
    none: str
    subgoals_only: str
    subgoals_too: str
    reference_word: str
    data_year: str


_TEXTS = {
    "sv": _Words(
        none="Det finns inga mått som följer upp målet, vilket gör att målet inte kan bedömas.",
        subgoals_only="Målet har inga egna mått och bedöms utifrån sina delmål.",
        subgoals_too="Målets delmål räknas också in i bedömningen.",
        reference_word="rikssnitt",
        data_year="avser {}",
    ),
    "en": _Words(
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
            paragraphs.append(f"{t.subgoals_only} {_decision(a, lang)}")
        else:
            paragraphs.append(t.none)
            if a.decision is not None:
                paragraphs.append(_decision(a, lang))
        return GoalDraft(tuple(paragraphs), ())
    # The measures sentence counts the indicators held against a target of their own; key figures held
    # against the rikssnitt are the next sentence's (as in the seed: "nio mått ... fem av måtten", then
    # the key figures against riksmedel).
    measured = [x for x in lines if x.column == g.COMMITTEE or x.target_kind != g.BETTER_THAN_NATIONAL]
    first = _measures(measured, lang) if measured else []
    if fed:
        first.append(t.subgoals_too)
    if first:
        paragraphs.append(" ".join(first))
    reference = _reference(key_lines, lang)
    if reference:
        paragraphs.append(reference)
    paragraphs.append(_decision(a, lang))
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
