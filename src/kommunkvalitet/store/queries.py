"""Read queries the web, reports and CLI use; views never build queries of their own."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q

from kommunkvalitet.store.models import Municipality, MunicipalityGroup, Value


def kommuner(search: str = ""):
    """All kommuner (not regions, not Riket), by name; ``search`` filters on name or id."""
    qs = Municipality.objects.filter(type=Municipality.Type.KOMMUN).select_related("county")
    search = search.strip()
    if search:
        qs = qs.filter(Q(name__icontains=search) | Q(id__startswith=search))
    return qs.order_by("name")


@dataclass(frozen=True)
class MunicipalityProfile:
    municipality: Municipality
    county_groups: list[MunicipalityGroup]
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
    stats = Value.objects.filter(municipality=muni).aggregate(n=Count("id"))
    years = sorted(Value.objects.filter(municipality=muni).values_list("year", flat=True).distinct())
    return MunicipalityProfile(
        municipality=muni,
        county_groups=[g for g in member_groups if g.kind == "county"],
        skr_groups=[g for g in member_groups if g.kind == "skr"],
        similar_groups=similar,
        value_count=stats["n"],
        years=years,
    )
