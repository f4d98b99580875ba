"""Roles per municipality and committee (store.roles), on the real test database with the Mark 2017
example (two committees: Socialnämnden and Barn- och utbildningsnämnden): what each role may do, that
every write in the store asks, and that the editing pages refuse by the same rule."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.test import Client

from kommunkvalitet.store import commentary, goal_editing, goals, roles
from kommunkvalitet.store.demo import load_demo
from kommunkvalitet.store.goal_sheets import export_structure, import_structure
from kommunkvalitet.store.models import Commentary, Committee, EditorRole, Goal, Indicator, IndicatorValue

pytestmark = pytest.mark.django_db
MUNI, OTHER = "1463", "2284"  # Mark, Örnsköldsvik
SOCIAL, SCHOOL = "Socialnämnden", "Barn- och utbildningsnämnden"


@pytest.fixture
def mark():
    ((struct, _),) = load_demo()
    return struct


def _committee(name: str) -> Committee:
    return Committee.objects.get(municipality_id=MUNI, name=name)


def _user(name: str, role: str | None = None, *committees: str, municipality: str = MUNI, **kw) -> User:
    user = User.objects.create_user(name, password="hemligt-lösen-9", **kw)
    if role:
        for c in committees or (None,):
            EditorRole.objects.create(
                user=user, municipality_id=municipality, role=role, committee=_committee(c) if c else None
            )
    return user


def _indicator(struct, committee: str) -> Indicator:
    return Indicator.objects.filter(goal__structure=struct, committee__name=committee, kind="own").first()


def test_each_role_includes_the_one_before_and_an_editor_is_bound_to_her_committees(mark):
    social, school = _committee(SOCIAL).pk, _committee(SCHOOL).pk
    reader = roles.rights(_user("lasare", roles.READER), MUNI)
    assert reader.may_view_drafts and not reader.is_editor and not reader.may_edit([social])
    scoped = roles.rights(_user("soc", roles.EDITOR, SOCIAL), MUNI)
    assert scoped.may_edit([social]) and scoped.may_edit([school, social]) and not scoped.may_edit([school])
    assert not scoped.may_edit() and not scoped.may_publish  # the KKiK texts belong to no committee
    everywhere = roles.rights(_user("red", roles.EDITOR), MUNI)
    assert everywhere.committees is None and everywhere.may_edit() and everywhere.may_edit([school])
    assert not everywhere.may_publish and not everywhere.may_manage
    publisher = roles.rights(_user("pub", roles.PUBLISHER), MUNI)
    assert publisher.may_publish and publisher.may_edit([school]) and not publisher.may_manage
    admin = _user("adm", roles.ADMIN)
    assert roles.rights(admin, MUNI).may_manage and roles.rights(admin, MUNI).may_publish
    assert roles.managed_municipalities(admin) == [MUNI]
    assert not roles.rights(admin, OTHER).may_view_drafts  # another municipality: nothing
    site = _user("site", is_superuser=True)
    assert roles.rights(site, OTHER).may_manage and roles.managed_municipalities(site) is None
    gone = _user("slutat", roles.ADMIN, is_active=False)
    assert not roles.rights(gone, MUNI).may_view_drafts and roles.managed_municipalities(gone) == []


def test_every_write_in_the_store_asks_the_roles(mark):
    social_ind, school_ind = _indicator(mark, SOCIAL), _indicator(mark, SCHOOL)
    soc = _user("soc", roles.EDITOR, SOCIAL)
    before = IndicatorValue.objects.get(indicator=school_ind, year=2017, period="year").value
    with pytest.raises(roles.PermissionDenied, match="för den nämnden"):
        goals.set_value(soc, school_ind, 2017, "year", 1.0)
    assert IndicatorValue.objects.get(indicator=school_ind, year=2017, period="year").value == before
    goals.set_value(soc, social_ind, 2017, "year", 42.0)
    assert IndicatorValue.objects.get(indicator=social_ind, year=2017, period="year").value == 42.0
    with pytest.raises(roles.PermissionDenied):  # moving her indicator to another committee
        goal_editing.save_indicator(soc, social_ind.goal, social_ind, kind="own", name="x", direction="higher",
                                    committee_id=_committee(SCHOOL).pk)  # fmt: skip
    assert Indicator.objects.get(pk=social_ind.pk).committee.name == SOCIAL
    with pytest.raises(roles.PermissionDenied):
        goal_editing.remove_indicator(soc, school_ind)
    with pytest.raises(roles.PermissionDenied):  # the structure is the administrator's
        goal_editing.save_goal(soc, mark, social_ind.goal, title="Nytt namn")
    with pytest.raises(roles.PermissionDenied):
        goals.record_decision(soc, social_ind.goal, "year", "met", "")
    # a goal's text: an editor of one of the goal's committees; a KKiK text: an editor of every committee
    school_goal = Goal.objects.create(structure=mark, title="Fler behöriga lärare")
    school_goal.committees.set([_committee(SCHOOL)])
    with pytest.raises(roles.PermissionDenied):
        goals.save_text(soc, school_goal, "year", "Text", based_on="")
    goals.save_text(soc, social_ind.goal, "year", "Vår text", based_on="")
    kkik = commentary.Place(MUNI, "kkik_2022", "stod_och_omsorg")
    with pytest.raises(roles.PermissionDenied):
        commentary.save_draft(soc, kkik, "Text", based_on="")
    with pytest.raises(roles.PermissionDenied):
        commentary.save_draft(_user("lasare", roles.READER), kkik, "Text", based_on="")
    assert not Commentary.private_objects.filter(measure_set="kkik_2022").exists()
    commentary.save_draft(_user("red", roles.EDITOR), kkik, "Text", based_on="")


def test_a_committee_editor_imports_only_her_committees_rows(mark):
    soc = _user("soc", roles.EDITOR, SOCIAL)
    school_ind = _indicator(mark, SCHOOL)
    IndicatorValue.objects.filter(indicator=school_ind).delete()  # the export now lacks it; the file adds it back
    data = export_structure(mark)
    IndicatorValue.objects.create(indicator=school_ind, year=2017, period="year", value=5.0)
    before = sorted(IndicatorValue.objects.values_list("pk", "value"))
    with pytest.raises(roles.PermissionDenied, match=str(school_ind.pk)):
        import_structure(mark, data, "mal.xlsx", soc)  # the file would remove the school's value
    assert sorted(IndicatorValue.objects.values_list("pk", "value")) == before
    assert import_structure(mark, export_structure(mark), "mal.xlsx", soc).changed == 0  # her own: fine


def test_removing_a_committee_removes_its_editors_rights_and_never_widens_them(mark):
    soc = _user("soc", roles.EDITOR, SOCIAL)
    _committee(SOCIAL).delete()
    assert not EditorRole.objects.filter(user=soc).exists()
    assert not roles.rights(soc, MUNI).may_edit()


def test_a_committee_is_only_for_an_editors_row(mark):
    user = _user("pub")
    with pytest.raises(IntegrityError), transaction.atomic():
        EditorRole.objects.create(user=user, municipality_id=MUNI, role=roles.PUBLISHER, committee=_committee(SOCIAL))
    EditorRole.objects.create(user=user, municipality_id=MUNI, role=roles.EDITOR, committee=_committee(SOCIAL))
    EditorRole.objects.create(user=user, municipality_id=MUNI, role=roles.EDITOR, committee=_committee(SCHOOL))
    with pytest.raises(IntegrityError), transaction.atomic():
        EditorRole.objects.create(user=user, municipality_id=MUNI, role=roles.EDITOR, committee=_committee(SCHOOL))
    assert roles.rights(user, MUNI).committees == {_committee(SOCIAL).pk, _committee(SCHOOL).pk}


def test_the_editing_pages_refuse_by_the_same_rule(mark):
    base = f"/kommun/{MUNI}/mal/2017/redigera/"
    school_ind = _indicator(mark, SCHOOL)
    reader, soc = Client(), Client()
    reader.force_login(_user("lasare", roles.READER))
    soc.force_login(_user("soc", roles.EDITOR, SOCIAL))
    page = reader.get(base)
    assert page.status_code == 200 and "Spara inställningarna" not in page.content.decode()
    assert reader.post(base, {"title": "x"}).status_code == 403
    assert reader.get(f"{base}indikator/{school_ind.pk}/").status_code == 200  # sees, cannot save
    assert reader.post(f"{base}indikator/{school_ind.pk}/", {"name": "x"}).status_code == 403
    assert soc.post(f"{base}indikator/{school_ind.pk}/", {"name": "x"}).status_code == 403
    assert soc.get(f"{base}indikator/{school_ind.pk}/ta-bort/").status_code == 403
    assert soc.get(f"{base}mal/ny/").status_code == 403
    assert soc.get(f"{base}indikator/{_indicator(mark, SOCIAL).pk}/ta-bort/").status_code == 200
    area = f"/kommun/{MUNI}/2022/stod_och_omsorg/redigera/"
    assert reader.get(area).status_code == 200 and "Spara utkast" not in reader.get(area).content.decode()
    assert soc.post(area, {"text": "x", "based_on": "", "action": "save"}).status_code == 403
    assert Indicator.objects.get(pk=school_ind.pk).name == school_ind.name
