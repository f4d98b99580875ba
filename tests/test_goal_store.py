"""Goal follow-up in the store, on the real test database: the Mark 2017 example, key figures from the
comparison engine (data-year lag, unpublished years, group targets), copying a year, decisions, the
query budget and the KPI search."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User

from goal_fixtures import build_large_structure
from kommunkvalitet.core import goals as rules
from kommunkvalitet.errors import KommunkvalitetError
from kommunkvalitet.store import goal_editing, goals
from kommunkvalitet.store.demo import load_demo
from kommunkvalitet.store.models import (
    EditorRole,
    Goal,
    GoalDecision,
    GoalStructure,
    Indicator,
    IndicatorTarget,
    IndicatorValue,
)
from kommunkvalitet.store.roles import PermissionDenied

pytestmark = pytest.mark.django_db


@pytest.fixture
def mark():
    ((struct, created),) = load_demo()
    assert created
    return struct


@pytest.fixture
def publisher():
    user = User.objects.create_user("pub", password="x-long-password-1")
    EditorRole.objects.create(user=user, municipality_id="1463", role=EditorRole.Role.PUBLISHER)
    return user


@pytest.fixture
def admin():
    user = User.objects.create_user("adm", password="x-long-password-1")
    EditorRole.objects.create(user=user, municipality_id="1463", role=EditorRole.Role.ADMIN)
    return user


@pytest.fixture
def editor():
    user = User.objects.create_user("ed", password="x-long-password-1")
    EditorRole.objects.create(user=user, municipality_id="1463", role=EditorRole.Role.EDITOR)
    return user


def _row(report, name_start):
    return next(r for n in report.nodes() for r in n.indicators if r.indicator.name.startswith(name_start))


def test_the_mark_2017_example_gives_the_seeds_figures_and_assessments(mark):
    report = goals.goal_report("1463", 2017)
    continuity = _row(report, "Personalkontinuitet")
    assert (round(continuity.value), round(continuity.national_mean)) == (19, 15)
    assert continuity.result.assessment == rules.NOT_MET and continuity.band == "worst"
    assert [round(x) for x in (_row(report, "Brukare som är ganska eller mycket nöjda med sitt").value,
                               _row(report, "Brukare som är ganska eller mycket nöjda med sitt").national_mean)] == [81, 83]  # fmt: skip
    home = _row(report, "Brukare som är ganska eller mycket nöjda med sin hemtjänst")
    assert (round(home.value), round(home.national_mean), home.result.assessment) == (94, 92, rules.MET)

    (top,) = report.goals
    individual, quality, preventive = top.children
    assert individual.assessment.committee.assessment == rules.PARTLY_MET  # 2 of 3 plans at target
    assert individual.assessment.key_figures.reason == rules.R_NO_INDICATORS
    q = quality.assessment
    assert (q.committee.n_assessable, q.committee.n_met, q.committee.assessment) == (9, 5, rules.PARTLY_MET)
    assert q.key_figures.assessment == rules.NOT_MET  # one of seven key figures better than the mean
    assert q.suggestion == rules.NOT_MET and q.overall == rules.PARTLY_MET and q.decision_differs
    assert "kvalitetsbrister" in quality.decision.motivation
    assert preventive.assessment.overall == rules.NOT_ASSESSABLE
    assert preventive.indicators[0].result.reason == rules.R_NO_TARGET
    assert report.structure.example_note.startswith("Exempel")


def test_loading_the_example_again_changes_nothing(mark):
    counts = (Goal.objects.count(), Indicator.objects.count(), IndicatorValue.objects.count(),
              GoalDecision.objects.count())  # fmt: skip
    ((struct, created),) = load_demo()
    assert not created and struct.pk == mark.pk
    assert counts == (Goal.objects.count(), Indicator.objects.count(), IndicatorValue.objects.count(),
                      GoalDecision.objects.count())  # fmt: skip


def _kpi_structure(year=2017, **indicator):
    struct = GoalStructure.objects.create(municipality_id="1463", year=year)
    goal = Goal.objects.create(structure=struct, title="Mål")
    fields = {"kind": "kpi", "kpi_id": "U21401", "name": "Kontinuitet", "direction": "lower",
              "target_kind": rules.BETTER_THAN_NATIONAL, **indicator}  # fmt: skip
    ind = Indicator.objects.create(goal=goal, **fields)
    return struct, ind


def test_a_key_figure_whose_data_lags_reads_the_earlier_year():
    _kpi_structure(year=2018, data_year_offset=-1)
    row = goals.goal_report("1463", 2018).goals[0].indicators[0]
    assert row.data_year == 2017 and round(row.value) == 19


def test_a_year_not_yet_published_cannot_be_assessed():
    _kpi_structure(year=2031)
    row = goals.goal_report("1463", 2031).goals[0].indicators[0]
    assert (row.result.assessment, row.result.reason) == (rules.NOT_ASSESSABLE, rules.R_NOT_PUBLISHED)


@pytest.mark.parametrize("kind", [rules.BETTER_THAN_SKR, rules.BETTER_THAN_SIMILAR, rules.BEST_25,
                                  rules.NOT_WORST_25, rules.IMPROVED])  # fmt: skip
def test_every_key_figure_target_kind_is_evaluated_on_the_real_data(kind):
    _kpi_structure(target_kind=kind)
    row = goals.goal_report("1463", 2017).goals[0].indicators[0]
    assert row.result.assessment in rules.ASSESSABLE, row.result
    if kind == rules.BETTER_THAN_SKR:
        assert row.skr_mean is not None and row.result.reference == row.skr_mean
    if kind == rules.BEST_25:
        assert row.result.assessment == rules.NOT_MET  # Mark is among the worst quarter in 2017
    if kind == rules.IMPROVED:
        assert row.previous_year == 2016 and row.previous_value is not None


def test_a_level_target_of_a_key_figure_uses_the_target_of_the_year():
    struct, ind = _kpi_structure(target_kind=rules.LEVEL, tolerance=1)
    IndicatorTarget.objects.create(indicator=ind, year=2017, level=18)
    row = goals.goal_report("1463", 2017).goals[0].indicators[0]
    assert row.target == 18 and row.result.assessment == rules.PARTLY_MET  # 19 staff, one above 18


def test_copying_a_year_keeps_each_goals_history(mark, editor, admin):
    with pytest.raises(PermissionDenied):  # the structure is the administrator's
        goal_editing.copy_to_next_year(editor, mark)
    new = goal_editing.copy_to_next_year(admin, mark)
    assert new.year == 2018 and new.copied_from == mark and new.example_note == mark.example_note
    old_goals = {g.lineage: g for g in mark.goals.all()}
    assert {g.lineage for g in new.goals.all()} == set(old_goals)
    assert not IndicatorValue.objects.filter(indicator__goal__structure=new).exists()  # values belong to a year
    carried = IndicatorTarget.objects.filter(
        indicator__goal__structure=new, indicator__name__endswith="genomförandeplan, hemtjänst"
    )
    assert [(t.year, t.level) for t in carried] == [(2018, 95)]  # the latest target carried forward
    sub = new.goals.get(title__startswith="Allt arbete")
    assert sub.parent.title.startswith("I Mark ska") and sub.parent.structure == new
    history = goals.goal_history(sub)
    assert [h.year for h in history] == [2018, 2017]
    assert history[1].node.assessment.committee.n_met == 5
    # the 2017 values show as the previous values in 2018
    plan = goals.goal_report("1463", 2018).node(sub.pk).indicators[0]
    assert plan.previous_year == 2017 and plan.value is None
    with pytest.raises(KommunkvalitetError, match="redan"):
        goal_editing.copy_to_next_year(admin, mark)


def test_a_decision_differing_from_the_suggestion_needs_a_motivation(mark, publisher, editor):
    quality = Goal.objects.get(structure=mark, title__startswith="Allt arbete")
    before = GoalDecision.objects.count()
    with pytest.raises(rules.MotivationRequired):
        goals.record_decision(publisher, quality, "year", rules.MET, "  ")
    with pytest.raises(PermissionDenied):
        goals.record_decision(editor, quality, "year", rules.NOT_MET, "")
    assert GoalDecision.objects.count() == before
    goals.record_decision(publisher, quality, "year", rules.NOT_MET, "")  # the suggestion needs none
    node = goals.goal_report("1463", 2017).node(quality.pk)
    assert node.assessment.overall == rules.NOT_MET and not node.assessment.decision_differs
    assert [d.assessment for d in node.decisions] == [rules.NOT_MET, rules.PARTLY_MET]  # both kept


def test_entering_a_value_changes_the_assessment(mark, editor):
    plan = Indicator.objects.get(goal__structure=mark, name__endswith="hemtjänst", kind="own")
    goals.set_value(editor, plan, 2017, "year", 96)
    node = goals.goal_report("1463", 2017).node(plan.goal_id)
    assert node.assessment.committee.assessment == rules.MET
    with pytest.raises(KommunkvalitetError):
        goals.set_value(editor, plan, 2017, "year", float("inf"))


def test_the_report_needs_the_same_few_queries_for_300_indicators(django_assert_max_num_queries):
    build_large_structure("1463", 2019, goals=30, indicators=300)
    build_large_structure("1463", 2020, goals=3, indicators=6)
    for year in (2019, 2020):
        with django_assert_max_num_queries(15):
            goals.goal_report("1463", year)
    assert len(goals.goal_report("1463", 2019).nodes()) == 30


@pytest.mark.parametrize(("query", "kpi"), [("vantetid sarskilt boende", "U23401"),
                                            ("PERSONALKONTINUITET", "U21401"), ("u21468", "U21468")])  # fmt: skip
def test_kpi_search_forgives_case_and_swedish_letters(query, kpi):
    assert kpi in [k.pk for k in goals.search_kpis(query)]
