"""The data model: the only place that knows the schema."""

from kommunkvalitet.store.models.commentary import Commentary, CommentaryVersion, EditorRole
from kommunkvalitet.store.models.comparison import ComparisonStat
from kommunkvalitet.store.models.geography import GroupMember, Municipality, MunicipalityGroup
from kommunkvalitet.store.models.importlog import ImportLog
from kommunkvalitet.store.models.kpi import KPI
from kommunkvalitet.store.models.values import Value

__all__ = [
    "KPI",
    "Commentary",
    "CommentaryVersion",
    "ComparisonStat",
    "EditorRole",
    "GroupMember",
    "ImportLog",
    "Municipality",
    "MunicipalityGroup",
    "Value",
]
