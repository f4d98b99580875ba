"""Read queries the web, reports and CLI use; views never build queries of their own."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q

from kommunkvalitet.core.text import swedish_sort_key
from kommunkvalitet.store.models import KPI, Municipality, MunicipalityGroup, Value


def kommuner(search: str = "") -> list[Municipality]:
    """All kommuner (not regions, not Riket) in Swedish alphabetical order; ``search`` filters on
    name or code."""
    qs = Municipality.objects.filter(type=Municipality.Type.KOMMUN)
    search = search.strip()
    if search:
        qs = qs.filter(Q(name__icontains=search) | Q(id__startswith=search))
    return sorted(qs, key=lambda m: swedish_sort_key(m.name))


@dataclass(frozen=True)
class MunicipalityProfile:
    municipality: Municipality
    county_names: list[str]
    skr_groups: list[MunicipalityGroup]
    similar_groups: list[MunicipalityGroup]
    value_count: int
    years: list[int]


def municipality_profile(municipality_id: str) -> MunicipalityProfile:
    muni = Municipality.objects.select_related("county").get(pk=municipality_id)
    member_groups = list(MunicipalityGroup.objects.filter(groupmember__municipality=muni, kind__in=["county", "skr"]))
    similar = list(
        MunicipalityGroup.objects.filter(kind=MunicipalityGroup.Kind.SIMILAR, focus=muni)
        .annotate(n=Count("groupmember"))
        .prefetch_related("members")
        .order_by("area", "-year")
    )
    # Filtering on every KPI id lets the (kpi, municipality, ...) key serve the lookup: values have
    # no index on municipality alone (it would slow the import by a quarter).
    values = Value.objects.filter(kpi_id__in=KPI.objects.values_list("id", flat=True), municipality=muni)
    stats = values.aggregate(n=Count("id"))
    years = sorted(values.values_list("year", flat=True).distinct())
    return MunicipalityProfile(
        municipality=muni,
        county_names=[g.title.replace("läns kommuner", "län") for g in member_groups if g.kind == "county"],
        skr_groups=[g for g in member_groups if g.kind == "skr"],
        similar_groups=similar,
        value_count=stats["n"],
        years=years,
    )
