"""Goal follow-up rules: an indicator against its target, a goal from its indicators, the combined
assessment and a person's decision. Pure: plain data in, plain data out (no Django, no I/O).

The scale is the one Swedish municipalities use: Uppfyllt / Delvis uppfyllt / Inte uppfyllt / Kan inte
bedömas (codes ``met`` / ``partly_met`` / ``not_met`` / ``not_assessable``). Every result carries the
reason it has, as a code the narrative and the pages turn into words. The rules, their defaults and
worked examples are in ``docs/method.md`` (section "Goal follow-up").
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from kommunkvalitet.errors import KommunkvalitetError

MET, PARTLY_MET, NOT_MET, NOT_ASSESSABLE = "met", "partly_met", "not_met", "not_assessable"
ASSESSMENTS = (MET, PARTLY_MET, NOT_MET, NOT_ASSESSABLE)
ASSESSABLE = (MET, PARTLY_MET, NOT_MET)
SCORE = {MET: 1.0, PARTLY_MET: 0.5, NOT_MET: 0.0}  # how an indicator counts towards a goal's share

# Target kinds. "level" works for every indicator; the others need the comparison of a Kolada key
# figure (or, for an external key figure, the reference value entered beside it).
LEVEL = "level"
BETTER_THAN_NATIONAL = "better_than_national"  # better than rikssnittet (unweighted mean)
BEST_25 = "best_25"  # among the 25 % best
NOT_WORST_25 = "not_worst_25"  # not among the 25 % worst
BETTER_THAN_SKR = "better_than_skr"  # better than the SKR kommungrupp's mean
BETTER_THAN_SIMILAR = "better_than_similar"  # better than the liknande kommuner group's mean
IMPROVED = "improved"  # better than the previous value
TARGET_KINDS = (LEVEL, BETTER_THAN_NATIONAL, BEST_25, NOT_WORST_25, BETTER_THAN_SKR, BETTER_THAN_SIMILAR, IMPROVED)

# Reasons (codes; words in core.goals_text).
R_TARGET_MET = "target_met"
R_WITHIN_TOLERANCE = "within_tolerance"
R_TARGET_NOT_MET = "target_not_met"
R_MIDDLE_BAND = "middle_band"
R_NO_VALUE = "no_value"  # the municipality has no value for the period
R_NO_TARGET = "no_target"  # no target level for the year
R_NOT_PUBLISHED = "not_published"  # the data year is not published yet (nobody has a value)
R_NOT_COMPARABLE = "not_comparable"  # no direction, too few values for bands, no reference to compare with
R_NO_PREVIOUS = "no_previous"  # "improved" with nothing earlier to compare with
R_NO_INDICATORS = "no_indicators"
R_TOO_FEW_ASSESSABLE = "too_few_assessable"
R_SHARE = "share"  # a goal by the share of its indicators that meet their target
R_ALL = "all"
R_BOTH_AGREE = "both_agree"
R_ONLY_ONE = "only_one"
R_CAUTIOUS = "cautious"  # the two columns differ: the more cautious middle

# Goal rules
RULE_SHARE, RULE_ALL, RULE_WEIGHTED = "share", "all", "weighted"
GOAL_RULES = (RULE_SHARE, RULE_ALL, RULE_WEIGHTED)

# Indicator columns of the goal report
COMMITTEE, KEY_FIGURE = "committee", "key_figure"


class MotivationRequired(KommunkvalitetError):
    """A decision that differs from the rules' suggestion needs a written motivation."""


class InvalidRule(KommunkvalitetError):
    """A goal rule with impossible thresholds."""


@dataclass(frozen=True)
class GoalRule:
    """How a goal is assessed from its indicators (chosen per goal structure; defaults in method.md)."""

    kind: str = RULE_SHARE
    met_share: float = 0.75  # share of the assessable indicators that meet their target, for Uppfyllt
    partly_share: float = 0.5  # ... for Delvis uppfyllt
    min_assessable_share: float = 0.5  # below this share of assessable indicators: Kan inte bedömas

    def __post_init__(self) -> None:
        if self.kind not in GOAL_RULES:
            raise InvalidRule(f"okänd regel {self.kind!r}; välj en av {', '.join(GOAL_RULES)}")
        for name in ("met_share", "partly_share", "min_assessable_share"):
            v = getattr(self, name)
            if not (isinstance(v, int | float) and math.isfinite(v) and 0 <= v <= 1):
                raise InvalidRule(f"{name} måste vara en andel mellan 0 och 1, inte {v!r}")
        if self.partly_share > self.met_share:
            raise InvalidRule("gränsen för Delvis uppfyllt kan inte vara högre än gränsen för Uppfyllt")


DEFAULT_RULE = GoalRule()


@dataclass(frozen=True)
class IndicatorFacts:
    """What is known about one indicator for one period: the plain input of :func:`assess_indicator`.

    ``national_mean``, ``band``, ``skr_mean`` and ``similar_mean`` come from the comparison engine for
    a Kolada key figure (``band`` is a ``core.findings.BANDS`` code: best, second, middle, third, worst);
    for an external key figure ``national_mean`` is the reference value entered beside the value.
    """

    direction: str  # higher | lower | none
    value: float | None
    target_kind: str = LEVEL
    target: float | None = None  # the target level (target_kind "level")
    tolerance: float | None = None  # how far short of the target still counts as Delvis (in the unit)
    published: bool = True  # False: nobody has a value for the data year yet
    previous_value: float | None = None  # the latest earlier value (target_kind "improved")
    national_mean: float | None = None
    band: str | None = None
    skr_mean: float | None = None
    similar_mean: float | None = None


@dataclass(frozen=True)
class IndicatorResult:
    assessment: str
    reason: str
    reference: float | None = None  # what the value was held against (target, mean, previous value)


def _sign(direction: str) -> int:
    return {"higher": 1, "lower": -1}.get(direction, 0)


def _against(value: float, reference: float, sign: int, tolerance: float | None, strict: bool) -> IndicatorResult:
    """``value`` held against ``reference`` in the good direction (``sign``)."""
    gap = (value - reference) * sign  # > 0: better than the reference
    good = gap > 0 if strict else gap >= 0
    if good:
        return IndicatorResult(MET, R_TARGET_MET, reference)
    # isclose: 72.3 against 75 with tolerance 2.7 is a gap of 2.7000000000000028 in binary, not outside it
    if tolerance is not None and tolerance > 0 and (-gap <= tolerance or math.isclose(-gap, tolerance, rel_tol=1e-9)):
        return IndicatorResult(PARTLY_MET, R_WITHIN_TOLERANCE, reference)
    return IndicatorResult(NOT_MET, R_TARGET_NOT_MET, reference)


_MEAN_OF = {BETTER_THAN_NATIONAL: "national_mean", BETTER_THAN_SKR: "skr_mean", BETTER_THAN_SIMILAR: "similar_mean"}


def assess_indicator(facts: IndicatorFacts) -> IndicatorResult:
    """Uppfyllt / Delvis / Inte uppfyllt / Kan inte bedömas for one indicator, with its reason.

    - ``level``: at least the target (at most, for lower-is-better); within ``tolerance`` short of it:
      Delvis.
    - ``better_than_*``: strictly better than the mean (equal is not better); within ``tolerance``: Delvis.
    - ``best_25``: best band Uppfyllt, the middle Delvis, the worst Inte; ``not_worst_25``: anything but
      the worst band Uppfyllt.
    - ``improved``: strictly better than the previous value; unchanged within ``tolerance``: Delvis.
    """
    kind = facts.target_kind
    if kind not in TARGET_KINDS:
        raise KommunkvalitetError(f"okänd typ av målnivå {kind!r}")
    if not facts.published:
        return IndicatorResult(NOT_ASSESSABLE, R_NOT_PUBLISHED)
    if facts.value is None or not math.isfinite(facts.value):
        return IndicatorResult(NOT_ASSESSABLE, R_NO_VALUE)
    sign = _sign(facts.direction)
    if kind in (BEST_25, NOT_WORST_25):
        if facts.band is None or sign == 0:
            return IndicatorResult(NOT_ASSESSABLE, R_NOT_COMPARABLE)
        if facts.band == "best" or (kind == NOT_WORST_25 and facts.band != "worst"):
            return IndicatorResult(MET, R_TARGET_MET)
        if facts.band == "worst":
            return IndicatorResult(NOT_MET, R_TARGET_NOT_MET)
        return IndicatorResult(PARTLY_MET, R_MIDDLE_BAND)
    if sign == 0:
        return IndicatorResult(NOT_ASSESSABLE, R_NOT_COMPARABLE)
    if kind == LEVEL:
        if facts.target is None:
            return IndicatorResult(NOT_ASSESSABLE, R_NO_TARGET)
        return _against(facts.value, facts.target, sign, facts.tolerance, strict=False)
    if kind == IMPROVED:
        if facts.previous_value is None:
            return IndicatorResult(NOT_ASSESSABLE, R_NO_PREVIOUS)
        return _against(facts.value, facts.previous_value, sign, facts.tolerance, strict=True)
    mean = getattr(facts, _MEAN_OF[kind])
    if mean is None:
        return IndicatorResult(NOT_ASSESSABLE, R_NOT_COMPARABLE)
    return _against(facts.value, mean, sign, facts.tolerance, strict=True)


@dataclass(frozen=True)
class GoalResult:
    """A goal's assessment in one column (committee indicators or key figures)."""

    assessment: str
    reason: str
    n: int = 0  # indicators (and sub-goals) counted
    n_assessable: int = 0
    n_met: int = 0
    n_partly: int = 0
    share: float | None = None  # the (weighted) share that meets the target, of the assessable


NO_INDICATORS = GoalResult(NOT_ASSESSABLE, R_NO_INDICATORS)


def assess_goal(
    results: Sequence[str], rule: GoalRule = DEFAULT_RULE, weights: Sequence[float] | None = None
) -> GoalResult:
    """A goal from the assessments of its indicators (``results``: codes of :data:`ASSESSMENTS`).

    - ``share``: the share of the assessable indicators that meet their target (Delvis counts half);
      at least ``met_share``: Uppfyllt, at least ``partly_share``: Delvis, else Inte uppfyllt.
    - ``weighted``: the same share with each indicator's weight.
    - ``all``: Uppfyllt only when every assessable indicator meets its target; Inte uppfyllt when none
      meets it even in part; otherwise Delvis.
    In every rule, fewer than ``min_assessable_share`` of the indicators assessable: Kan inte bedömas.
    """
    n = len(results)
    if n == 0:
        return NO_INDICATORS
    if weights is None or rule.kind != RULE_WEIGHTED:
        weights = [1.0] * n
    if len(weights) != n:
        raise KommunkvalitetError("en vikt per indikator behövs")
    assessable = [(r, float(w)) for r, w in zip(results, weights, strict=True) if r in ASSESSABLE]
    n_met = sum(1 for r, _ in assessable if r == MET)
    n_partly = sum(1 for r, _ in assessable if r == PARTLY_MET)
    counts = {"n": n, "n_assessable": len(assessable), "n_met": n_met, "n_partly": n_partly}
    if not assessable or len(assessable) / n < rule.min_assessable_share:
        return GoalResult(NOT_ASSESSABLE, R_TOO_FEW_ASSESSABLE, **counts)
    total = sum(w for _, w in assessable)
    share = sum(SCORE[r] * w for r, w in assessable) / total if total > 0 else 0.0
    if rule.kind == RULE_ALL:
        if n_met == len(assessable):
            return GoalResult(MET, R_ALL, share=share, **counts)
        verdict = NOT_MET if n_met + n_partly == 0 else PARTLY_MET
        return GoalResult(verdict, R_ALL, share=share, **counts)
    # 2/3 against a threshold of 2/3, 1/3 against 1/3 and such: no threshold missed by a rounding error
    # (rounding the share alone would put round(1/3, 9) below a threshold of 1/3)
    share_r = share + 1e-9
    verdict = MET if share_r >= rule.met_share else PARTLY_MET if share_r >= rule.partly_share else NOT_MET
    return GoalResult(verdict, R_SHARE, share=share, **counts)


_ORDER = {NOT_MET: 0, PARTLY_MET: 1, MET: 2}


def combine(committee: GoalResult | str, key_figures: GoalResult | str) -> tuple[str, str]:
    """The rules' suggestion for the combined assessment (sammanvägd bedömning) and its reason.

    Both columns agree: that. One cannot be assessed: the other. Uppfyllt against Inte uppfyllt:
    Delvis. Otherwise (one step apart) the more cautious of the two.
    """
    a = committee.assessment if isinstance(committee, GoalResult) else committee
    b = key_figures.assessment if isinstance(key_figures, GoalResult) else key_figures
    if a == NOT_ASSESSABLE and b == NOT_ASSESSABLE:
        return NOT_ASSESSABLE, R_NO_INDICATORS
    if a == NOT_ASSESSABLE or b == NOT_ASSESSABLE:
        return (b if a == NOT_ASSESSABLE else a), R_ONLY_ONE
    if a == b:
        return a, R_BOTH_AGREE
    lo, hi = sorted((_ORDER[a], _ORDER[b]))
    return (PARTLY_MET if hi - lo == 2 else {0: NOT_MET, 1: PARTLY_MET}[lo]), R_CAUTIOUS


@dataclass(frozen=True)
class Decision:
    """A person's combined assessment, kept beside the rules' suggestion."""

    assessment: str
    motivation: str = ""


def check_decision(suggestion: str, decision: Decision) -> Decision:
    """Refuse a decision that differs from the suggestion without a written motivation."""
    if decision.assessment not in ASSESSMENTS:
        raise KommunkvalitetError(f"okänd bedömning {decision.assessment!r}")
    motivation = decision.motivation.strip()
    if decision.assessment != suggestion and not motivation:
        raise MotivationRequired("bedömningen skiljer sig från regelns förslag; skriv en motivering till varför")
    return replace(decision, motivation=motivation)


def _stored_decision(suggestion: str, decision: Decision) -> Decision:
    """A decision already taken: checked like a new one, but one taken when the suggestion was another
    (the values have changed since) is kept as it is; ``GoalAssessment.decision_differs`` shows it."""
    try:
        return check_decision(suggestion, decision)
    except MotivationRequired:
        return replace(decision, motivation=decision.motivation.strip())


# --- a whole goal structure ---------------------------------------------------------------------


@dataclass(frozen=True)
class IndicatorInput:
    """One indicator of a goal, assessed: which column it counts in and its weight."""

    column: str  # COMMITTEE or KEY_FIGURE
    result: IndicatorResult
    weight: float = 1.0


@dataclass(frozen=True)
class GoalInput:
    id: int
    parent_id: int | None
    indicators: tuple[IndicatorInput, ...] = ()
    decision: Decision | None = None


@dataclass(frozen=True)
class GoalAssessment:
    committee: GoalResult
    key_figures: GoalResult
    suggestion: str
    suggestion_reason: str
    decision: Decision | None = None
    children: tuple[int, ...] = field(default=())

    @property
    def overall(self) -> str:
        """What the report shows as the combined assessment: the decision, else the suggestion."""
        return self.decision.assessment if self.decision else self.suggestion

    @property
    def decision_differs(self) -> bool:
        return self.decision is not None and self.decision.assessment != self.suggestion


def assess_structure(
    goals: Iterable[GoalInput], rule: GoalRule = DEFAULT_RULE, *, subgoals_feed: bool = True
) -> dict[int, GoalAssessment]:
    """Every goal of a structure. With ``subgoals_feed`` a sub-goal's result in each column counts as
    one more item (weight 1) in its parent's column, besides the parent's own indicators; sub-goals
    are assessed first, whatever their depth. A goal's decision is kept even when the suggestion has
    changed since it was taken (``decision_differs``); a new decision is checked with
    :func:`check_decision`."""
    goals = list(goals)
    by_id: Mapping[int, GoalInput] = {g.id: g for g in goals}
    children: dict[int, list[int]] = {g.id: [] for g in goals}
    for g in goals:
        if g.parent_id is not None and g.parent_id in children:
            children[g.parent_id].append(g.id)
    out: dict[int, GoalAssessment] = {}

    def column(goal: GoalInput, name: str) -> GoalResult:
        items = [(i.result.assessment, i.weight) for i in goal.indicators if i.column == name]
        if subgoals_feed:
            for child in children[goal.id]:
                res = out[child].committee if name == COMMITTEE else out[child].key_figures
                if res.reason != R_NO_INDICATORS:
                    items.append((res.assessment, 1.0))
        return assess_goal([a for a, _ in items], rule, [w for _, w in items])

    def visit(gid: int, seen: frozenset[int]) -> None:
        if gid in out:
            return
        if gid in seen:
            raise KommunkvalitetError(f"målet {gid} är sitt eget delmål (en cirkel i målstrukturen)")
        for child in children[gid]:
            visit(child, seen | {gid})
        goal = by_id[gid]
        committee, key = column(goal, COMMITTEE), column(goal, KEY_FIGURE)
        suggestion, reason = combine(committee, key)
        decision = _stored_decision(suggestion, goal.decision) if goal.decision else None
        out[gid] = GoalAssessment(committee, key, suggestion, reason, decision, tuple(children[gid]))

    for g in goals:
        visit(g.id, frozenset())
    return out
