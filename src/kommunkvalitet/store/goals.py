"""Goal follow-up in the store: building and copying goal structures, entering targets, values and
decisions, and the goal report (every goal assessed by :mod:`core.goals`) in a bounded number of
queries. Views, the CLI and the spreadsheet import call only this."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import NamedTuple

import numpy as np
from django.contrib.auth import get_user_model
from django.db import connection, transaction

from kommunkvalitet.core import goals as rules
from kommunkvalitet.core import trend
from kommunkvalitet.core.comparison import BAND_NAMES, unpack_position
from kommunkvalitet.core.goals_text import LANGS, GoalDraft, GoalDraftInput, IndicatorLine, draft_goal
from kommunkvalitet.errors import InputError, KommunkvalitetError
from kommunkvalitet.store import commentary, roles
from kommunkvalitet.store.comparison import current_settings, position_sql
from kommunkvalitet.store.models import (
    KPI,
    Commentary,
    Committee,
    Goal,
    GoalDecision,
    GoalStructure,
    Indicator,
    IndicatorTarget,
    IndicatorValue,
    Municipality,
    Period,
)
from kommunkvalitet.store.queries import search_kpis  # noqa: F401 - the goal forms' KPI search, kept here
from kommunkvalitet.store.report import group_reference, group_values, groups_for, placeholders

TEXT_SET = "goals"  # Commentary.measure_set of goal texts; the area is "goal-<id>-<period>"


class StructureNotFound(KommunkvalitetError):
    """No goal structure for that municipality and year."""


# --- texts (the same draft/publish flow and rights as the KKiK texts; the goal's committees write it) --


def text_place(goal: Goal, period: str) -> commentary.Place:
    """Where a goal's text lives in the commentary store (same draft/publish flow as KKiK texts)."""
    return commentary.Place(goal.structure.municipality_id, TEXT_SET, f"goal-{goal.pk}-{period}")


def save_text(user, goal: Goal, period: str, text: str, *, based_on: str | None):
    """Save a draft of a goal's text: an editor of one of the goal's committees may."""
    return commentary.save_draft(user, text_place(goal, period), text, based_on=based_on,
                                 committees=roles.goal_committees(goal))  # fmt: skip


# --- structures -----------------------------------------------------------------------------------


def structure(municipality_id: str, year: int) -> GoalStructure | None:
    return GoalStructure.objects.filter(municipality_id=municipality_id, year=year).first()


def years_with_structures(municipality_id: str) -> list[int]:
    return list(
        GoalStructure.objects.filter(municipality_id=municipality_id).order_by("-year").values_list("year", flat=True)
    )


def _require_indicator(user, indicator: Indicator) -> None:
    roles.require_edit(user, indicator.goal.structure.municipality_id, roles.indicator_committees(indicator),
                       "indikatorer")  # fmt: skip


def set_target(user, indicator: Indicator, year: int, level: float | None) -> None:
    _require_indicator(user, indicator)
    if level is None:
        IndicatorTarget.objects.filter(indicator=indicator, year=year).delete()
        return
    _check_number(level, "målnivå")
    IndicatorTarget.objects.update_or_create(indicator=indicator, year=year, defaults={"level": level})


def set_value(
    user, indicator: Indicator, year: int, period: str, value: float | None, reference: float | None = None,
    note: str = "",
) -> IndicatorValue | None:  # fmt: skip
    """Enter (or clear, with ``value`` and ``reference`` None and no note) an own or external value."""
    _require_indicator(user, indicator)
    if indicator.kind == Indicator.Kind.KPI:
        raise KommunkvalitetError("värden för nyckeltal från Kolada hämtas från Kolada och skrivs inte in")
    if period not in Period.values:
        raise KommunkvalitetError(f"okänd period {period!r}")
    for v, what in ((value, "värde"), (reference, "jämförelsevärde")):
        if v is not None:
            _check_number(v, what)
    if value is None and reference is None and not note:
        IndicatorValue.objects.filter(indicator=indicator, year=year, period=period).delete()
        return None
    obj, _ = IndicatorValue.objects.update_or_create(
        indicator=indicator, year=year, period=period,
        defaults={"value": value, "reference": reference, "note": note, "entered_by": user},
    )  # fmt: skip
    return obj


def _check_number(v: float, what: str) -> None:
    if not math.isfinite(v) or abs(v) > 1e12:
        raise KommunkvalitetError(f"{what} {v!r} är inget rimligt tal")


@transaction.atomic
def record_decision(user, goal: Goal, period: str, assessment: str, motivation: str) -> GoalDecision:
    """Record a person's combined assessment beside the rules' current suggestion. A decision that
    differs from the suggestion needs a written motivation (:class:`core.goals.MotivationRequired`)."""
    municipality_id = goal.structure.municipality_id
    roles.require_publish(user, municipality_id, "fatta beslut om den här kommunens mål")
    node = goal_report(municipality_id, goal.structure.year, period, drafts=False).node(goal.pk)
    decision = rules.check_decision(node.assessment.suggestion, rules.Decision(assessment, motivation))
    return GoalDecision.objects.create(
        goal=goal, period=period, assessment=decision.assessment, suggestion=node.assessment.suggestion,
        motivation=decision.motivation, decided_by=user, values=decision_values(node),
    )  # fmt: skip


def propose_decision(user, goal: Goal, period: str, assessment: str, motivation: str) -> GoalDecision:
    """An editor of one of the goal's committees proposes the combined assessment; a publisher publishes
    it (:func:`publish_decision`) or sends it back (:func:`send_back_decision`). Not public until then."""
    municipality_id = goal.structure.municipality_id
    roles.require_edit(user, municipality_id, roles.goal_committees(goal), "mål")
    node = goal_report(municipality_id, goal.structure.year, period, drafts=False).node(goal.pk)
    decision = rules.check_decision(node.assessment.suggestion, rules.Decision(assessment, motivation))
    return GoalDecision.objects.create(
        goal=goal, period=period, assessment=decision.assessment, suggestion=node.assessment.suggestion,
        motivation=decision.motivation, decided_by=user, values=decision_values(node),
        status=GoalDecision.Status.REVIEW,
    )  # fmt: skip


def pending_decision(goal: Goal, period: str) -> GoalDecision | None:
    """The latest proposal not yet published (under review or sent back), if it is newer than the
    decision in force."""
    latest = GoalDecision.objects.filter(goal=goal, period=period).select_related("decided_by").first()
    return latest if latest is not None and latest.status != GoalDecision.Status.PUBLISHED else None


@transaction.atomic
def publish_decision(user, decision: GoalDecision) -> GoalDecision:
    """Publish a proposal under review, with the rules' suggestion and the values as they are now."""
    goal = decision.goal
    municipality_id = goal.structure.municipality_id
    roles.require_publish(user, municipality_id, "publicera den här kommunens bedömningar")
    locked = GoalDecision.objects.select_for_update().get(pk=decision.pk)
    if locked.status != GoalDecision.Status.REVIEW:
        raise KommunkvalitetError("bedömningen är inte skickad för granskning")
    node = goal_report(municipality_id, goal.structure.year, locked.period, drafts=False).node(goal.pk)
    rules.check_decision(node.assessment.suggestion, rules.Decision(locked.assessment, locked.motivation))
    locked.suggestion, locked.values = node.assessment.suggestion, decision_values(node)
    locked.status = GoalDecision.Status.PUBLISHED
    locked.save()
    return locked


@transaction.atomic
def send_back_decision(user, decision: GoalDecision, note: str) -> GoalDecision:
    """Refuse a proposal under review with a comment (required) the editor sees."""
    roles.require_publish(user, decision.goal.structure.municipality_id, "granska den här kommunens bedömningar")
    note = note.strip()
    if not note or len(note) > commentary.NOTE_MAX:
        raise InputError(f"skriv vad som behöver ändras (högst {commentary.NOTE_MAX} tecken)", field="note")
    locked = GoalDecision.objects.select_for_update().get(pk=decision.pk)
    if locked.status != GoalDecision.Status.REVIEW:
        raise KommunkvalitetError("bedömningen är inte skickad för granskning")
    locked.status, locked.review_note = GoalDecision.Status.RETURNED, note
    locked.save()
    return locked


def decision_values(node: GoalNode) -> dict[str, float | None]:
    """The goal's own indicator values a decision rests on ("indicator:<id>:<year>" -> value)."""
    return {f"indicator:{r.indicator.pk}:{r.data_year}": r.value for r in node.indicators}


# --- the report -----------------------------------------------------------------------------------


@dataclass(slots=True, eq=False)
class ReportIndicator:
    """What the report reads of an :class:`Indicator`: its columns as plain values under the model's
    names (a model instance per indicator cost a report of 300 indicators several milliseconds), so the
    pages, the JSON twin and the drafts read it as they read the model."""

    id: int
    goal_id: int
    kind: str
    name: str
    kpi_id: str | None
    committee_id: int | None
    unit: str
    decimals: int
    direction: str
    target_kind: str
    tolerance: float | None
    baseline_value: float | None
    baseline_year: int | None
    weight: float
    source: str
    data_year_offset: int
    order: int
    lineage: str  # the database's text of the lineage UUID (also how the value rows name it)
    committee: Committee | None = None
    kpi: KPI | None = None

    FIELDS = (
        "id", "goal_id", "kind", "name", "kpi_id", "committee_id", "unit", "decimals", "direction", "target_kind",
        "tolerance", "baseline_value", "baseline_year", "weight", "source", "data_year_offset", "order",
    )  # fmt: skip

    @property
    def pk(self) -> int:
        return self.id

    @property
    def column(self) -> str:
        return rules.COMMITTEE if self.kind == Indicator.Kind.OWN else rules.KEY_FIGURE

    def get_kind_display(self) -> str:
        return str(dict(Indicator.Kind.choices).get(self.kind, self.kind))

    def get_target_kind_display(self) -> str:
        return str(dict(Indicator.TargetKind.choices).get(self.target_kind, self.target_kind))


@dataclass
class IndicatorRow:
    indicator: ReportIndicator
    column: str
    data_year: int
    value: float | None
    target: float | None  # the target level for the year (target kind "level")
    result: rules.IndicatorResult
    previous_year: int | None = None
    previous_value: float | None = None
    trend: str | None = None  # improved | unchanged | worsened (increased/decreased without direction)
    national_mean: float | None = None  # rikssnitt (Kolada key figure) or the entered reference
    n: int = 0
    band: str | None = None
    rank: int | None = None
    skr_mean: float | None = None
    similar_mean: float | None = None
    riket: float | None = None
    series: list[tuple[int, float | None]] = field(default_factory=list)

    @property
    def unit(self) -> str:
        return self.indicator.unit

    @property
    def decimals(self) -> int:
        return self.indicator.decimals

    def line(self) -> IndicatorLine:
        ind = self.indicator
        return IndicatorLine(
            name=ind.name, name_en="", column=self.column, value=self.value, unit=ind.unit, decimals=ind.decimals,
            target_kind=ind.target_kind, target=self.target, reference=self.national_mean,
            assessment=self.result.assessment, reason=self.result.reason, data_year=self.data_year,
            direction=ind.direction,
        )  # fmt: skip


@dataclass
class GoalNode:
    goal: Goal
    depth: int
    assessment: rules.GoalAssessment
    decision: GoalDecision | None
    decisions: list[GoalDecision]
    indicators: list[IndicatorRow]
    children: list[GoalNode]
    drafts: Mapping[str, GoalDraft]  # {"sv": ..., "en": ...}, each drafted when first read; {} without drafts
    text: Commentary | None  # the published text, if any
    committees: list[Committee] = field(default_factory=list)  # the goal's, by name

    @property
    def committee_rows(self) -> list[IndicatorRow]:
        return [r for r in self.indicators if r.column == rules.COMMITTEE]

    @property
    def key_figure_rows(self) -> list[IndicatorRow]:
        return [r for r in self.indicators if r.column == rules.KEY_FIGURE]


class _LazyDrafts(Mapping):
    """A goal's drafts ``{"sv": GoalDraft, "en": GoalDraft}``, each language drafted when it is first
    read: the HTML page needs one language, the JSON twin both."""

    def __init__(self, node: GoalNode, year: int):
        self._node, self._year = node, year
        self._input: GoalDraftInput | None = None
        self._done: dict[str, GoalDraft] = {}

    def __getitem__(self, lang: str) -> GoalDraft:
        if lang not in self._done:
            if lang not in LANGS:
                raise KeyError(lang)
            if self._input is None:
                node = self._node
                self._input = GoalDraftInput(
                    title=node.goal.title, assessment=node.assessment,
                    indicators=tuple(r.line() for r in node.indicators), year=self._year,
                )  # fmt: skip
            self._done[lang] = draft_goal(self._input, lang)
        return self._done[lang]

    def __iter__(self) -> Iterator[str]:
        return iter(LANGS)

    def __len__(self) -> int:
        return len(LANGS)

    def __repr__(self) -> str:
        return f"_LazyDrafts({dict(self)!r})"


@dataclass
class GoalReport:
    structure: GoalStructure
    municipality: Municipality
    period: str
    goals: list[GoalNode]  # council goals, each with its sub-goals as children

    @property
    def year(self) -> int:
        return self.structure.year

    def nodes(self) -> list[GoalNode]:
        """Every goal and sub-goal in report order (depth first)."""
        out: list[GoalNode] = []

        def walk(nodes: list[GoalNode]) -> None:
            for n in nodes:
                out.append(n)
                walk(n.children)

        walk(self.goals)
        return out

    def node(self, goal_id: int) -> GoalNode:
        for n in self.nodes():
            if n.goal.pk == goal_id:
                return n
        raise KeyError(goal_id)

    def figures(self) -> dict[str, float | None]:
        """ "indicator:<id>:<year>" -> value of every figure (what a published text rests on)."""
        return {f"indicator:{r.indicator.pk}:{r.data_year}": r.value for n in self.nodes() for r in n.indicators}


def goal_report(municipality_id: str, year: int, period: str = Period.YEAR, *, drafts: bool = True) -> GoalReport:
    """The whole goal report of a municipality and year, every goal assessed, in a fixed number of
    queries whatever the number of goals and indicators."""
    if period not in Period.values:
        raise StructureNotFound(f"okänd period {period!r}")
    try:  # one structure per municipality and year (a unique constraint)
        struct = GoalStructure.objects.select_related("municipality").get(municipality_id=municipality_id, year=year)
    except GoalStructure.DoesNotExist:
        raise StructureNotFound(f"ingen målstruktur för {municipality_id} {year}") from None
    goals = list(Goal.objects.raw(_GOALS_SQL, [struct.pk]))  # raw: no query to build (see _select)
    for g in goals:
        g.structure = struct
    committees = {c.pk: c for c in Committee.objects.filter(municipality_id=municipality_id)}
    # The goals' committees from the link table (a prefetch made a queryset per goal), by name.
    committees_of: dict[int, list[Committee]] = defaultdict(list)
    for goal_id, committee_id in _select(_LINKS_SQL, [struct.pk]):
        committees_of[goal_id].append(committees[committee_id])
    indicators = [ReportIndicator(*row) for row in _select(_INDICATORS_SQL, [struct.pk])]
    # A handful of committees and KPIs, not one object per indicator (and no join for the own ones). Of a
    # KPI the report reads its title and operating area (which liknande kommuner group fits it).
    wanted = sorted({i.kpi_id for i in indicators if i.kpi_id})
    kpis = {
        pk: KPI(id=pk, title=title, operating_area=area)
        for pk, title, area in (
            _select(f"SELECT id, title, operating_area FROM store_kpi WHERE id IN ({placeholders(wanted)})", wanted)
            if wanted
            else []
        )
    }
    for ind in indicators:
        ind.committee = committees.get(ind.committee_id) if ind.committee_id else None
        ind.kpi = kpis.get(ind.kpi_id) if ind.kpi_id else None
    targets = dict(_select(_TARGETS_SQL, [struct.pk, year]))
    rows = _indicator_rows(struct, indicators, targets, period)
    decisions = defaultdict(list)
    # only published decisions count (the review workflow): proposals and sent-back ones are the editors'
    made = list(GoalDecision.objects.raw(_DECISIONS_SQL, [struct.pk, period, GoalDecision.Status.PUBLISHED]))
    deciders = get_user_model().objects.in_bulk({d.decided_by_id for d in made if d.decided_by_id}) if made else {}
    for d in made:  # newest first, as GoalDecision's ordering
        d.decided_by = deciders.get(d.decided_by_id)
        decisions[d.goal_id].append(d)

    by_goal: dict[int, list[IndicatorRow]] = defaultdict(list)
    for r in rows:
        by_goal[r.indicator.goal_id].append(r)
    inputs = [
        rules.GoalInput(
            id=g.pk,
            parent_id=g.parent_id,
            indicators=tuple(rules.IndicatorInput(r.column, r.result, r.indicator.weight) for r in by_goal[g.pk]),
            decision=rules.Decision(d.assessment, d.motivation) if (d := _latest(decisions, g.pk)) else None,
        )
        for g in goals
    ]
    assessed = rules.assess_structure(inputs, struct.goal_rule(), subgoals_feed=struct.subgoals_feed)
    texts = {
        c.area: c
        for c in Commentary.public_objects.filter(municipality_id=municipality_id, measure_set=TEXT_SET,
                                                  area__in=[f"goal-{g.pk}-{period}" for g in goals])
    }  # fmt: skip

    nodes: dict[int, GoalNode] = {}
    for g in goals:
        nodes[g.pk] = GoalNode(g, 0, assessed[g.pk], _latest(decisions, g.pk), decisions.get(g.pk, []),
                               by_goal[g.pk], [], {}, texts.get(f"goal-{g.pk}-{period}"),
                               sorted(committees_of[g.pk], key=lambda c: c.name))  # fmt: skip
    top = []
    for g in goals:
        node = nodes[g.pk]
        if g.parent_id in nodes:
            nodes[g.parent_id].children.append(node)
        else:
            top.append(node)
    report = GoalReport(struct, struct.municipality, period, top)
    for node in report.nodes():
        for child in node.children:
            child.depth = node.depth + 1
        if drafts:
            node.drafts = _LazyDrafts(node, struct.year)
    return report


def _latest(decisions: dict[int, list[GoalDecision]], goal_id: int) -> GoalDecision | None:
    history = decisions.get(goal_id)
    return history[0] if history else None


class _Entry(NamedTuple):
    value: float | None
    reference: float | None


def _indicator_rows(
    struct: GoalStructure, indicators: list[ReportIndicator], targets: dict[int, float], period: str
) -> list[IndicatorRow]:
    year = struct.year
    rows: list[IndicatorRow] = []
    own = [i for i in indicators if i.kind != Indicator.Kind.KPI]
    kpi_inds = [i for i in indicators if i.kind == Indicator.Kind.KPI and i.kpi_id]

    # Own and external values: this year's and earlier years' of the same lineage (the history).
    series: dict[str, dict[int, _Entry]] = defaultdict(dict)
    if own:
        # The lineage as the database's text, as the indicators were read: no UUID object per value row.
        for lineage, entered_in, y, value, reference in _select(
            _OWN_VALUES_SQL, [struct.pk, Indicator.Kind.KPI.value, period, year]
        ):
            # The value entered in that year's own structure wins over one entered elsewhere.
            bucket = series[lineage]
            if y not in bucket or entered_in == y:
                bucket[y] = _Entry(value, reference)
    for ind in own:
        values = series.get(ind.lineage, {})
        history = sorted(values.items())
        this = values.get(year) or _Entry(None, None)
        earlier = [(y, v.value) for y, v in history if y < year and v.value is not None]
        if not earlier and ind.baseline_value is not None and (ind.baseline_year or 0) < year:
            earlier = [(ind.baseline_year, ind.baseline_value)]
        prev_year, prev = earlier[-1] if earlier else (None, None)
        target = targets.get(ind.pk)
        facts = rules.IndicatorFacts(
            direction=ind.direction, value=this.value, target_kind=ind.target_kind, target=target,
            tolerance=ind.tolerance, previous_value=prev, national_mean=this.reference,
        )  # fmt: skip
        rows.append(IndicatorRow(
            ind, ind.column, year, this.value, target, rules.assess_indicator(facts), prev_year, prev,
            _trend(this.value, prev, ind.direction), national_mean=this.reference,
            series=[(y, v.value) for y, v in history],
        ))  # fmt: skip
    if kpi_inds:
        rows.extend(_kpi_rows(struct, kpi_inds, targets))
    order = {ind.pk: i for i, ind in enumerate(indicators)}
    rows.sort(key=lambda r: order[r.indicator.pk])
    return rows


def _trend(value: float | None, previous: float | None, direction: str) -> str | None:
    if value is None or previous is None:
        return None
    sign = {"higher": 1, "lower": -1}.get(direction, 0)
    if value == previous:
        return "unchanged"
    if sign == 0:
        return "increased" if value > previous else "decreased"
    return "improved" if (value - previous) * sign > 0 else "worsened"


def _kpi_rows(struct: GoalStructure, inds: list[ReportIndicator], targets: dict[int, float]) -> list[IndicatorRow]:
    """Kolada key figures, evaluated with the comparison engine's stored results for the data year."""
    muni_id = struct.municipality_id
    years_of = {i.kpi_id: struct.year + i.data_year_offset for i in inds}
    kpis = sorted(years_of)
    first = min(years_of.values()) - 8
    own: dict[str, dict[int, float | None]] = defaultdict(dict)
    marks = placeholders(kpis)
    for kpi, y, v in _select(
        f"SELECT kpi_id, year, value FROM store_value WHERE kpi_id IN ({marks}) AND municipality_id = %s "
        "AND gender = 'T' AND year BETWEEN %s AND %s",
        [*kpis, muni_id, first, max(years_of.values())],
    ):
        own[kpi][y] = v
    position, param = position_sql("positions", muni_id)
    data_years = sorted(set(years_of.values()))
    stats = {
        kpi: _Stat(n, mean, riket, unpack_position(pos))
        for kpi, y, n, mean, riket, pos in _select(
            f"SELECT kpi_id, year, n, mean, riket, {position} FROM store_comparisonstat "
            f"WHERE kpi_id IN ({marks}) AND year IN ({placeholders(data_years)}) AND gender = 'T'",
            [param, *kpis, *data_years],
        )
        if y == years_of[kpi]
    }
    # One measure per KPI (the groups are per KPI; the last indicator's name, as before).
    measures = list({i.kpi_id: SimpleNamespace(kpi=i.kpi_id, label=i.name) for i in inds}.values())
    kpi_meta = {i.kpi_id: i.kpi for i in inds}
    groups = groups_for(struct.municipality, measures, kpi_meta, years_of)
    # The county's members are not compared with here: fetch the values of the other groups' only.
    compared = {kpi: [g for g in gs if g.kind != "county"] for kpi, gs in groups.items()}
    members_values = group_values(compared, kpis, years_of)
    bases = _bases(own, years_of, current_settings().max_fallback_years)
    # A KPI can follow up several goals: its group means and its change are the same for each.
    refs_of: dict[str, dict] = {}
    rows = []
    for ind in inds:
        kpi, y = ind.kpi_id, years_of[ind.kpi_id]
        stat = stats.get(kpi)
        value = own[kpi].get(y)
        pos = (stat.position if stat else None) or (0, 0, 0, 0)
        refs = refs_of.get(kpi)
        if refs is None:
            # No member has a value (a year not yet published): no group mean to compute.
            groups_of = compared.get(kpi, []) if (kpi, y) in members_values else []
            refs = refs_of[kpi] = {g.kind: group_reference(g, members_values, kpi, y) for g in groups_of}
        prev_year, prev = bases.get(kpi, (None, None)) if value is not None else (None, None)
        target = targets.get(ind.pk)
        facts = rules.IndicatorFacts(
            direction=ind.direction, value=value, target_kind=ind.target_kind, target=target,
            tolerance=ind.tolerance, published=bool(stat and stat.n), previous_value=prev,
            national_mean=stat.mean if stat else None, band=BAND_NAMES[pos[1]] if pos[1] else None,
            skr_mean=refs["skr"].mean if refs.get("skr") else None,
            similar_mean=refs["similar"].mean if refs.get("similar") else None,
        )  # fmt: skip
        rows.append(IndicatorRow(
            ind, rules.KEY_FIGURE, y, value, target, rules.assess_indicator(facts), prev_year, prev,
            _trend(value, prev, ind.direction), national_mean=facts.national_mean, n=stat.n if stat else 0,
            band=facts.band, rank=pos[0] or None, skr_mean=facts.skr_mean, similar_mean=facts.similar_mean,
            riket=stat.riket if stat else None, series=[(yy, own[kpi][yy]) for yy in sorted(own[kpi]) if yy <= y],
        ))  # fmt: skip
    return rows


class _Stat(NamedTuple):
    n: int
    mean: float | None
    riket: float | None
    position: tuple[int, int, int, int] | None  # the municipality's (rank, band, position, reading)


def _bases(
    own: dict[str, dict[int, float | None]], years_of: dict[str, int], max_fallback_years: int | None
) -> dict[str, tuple[int, float]]:
    """Per KPI, the year and value its change is measured from: the value of the year before its data
    year, or the latest earlier one within the fallback limit (:func:`core.trend.base_rows`, the one rule
    of the base year, for every KPI at once)."""
    kpis = list(own)
    cells = [(k, y, v) for k, kpi in enumerate(kpis) for y, v in own[kpi].items()]
    if not cells:
        return {}
    key, year, value = zip(*cells, strict=True)
    found = trend.base_rows(
        np.array(key), np.array(year), np.array([v is not None for v in value]),
        np.arange(len(kpis)), np.array([years_of[kpi] - 1 for kpi in kpis]), max_fallback_years,
    )  # fmt: skip
    return {kpis[k]: (year[row], value[row]) for k, row in enumerate(found.tolist()) if row >= 0}


def _select(sql: str, params: list) -> list[tuple]:
    """The rows of a plain SQL query. The report's value lists are written as SQL: Django took a
    millisecond or two to build each of these queries, a fifth of the report's time, to read a few
    hundred rows."""
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchall()


# The goal report's queries (SQLite and PostgreSQL alike). A lineage is read as the database's text of
# the UUID (CAST ... AS text), the same for the indicators and their values.
_GOALS_SQL = 'SELECT * FROM store_goal WHERE structure_id = %s ORDER BY "order", id'
_DECISIONS_SQL = (
    "SELECT d.* FROM store_goaldecision d JOIN store_goal g ON g.id = d.goal_id WHERE g.structure_id = %s "
    "AND d.period = %s AND d.status = %s ORDER BY d.decided_at DESC, d.id DESC"
)
_LINKS_SQL = (
    "SELECT l.goal_id, l.committee_id FROM store_goal_committees l JOIN store_goal g ON g.id = l.goal_id "
    "WHERE g.structure_id = %s"
)
_INDICATORS_SQL = (
    "SELECT " + ", ".join(f'i."{f}"' for f in ReportIndicator.FIELDS) + ", CAST(i.lineage AS text) "
    "FROM store_indicator i JOIN store_goal g ON g.id = i.goal_id WHERE g.structure_id = %s "
    'ORDER BY i."order", i.id'
)
_TARGETS_SQL = (
    "SELECT t.indicator_id, t.level FROM store_indicatortarget t JOIN store_indicator i ON i.id = t.indicator_id "
    "JOIN store_goal g ON g.id = i.goal_id WHERE g.structure_id = %s AND t.year = %s"
)
# Own and external values of the structure's indicators' lineages (so earlier years' values too), with
# the year of the structure each was entered in; by year, as IndicatorValue's ordering.
_OWN_VALUES_SQL = (
    "SELECT CAST(i.lineage AS text), s.year, v.year, v.value, v.reference FROM store_indicatorvalue v "
    "JOIN store_indicator i ON i.id = v.indicator_id JOIN store_goal g ON g.id = i.goal_id "
    "JOIN store_goalstructure s ON s.id = g.structure_id "
    "WHERE i.lineage IN (SELECT i2.lineage FROM store_indicator i2 JOIN store_goal g2 ON g2.id = i2.goal_id "
    "WHERE g2.structure_id = %s AND i2.kind <> %s) AND v.period = %s AND v.year <= %s ORDER BY v.year, v.period"
)


# --- a goal across years --------------------------------------------------------------------------


@dataclass
class HistoryEntry:
    year: int
    node: GoalNode


def goal_history(goal: Goal, period: str = Period.YEAR) -> list[HistoryEntry]:
    """The goal in every year's structure that holds its lineage, newest first."""
    out = []
    for g in (
        Goal.objects.filter(lineage=goal.lineage, structure__municipality_id=goal.structure.municipality_id)
        .select_related("structure")
        .order_by("-structure__year")
    ):
        report = goal_report(g.structure.municipality_id, g.structure.year, period, drafts=False)
        out.append(HistoryEntry(g.structure.year, report.node(g.pk)))
    return out
