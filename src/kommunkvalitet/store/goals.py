"""Goal follow-up in the store: building and copying goal structures, entering targets, values and
decisions, and the goal report (every goal assessed by :mod:`core.goals`) in a bounded number of
queries. Views, the CLI and the spreadsheet import call only this."""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from types import SimpleNamespace

import numpy as np
from django.db import transaction
from django.db.models import Q

from kommunkvalitet.core import goals as rules
from kommunkvalitet.core import trend
from kommunkvalitet.core.comparison import BAND_NAMES
from kommunkvalitet.core.goals_text import GoalDraft, GoalDraftInput, IndicatorLine, draft_goal
from kommunkvalitet.core.measuresets import measure_sets
from kommunkvalitet.core.text import matches
from kommunkvalitet.errors import KommunkvalitetError
from kommunkvalitet.store import commentary
from kommunkvalitet.store.comparison import current_settings
from kommunkvalitet.store.models import (
    KPI,
    Commentary,
    ComparisonStat,
    Goal,
    GoalDecision,
    GoalStructure,
    Indicator,
    IndicatorTarget,
    IndicatorValue,
    Municipality,
    Period,
    Value,
)
from kommunkvalitet.store.report import group_reference, group_values, groups_for

TEXT_SET = "goals"  # Commentary.measure_set of goal texts; the area is "goal-<id>-<period>"


class StructureNotFound(KommunkvalitetError):
    """No goal structure for that municipality and year."""


# --- permissions (the commentary roles: editors edit, publishers also publish) -------------------


def can_edit(user, municipality_id: str) -> bool:
    return commentary.can_edit(user, municipality_id)


def can_publish(user, municipality_id: str) -> bool:
    return commentary.can_publish(user, municipality_id)


def require_edit(user, municipality_id: str) -> None:
    if not can_edit(user, municipality_id):
        raise commentary.PermissionDenied("du har inte behörighet att redigera den här kommunens mål")


def text_place(goal: Goal, period: str) -> commentary.Place:
    """Where a goal's text lives in the commentary store (same draft/publish flow as KKiK texts)."""
    return commentary.Place(goal.structure.municipality_id, TEXT_SET, f"goal-{goal.pk}-{period}")


# --- structures -----------------------------------------------------------------------------------


def structure(municipality_id: str, year: int) -> GoalStructure | None:
    return GoalStructure.objects.filter(municipality_id=municipality_id, year=year).first()


def years_with_structures(municipality_id: str) -> list[int]:
    return list(
        GoalStructure.objects.filter(municipality_id=municipality_id).order_by("-year").values_list("year", flat=True)
    )


def default_data_year_offset(kpi_id: str) -> int:
    """A KPI's data lag as the shipped measure sets give it (0 when it is in none)."""
    for ms in measure_sets():
        for m in ms.measures:
            if m.kpi == kpi_id:
                return m.data_year_offset
    return 0


@transaction.atomic
def copy_to_next_year(user, source: GoalStructure) -> GoalStructure:
    """Copy a year's structure to the next year: goals, sub-goals, committees and indicators with
    their targets, keeping each goal's and indicator's lineage (its history). Values and decisions
    are not copied: they belong to the year they were made for."""
    require_edit(user, source.municipality_id)
    year = source.year + 1
    if GoalStructure.objects.filter(municipality_id=source.municipality_id, year=year).exists():
        raise KommunkvalitetError(f"det finns redan en målstruktur för {year}")
    new = GoalStructure.objects.create(
        municipality_id=source.municipality_id, year=year, title=source.title, rule=source.rule,
        met_share=source.met_share, partly_share=source.partly_share,
        min_assessable_share=source.min_assessable_share, subgoals_feed=source.subgoals_feed,
        interim_end=source.interim_end.replace(year=year) if source.interim_end else None,
        copied_from=source, example_note=source.example_note,
    )  # fmt: skip
    goal_map: dict[int, Goal] = {}
    old_goals = list(source.goals.order_by("parent_id", "order", "id").prefetch_related("committees"))
    pending = [g for g in old_goals if g.parent_id is None]
    children = defaultdict(list)
    for g in old_goals:
        if g.parent_id is not None:
            children[g.parent_id].append(g)
    while pending:  # parents before their sub-goals
        g = pending.pop(0)
        copy = Goal.objects.create(
            structure=new, parent=goal_map.get(g.parent_id), perspective=g.perspective, title=g.title,
            description=g.description, order=g.order, lineage=g.lineage, copied_from=g,
        )  # fmt: skip
        copy.committees.set(g.committees.all())
        goal_map[g.pk] = copy
        pending.extend(children[g.pk])
    for ind in Indicator.objects.filter(goal__structure=source).prefetch_related("targets"):
        old_id = ind.pk
        targets = list(ind.targets.all())
        ind.pk = None
        ind.goal = goal_map[ind.goal_id]
        ind.copied_from_id = old_id
        ind.save()
        # Targets: those for the new year and later; else the latest one carried forward.
        later = [t for t in targets if t.year >= year]
        if not later and targets:
            later = [IndicatorTarget(year=year, level=targets[-1].level)]
        IndicatorTarget.objects.bulk_create(IndicatorTarget(indicator=ind, year=t.year, level=t.level) for t in later)
    return new


def set_target(user, indicator: Indicator, year: int, level: float | None) -> None:
    require_edit(user, indicator.goal.structure.municipality_id)
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
    require_edit(user, indicator.goal.structure.municipality_id)
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
    if not can_publish(user, municipality_id):
        raise commentary.PermissionDenied("du har inte behörighet att fatta beslut om den här kommunens mål")
    node = goal_report(municipality_id, goal.structure.year, period, drafts=False).node(goal.pk)
    decision = rules.check_decision(node.assessment.suggestion, rules.Decision(assessment, motivation))
    return GoalDecision.objects.create(
        goal=goal, period=period, assessment=decision.assessment, suggestion=node.assessment.suggestion,
        motivation=decision.motivation, decided_by=user,
    )  # fmt: skip


def search_kpis(query: str, limit: int = 20) -> list[KPI]:
    """KPIs whose id or title holds every word of ``query``, forgiving case and å/ä/ö as a/a/o;
    KPIs with values in the store first."""
    query = query.strip()
    if not query:
        return []
    rows = KPI.objects.values_list("id", "title", "is_retired")
    hits = [(kpi_id, title, retired) for kpi_id, title, retired in rows if matches(query, f"{kpi_id} {title}")]
    hits.sort(key=lambda h: (h[2], len(h[1])))
    found = {k.pk: k for k in KPI.objects.filter(pk__in=[h[0] for h in hits[:limit]])}
    return [found[h[0]] for h in hits[:limit]]


# --- the report -----------------------------------------------------------------------------------


@dataclass
class IndicatorRow:
    indicator: Indicator
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
    drafts: dict[str, GoalDraft]
    text: Commentary | None  # the published text, if any

    @property
    def committee_rows(self) -> list[IndicatorRow]:
        return [r for r in self.indicators if r.column == rules.COMMITTEE]

    @property
    def key_figure_rows(self) -> list[IndicatorRow]:
        return [r for r in self.indicators if r.column == rules.KEY_FIGURE]


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
    struct = (
        GoalStructure.objects.select_related("municipality").filter(municipality_id=municipality_id, year=year).first()
    )
    if struct is None:
        raise StructureNotFound(f"ingen målstruktur för {municipality_id} {year}")
    goals = list(Goal.objects.filter(structure=struct).prefetch_related("committees"))
    for g in goals:
        g.structure = struct
    indicators = list(
        Indicator.objects.filter(goal__structure=struct).select_related("kpi", "committee").prefetch_related("targets")
    )
    rows = _indicator_rows(struct, indicators, period)
    decisions = defaultdict(list)
    for d in GoalDecision.objects.filter(goal__structure=struct, period=period).select_related("decided_by"):
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
                               by_goal[g.pk], [], {}, texts.get(f"goal-{g.pk}-{period}"))  # fmt: skip
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
            draft_input = GoalDraftInput(
                title=node.goal.title, assessment=node.assessment,
                indicators=tuple(r.line() for r in node.indicators), year=struct.year,
            )  # fmt: skip
            node.drafts = {lang: draft_goal(draft_input, lang) for lang in ("sv", "en")}
    return report


def _latest(decisions: dict[int, list[GoalDecision]], goal_id: int) -> GoalDecision | None:
    history = decisions.get(goal_id)
    return history[0] if history else None


def _indicator_rows(struct: GoalStructure, indicators: list[Indicator], period: str) -> list[IndicatorRow]:
    year = struct.year
    rows: list[IndicatorRow] = []
    own = [i for i in indicators if i.kind != Indicator.Kind.KPI]
    kpi_inds = [i for i in indicators if i.kind == Indicator.Kind.KPI and i.kpi_id]

    # Own and external values: this year's and earlier years' of the same lineage (the history).
    series: dict[object, dict[int, IndicatorValue]] = defaultdict(dict)
    if own:
        for v in IndicatorValue.objects.filter(
            indicator__lineage__in={i.lineage for i in own}, period=period, year__lte=year
        ).select_related("indicator__goal__structure"):
            # The value entered in that year's own structure wins over one entered elsewhere.
            bucket = series[v.indicator.lineage]
            if v.year not in bucket or v.indicator.goal.structure.year == v.year:
                bucket[v.year] = v
    for ind in own:
        values = series.get(ind.lineage, {})
        this = values.get(year)
        earlier = [(y, v) for y, v in sorted(values.items()) if y < year and v.value is not None]
        if not earlier and ind.baseline_value is not None and (ind.baseline_year or 0) < year:
            earlier = [(ind.baseline_year, SimpleNamespace(value=ind.baseline_value))]
        prev_year, prev = earlier[-1] if earlier else (None, None)
        value = this.value if this else None
        target = _target(ind, year)
        facts = rules.IndicatorFacts(
            direction=ind.direction, value=value, target_kind=ind.target_kind, target=target,
            tolerance=ind.tolerance, previous_value=prev.value if prev else None,
            national_mean=this.reference if this else None,
        )  # fmt: skip
        rows.append(IndicatorRow(
            ind, ind.column, year, value, target, rules.assess_indicator(facts), prev_year,
            prev.value if prev else None, _trend(value, prev.value if prev else None, ind.direction),
            national_mean=this.reference if this else None,
            series=[(y, v.value) for y, v in sorted(values.items())],
        ))  # fmt: skip
    if kpi_inds:
        rows.extend(_kpi_rows(struct, kpi_inds))
    order = {ind.pk: i for i, ind in enumerate(indicators)}
    rows.sort(key=lambda r: order[r.indicator.pk])
    return rows


def _target(ind: Indicator, year: int) -> float | None:
    for t in ind.targets.all():
        if t.year == year:
            return t.level
    return None


def _trend(value: float | None, previous: float | None, direction: str) -> str | None:
    if value is None or previous is None:
        return None
    sign = {"higher": 1, "lower": -1}.get(direction, 0)
    if value == previous:
        return "unchanged"
    if sign == 0:
        return "increased" if value > previous else "decreased"
    return "improved" if (value - previous) * sign > 0 else "worsened"


def _kpi_rows(struct: GoalStructure, inds: list[Indicator]) -> list[IndicatorRow]:
    """Kolada key figures, evaluated with the comparison engine's stored results for the data year."""
    muni_id = struct.municipality_id
    years_of = {i.kpi_id: struct.year + i.data_year_offset for i in inds}
    kpis = sorted(years_of)
    first = min(years_of.values()) - 8
    own: dict[str, dict[int, float | None]] = defaultdict(dict)
    for kpi, y, v in Value.objects.filter(
        kpi_id__in=kpis, municipality_id=muni_id, gender="T", year__range=(first, max(years_of.values()))
    ).values_list("kpi_id", "year", "value"):
        own[kpi][y] = v
    pairs = Q()
    for kpi, y in years_of.items():
        pairs |= Q(kpi_id=kpi, year=y)
    stats = {s.kpi_id: s for s in ComparisonStat.objects.filter(pairs, gender="T")}
    measures = [SimpleNamespace(kpi=i.kpi_id, label=i.name) for i in inds]
    kpi_meta = {i.kpi_id: i.kpi for i in inds}
    groups = groups_for(struct.municipality, measures, kpi_meta, years_of)
    members_values = group_values(groups, kpis, years_of)
    settings = current_settings()
    rows = []
    for ind in inds:
        kpi, y = ind.kpi_id, years_of[ind.kpi_id]
        stat = stats.get(kpi)
        value = own[kpi].get(y)
        pos = (stat.positions.get(muni_id) if stat else None) or [0, 0, 0, 0]
        refs = {g.kind: group_reference(g, members_values, kpi, y) for g in groups.get(kpi, [])}
        prev_year = prev = None
        if value is not None:
            years = sorted(yy for yy in own[kpi] if yy <= y)
            series = np.array([[own[kpi][yy] if own[kpi][yy] is not None else np.nan] for yy in years])
            ch = trend.change(np.array([muni_id], dtype=object), series, years, ind.direction,
                              year=y, settings=settings).municipality(muni_id)  # fmt: skip
            prev_year, prev = ch.base_year, ch.base_value
        target = _target(ind, struct.year)
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


# --- editing the structure ------------------------------------------------------------------------
# The write functions behind the editing forms (web/views/goal_editing.py): each checks the user's
# role first. Mistakes a user can make are raised as InputError naming the form field.

STRUCTURE_SETTINGS = ("title", "rule", "met_share", "partly_share", "min_assessable_share", "subgoals_feed",
                      "interim_end")  # fmt: skip
TARGET_KINDS_FOR = {
    Indicator.Kind.OWN: (rules.LEVEL,),
    Indicator.Kind.EXTERNAL: (rules.LEVEL, rules.BETTER_THAN_NATIONAL),
    Indicator.Kind.KPI: rules.TARGET_KINDS,
}


def _input_error(message: str, field: str | None = None):
    from kommunkvalitet.errors import InputError

    return InputError(message, field=field)


def _settings(values: dict) -> dict:
    unknown = set(values) - set(STRUCTURE_SETTINGS)
    if unknown:
        raise KommunkvalitetError(f"okända inställningar: {', '.join(sorted(unknown))}")
    if values.get("rule") is not None or "met_share" in values:
        try:
            rules.GoalRule(values.get("rule", rules.RULE_SHARE), values.get("met_share", 0.75),
                           values.get("partly_share", 0.5), values.get("min_assessable_share", 0.5))  # fmt: skip
        except rules.InvalidRule as err:
            raise _input_error(str(err), "partly_share") from None
    return values


def committees(municipality_id: str) -> list:
    from kommunkvalitet.store.models import Committee

    return list(Committee.objects.filter(municipality_id=municipality_id))


def _committee(municipality_id: str, name: str):
    from kommunkvalitet.store.models import Committee

    name = " ".join(name.split())
    if not name:
        return None
    if len(name) > 200:
        raise _input_error("ett nämndnamn får vara högst 200 tecken", "new_committees")
    found = Committee.objects.filter(municipality_id=municipality_id, name__iexact=name).first()
    return found or Committee.objects.create(municipality_id=municipality_id, name=name)


def get_goal(struct: GoalStructure, goal_id: int) -> Goal | None:
    goal = Goal.objects.filter(structure=struct, pk=goal_id).prefetch_related("committees").first()
    if goal is not None:
        goal.structure = struct
    return goal


def get_indicator(struct: GoalStructure, indicator_id: int) -> Indicator | None:
    ind = (
        Indicator.objects.filter(goal__structure=struct, pk=indicator_id)
        .select_related("goal", "kpi", "committee")
        .first()
    )
    if ind is not None:
        ind.goal.structure = struct
    return ind


def goals_of(struct: GoalStructure) -> list[Goal]:
    return list(Goal.objects.filter(structure=struct))


def indicator_entries(indicator: Indicator, year: int) -> dict:
    """The target level and the entered values (by period) of an indicator for a year, for a form."""
    target = IndicatorTarget.objects.filter(indicator=indicator, year=year).values_list("level", flat=True).first()
    values = {v.period: v for v in IndicatorValue.objects.filter(indicator=indicator, year=year)}
    return {"target": target, "values": values}


def kpis(ids: list[str]) -> list[KPI]:
    found = {k.pk: k for k in KPI.objects.filter(pk__in=list(ids))}
    return [found[i] for i in ids if i in found]


def kpi_defaults(kpi_id: str) -> dict | None:
    """What a key figure indicator starts from: Kolada's title, and unit, decimals, direction and data
    lag from the shipped measure sets when the KPI is in one (else Kolada's direction)."""
    kpi = KPI.objects.filter(pk=kpi_id).first()
    if kpi is None:
        return None
    out = {"name": kpi.title, "unit": "", "decimals": 0, "direction": kpi.direction, "data_year_offset": 0}
    for ms in measure_sets():
        for m in ms.measures:
            if m.kpi == kpi_id:
                out.update(unit=m.unit, decimals=m.decimals, direction=m.direction,
                           data_year_offset=m.data_year_offset)  # fmt: skip
                return out
    return out


@transaction.atomic
def create_structure(user, municipality_id: str, year: int, **values) -> GoalStructure:
    require_edit(user, municipality_id)
    if not Municipality.objects.filter(pk=municipality_id).exists():
        raise _input_error(f"okänd kommun {municipality_id!r}")
    if GoalStructure.objects.filter(municipality_id=municipality_id, year=year).exists():
        raise _input_error(f"det finns redan en målstruktur för {year}", "year")
    return GoalStructure.objects.create(municipality_id=municipality_id, year=year, **_settings(values))


@transaction.atomic
def update_structure(user, struct: GoalStructure, **values) -> GoalStructure:
    require_edit(user, struct.municipality_id)
    for k, v in _settings(values).items():
        setattr(struct, k, v)
    struct.save()
    return struct


def goal_descendants(goal: Goal) -> set[int]:
    """The ids of a goal's sub-goals, their sub-goals and so on."""
    children = defaultdict(list)
    for gid, parent in Goal.objects.filter(structure_id=goal.structure_id).values_list("id", "parent_id"):
        children[parent].append(gid)
    out, todo = set(), [goal.pk]
    while todo:
        for c in children[todo.pop()]:
            if c not in out:
                out.add(c)
                todo.append(c)
    return out


@transaction.atomic
def save_goal(
    user, struct: GoalStructure, goal: Goal | None = None, *, title: str, perspective: str = "",
    description: str = "", order: int | None = None, parent_id: int | None = None,
    committee_ids: list[int] = (), new_committees: list[str] = (),
) -> Goal:  # fmt: skip
    """Create (``goal`` None) or change a goal or sub-goal, with its committees (existing ones by id,
    new ones by name, created for the municipality)."""
    from kommunkvalitet.store.models import Committee

    require_edit(user, struct.municipality_id)
    title = title.strip()
    if not title:
        raise _input_error("målet behöver en rubrik", "title")
    parent = None
    if parent_id is not None:
        parent = Goal.objects.filter(structure=struct, pk=parent_id).first()
        if parent is None:
            raise _input_error("det målet finns inte i årets målstruktur", "parent")
        if goal is not None and (parent.pk == goal.pk or parent.pk in goal_descendants(goal)):
            raise _input_error("ett mål kan inte vara delmål till sig självt eller till sina egna delmål", "parent")
    if order is None:
        if goal is not None and goal.parent_id == (parent.pk if parent else None):
            order = goal.order
        else:
            siblings = Goal.objects.filter(structure=struct, parent=parent).exclude(pk=goal.pk if goal else None)
            order = max((g.order for g in siblings), default=0) + 1
    if goal is None:
        goal = Goal(structure=struct)
    goal.parent, goal.title, goal.perspective = parent, title, perspective.strip()
    goal.description, goal.order = description.strip(), order
    goal.save()
    chosen = list(Committee.objects.filter(municipality_id=struct.municipality_id, pk__in=list(committee_ids)))
    chosen += [c for c in (_committee(struct.municipality_id, n) for n in new_committees) if c is not None]
    goal.committees.set(chosen)
    return goal


@transaction.atomic
def save_indicator(
    user, goal: Goal, indicator: Indicator | None = None, *, kind: str, name: str = "", kpi_id: str | None = None,
    committee_id: int | None = None, new_committee: str = "", unit: str | None = None,
    decimals: int | None = None, direction: str | None = None, target_kind: str = rules.LEVEL,
    tolerance: float | None = None, baseline_value: float | None = None, baseline_year: int | None = None,
    weight: float = 1.0, source: str = "", data_year_offset: int | None = None, order: int | None = None,
) -> Indicator:  # fmt: skip
    """Create (``indicator`` None) or change an indicator of a goal. For a Kolada key figure, ``name``,
    ``unit``, ``decimals``, ``direction`` and ``data_year_offset`` left None (or empty) come from the
    KPI (:func:`kpi_defaults`)."""
    from kommunkvalitet.store.models import Committee

    struct = goal.structure
    require_edit(user, struct.municipality_id)
    if kind not in Indicator.Kind.values:
        raise _input_error(f"okänt slag av indikator {kind!r}", "kind")
    if target_kind not in TARGET_KINDS_FOR[kind]:
        allowed = ", ".join(str(Indicator.TargetKind(k).label) for k in TARGET_KINDS_FOR[kind])
        raise _input_error(f"för det här slaget av indikator går det bara: {allowed}", "target_kind")
    if direction is not None and direction not in Indicator.Direction.values:
        raise _input_error(f"okänd riktning {direction!r}", "direction")
    if weight is None or not math.isfinite(weight) or weight < 0:
        raise _input_error("vikten måste vara ett tal från 0 och uppåt", "weight")
    defaults: dict = {}
    kpi = None
    if kind == Indicator.Kind.KPI:
        defaults = kpi_defaults(kpi_id or "") or {}
        if not defaults:
            raise _input_error(f"nyckeltalet {kpi_id!r} finns inte i Kolada-katalogen", "kpi")
        kpi = kpi_id
    name = (name or "").strip() or defaults.get("name", "")
    if not name:
        raise _input_error("indikatorn behöver ett namn", "name")
    if direction is None:
        if kind != Indicator.Kind.KPI:
            raise _input_error("välj en riktning", "direction")
        direction = defaults["direction"]
    committee = None
    if new_committee and new_committee.strip():
        committee = _committee(struct.municipality_id, new_committee)
    elif committee_id is not None:
        committee = Committee.objects.filter(municipality_id=struct.municipality_id, pk=committee_id).first()
        if committee is None:
            raise _input_error("den nämnden finns inte", "committee")
    if indicator is None:
        indicator = Indicator(goal=goal)
        if order is None:
            order = max(goal.indicators.values_list("order", flat=True), default=0) + 1
    fields = {
        "kind": kind, "name": name, "kpi_id": kpi, "committee": committee,
        "unit": unit if unit is not None else defaults.get("unit", ""),
        "decimals": decimals if decimals is not None else defaults.get("decimals", 0),
        "direction": direction, "target_kind": target_kind, "tolerance": tolerance,
        "baseline_value": baseline_value, "baseline_year": baseline_year, "weight": weight,
        "source": (source or "").strip(),
        "data_year_offset": data_year_offset if data_year_offset is not None else defaults.get("data_year_offset", 0),
    }  # fmt: skip
    if order is not None:
        fields["order"] = order
    for k, v in fields.items():
        setattr(indicator, k, v)
    for v, what in ((tolerance, "tolerance"), (baseline_value, "baseline_value")):
        if v is not None and (not math.isfinite(v) or abs(v) > 1e12):
            raise _input_error(f"{v!r} är inget rimligt tal", what)
    indicator.save()
    return indicator
