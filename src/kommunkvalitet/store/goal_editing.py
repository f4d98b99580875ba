"""Building a municipality's goal structure: the write functions behind the editing forms
(web/views/goal_editing.py) and copying a year's structure to the next. Each asks :mod:`store.roles`
first (the structure and its goals: a municipality's administrator; an indicator: an editor of its
committee); mistakes a user can make are raised as :class:`InputError` naming the form field. Reading and
assessing a structure is :mod:`store.goals`."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence

from django.db import transaction

from kommunkvalitet.core import goals as rules
from kommunkvalitet.core.measuresets import measure_sets
from kommunkvalitet.errors import InputError, KommunkvalitetError
from kommunkvalitet.store import roles
from kommunkvalitet.store.models import (
    KPI,
    Committee,
    Goal,
    GoalDecision,
    GoalStructure,
    Indicator,
    IndicatorTarget,
    IndicatorValue,
    Municipality,
)


def _same_day(day, year: int):
    try:
        return day.replace(year=year)
    except ValueError:  # 29 February
        return day.replace(year=year, day=28)


@transaction.atomic
def copy_to_next_year(user, source: GoalStructure) -> GoalStructure:
    """Copy a year's structure to the next year: goals, sub-goals, committees and indicators with
    their targets, keeping each goal's and indicator's lineage (its history). Values and decisions
    are not copied: they belong to the year they were made for."""
    roles.require_manage(user, source.municipality_id)
    year = source.year + 1
    if GoalStructure.objects.filter(municipality_id=source.municipality_id, year=year).exists():
        raise KommunkvalitetError(f"det finns redan en målstruktur för {year}")
    new = GoalStructure.objects.create(
        municipality_id=source.municipality_id, year=year, title=source.title, rule=source.rule,
        met_share=source.met_share, partly_share=source.partly_share,
        min_assessable_share=source.min_assessable_share, subgoals_feed=source.subgoals_feed,
        interim_end=_same_day(source.interim_end, year) if source.interim_end else None,
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
        for t in later:  # one by one, so that the audit log sees each (a structure has tens of indicators)
            IndicatorTarget.objects.create(indicator=ind, year=t.year, level=t.level)
    return new


STRUCTURE_SETTINGS = ("title", "rule", "met_share", "partly_share", "min_assessable_share", "subgoals_feed",
                      "interim_end")  # fmt: skip
TARGET_KINDS_FOR: dict[str, tuple[str, ...]] = {
    "own": (rules.LEVEL,),  # the Indicator.Kind values
    "external": (rules.LEVEL, rules.BETTER_THAN_NATIONAL),
    "kpi": rules.TARGET_KINDS,
}


def _input_error(message: str, field: str | None = None) -> InputError:
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
    return list(Committee.objects.filter(municipality_id=municipality_id))


def _committee(municipality_id: str, name: str):
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
    roles.require_manage(user, municipality_id)
    if not Municipality.objects.filter(pk=municipality_id).exists():
        raise _input_error(f"okänd kommun {municipality_id!r}")
    if GoalStructure.objects.filter(municipality_id=municipality_id, year=year).exists():
        raise _input_error(f"det finns redan en målstruktur för {year}", "year")
    return GoalStructure.objects.create(municipality_id=municipality_id, year=year, **_settings(values))


@transaction.atomic
def update_structure(user, struct: GoalStructure, **values) -> GoalStructure:
    roles.require_manage(user, struct.municipality_id)
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
    committee_ids: Sequence[int] = (), new_committees: Sequence[str] = (),
) -> Goal:  # fmt: skip
    """Create (``goal`` None) or change a goal or sub-goal, with its committees (existing ones by id,
    new ones by name, created for the municipality)."""
    roles.require_manage(user, struct.municipality_id)
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
    struct = goal.structure
    roles.require_editor(user, struct.municipality_id)
    if indicator is not None:  # moving an indicator to another committee needs the right in both
        roles.require_edit(user, struct.municipality_id, roles.indicator_committees(indicator), "indikatorer")
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
        roles.require_manage(user, struct.municipality_id, "lägga till nämnder")
        committee = _committee(struct.municipality_id, new_committee)
    elif committee_id is not None:
        committee = Committee.objects.filter(municipality_id=struct.municipality_id, pk=committee_id).first()
        if committee is None:
            raise _input_error("den nämnden finns inte", "committee")
    roles.require_edit(user, struct.municipality_id, {committee.pk if committee else None}, "indikatorer")
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


# --- removing -------------------------------------------------------------------------------------


def removal_counts(goal: Goal | None = None, indicator: Indicator | None = None) -> dict[str, int]:
    """What removing a goal (with its sub-goals) or one indicator takes with it: sub-goals, indicators,
    entered values and decisions. The confirmation page says it before anything is removed."""
    if indicator is not None:
        return {"subgoals": 0, "indicators": 1, "values": indicator.values.count(), "decisions": 0}
    assert goal is not None
    ids = [goal.pk, *goal_descendants(goal)]
    return {
        "subgoals": len(ids) - 1,
        "indicators": Indicator.objects.filter(goal_id__in=ids).count(),
        "values": IndicatorValue.objects.filter(indicator__goal_id__in=ids).count(),
        "decisions": GoalDecision.objects.filter(goal_id__in=ids).count(),
    }


@transaction.atomic
def remove_goal(user, goal: Goal) -> dict[str, int]:
    """Remove a goal with its sub-goals, indicators, values and decisions (from this year only; the
    same goal in other years keeps its own). Its published texts stay in the commentary history."""
    roles.require_manage(user, goal.structure.municipality_id)
    counts = removal_counts(goal=goal)
    goal.delete()
    return counts


@transaction.atomic
def remove_indicator(user, indicator: Indicator) -> dict[str, int]:
    roles.require_edit(user, indicator.goal.structure.municipality_id, roles.indicator_committees(indicator),
                       "indikatorer")  # fmt: skip
    counts = removal_counts(indicator=indicator)
    indicator.delete()
    return counts
