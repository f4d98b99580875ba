"""Goal structures from a TOML file: the shipped example (Mark 2017, after seed 002) that ``setup``
loads, and the same format for a municipality that wants to start from a file."""

from __future__ import annotations

import tomllib
from pathlib import Path

from django.db import transaction

from kommunkvalitet.core import goals as rules
from kommunkvalitet.errors import InputError
from kommunkvalitet.store import goals as store_goals
from kommunkvalitet.store.goal_editing import kpi_defaults
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

DEMO_DIR = Path(__file__).resolve().parent.parent / "demo"
DEMO_FILES = (DEMO_DIR / "mark_2017.toml",)

_INDICATOR_KEYS = {
    "kind", "kpi", "name", "committee", "unit", "decimals", "direction", "target_kind", "target", "tolerance",
    "value", "reference", "baseline_value", "baseline_year", "weight", "source", "data_year_offset",
}  # fmt: skip


def load_structure_file(path: Path) -> tuple[GoalStructure, bool]:
    """Load a goal structure; returns it and whether it was created. A structure already stored for
    the municipality and year is left as it is (nothing anyone entered is overwritten)."""
    name = path.name
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as err:
        raise InputError(str(err), file=name) from None
    muni_id, year = str(data.get("municipality", "")), data.get("year")
    if not Municipality.objects.filter(pk=muni_id).exists():
        raise InputError(f"okänd kommun {muni_id!r}", file=name, field="municipality")
    if not isinstance(year, int):
        raise InputError("year måste vara ett årtal", file=name, field="year")
    existing = store_goals.structure(muni_id, year)
    if existing is not None:
        return existing, False
    with transaction.atomic():
        struct = GoalStructure.objects.create(
            municipality_id=muni_id, year=year, title=data.get("title", "Kommunfullmäktiges mål"),
            example_note=data.get("example_note", ""),
        )  # fmt: skip
        committees = {
            c: Committee.objects.get_or_create(municipality_id=muni_id, name=c)[0] for c in data.get("committees", [])
        }
        goals: dict[str, Goal] = {}
        decisions: list[tuple[Goal, str, str]] = []
        for order, g in enumerate(data.get("goals", [])):
            where = f"goals[{order}]"
            parent = g.get("parent")
            if parent is not None and parent not in goals:
                raise InputError(f"okänt överordnat mål {parent!r} (det måste stå före)", file=name, field=where)
            goal = Goal.objects.create(
                structure=struct, parent=goals.get(parent), title=g["title"], perspective=g.get("perspective", ""),
                description=g.get("description", ""), order=order,
            )  # fmt: skip
            goal.committees.set([committees[c] for c in g.get("committees", [])])
            goals[g.get("key", str(order))] = goal
            if "decision" in g:
                decisions.append((goal, g["decision"], g.get("motivation", "")))
            for i, spec in enumerate(g.get("indicators", [])):
                _indicator(struct, goal, committees, spec, i, f"{where}.indicators[{i}]", name)
        for goal, assessment, motivation in decisions:
            node = store_goals.goal_report(muni_id, year, drafts=False).node(goal.pk)
            d = rules.check_decision(node.assessment.suggestion, rules.Decision(assessment, motivation))
            GoalDecision.objects.create(goal=goal, assessment=d.assessment, suggestion=node.assessment.suggestion,
                                        motivation=d.motivation, values=store_goals.decision_values(node))  # fmt: skip
    return struct, True


def _indicator(struct, goal, committees, spec: dict, order: int, where: str, name: str) -> None:
    unknown = set(spec) - _INDICATOR_KEYS
    if unknown:
        raise InputError(f"okända fält {', '.join(sorted(unknown))}", file=name, field=where)
    kind = spec.get("kind", Indicator.Kind.OWN)
    kpi = None
    fields: dict = {}
    if kind == Indicator.Kind.KPI:
        kpi = KPI.objects.filter(pk=spec.get("kpi")).first()
        if kpi is None:
            raise InputError(f"nyckeltalet {spec.get('kpi')!r} finns inte i databasen", file=name, field=where)
        fields = {k: v for k, v in (kpi_defaults(kpi.pk) or {}).items() if k != "name"}
    fields.update({k: spec[k] for k in ("unit", "decimals", "direction", "data_year_offset") if k in spec})
    ind = Indicator.objects.create(
        goal=goal, kind=kind, kpi=kpi, name=spec.get("name") or (kpi.title if kpi else ""),
        committee=committees.get(spec.get("committee")), target_kind=spec.get("target_kind", rules.LEVEL),
        tolerance=spec.get("tolerance"), baseline_value=spec.get("baseline_value"),
        baseline_year=spec.get("baseline_year"), weight=spec.get("weight", 1.0), source=spec.get("source", ""),
        order=order, **fields,
    )  # fmt: skip
    if "target" in spec:
        IndicatorTarget.objects.create(indicator=ind, year=struct.year, level=spec["target"])
    if "value" in spec or "reference" in spec:
        if kind == Indicator.Kind.KPI:
            raise InputError("ett nyckeltal från Kolada får sina värden från Kolada", file=name, field=where)
        IndicatorValue.objects.create(
            indicator=ind, year=struct.year, value=spec.get("value"), reference=spec.get("reference")
        )


def load_demo() -> list[tuple[GoalStructure, bool]]:
    """Load the shipped example structures (skipping those already there)."""
    return [load_structure_file(path) for path in DEMO_FILES]
