"""The data model: the only place that knows the schema."""

from kommunkvalitet.store.models.audit import AuditEntry
from kommunkvalitet.store.models.commentary import Commentary, CommentaryVersion
from kommunkvalitet.store.models.comparison import ComparisonStat
from kommunkvalitet.store.models.dataversion import DataVersion
from kommunkvalitet.store.models.geography import GroupMember, Municipality, MunicipalityGroup, MunicipalityShape
from kommunkvalitet.store.models.goals import (
    Committee,
    Goal,
    GoalDecision,
    GoalStructure,
    Indicator,
    IndicatorTarget,
    IndicatorValue,
    Period,
)
from kommunkvalitet.store.models.importlog import ImportLog
from kommunkvalitet.store.models.kpi import KPI
from kommunkvalitet.store.models.ledger import SyncKpiYear, SyncRun
from kommunkvalitet.store.models.roles import EditorRole
from kommunkvalitet.store.models.values import Value

__all__ = [
    "KPI",
    "AuditEntry",
    "Commentary",
    "Committee",
    "CommentaryVersion",
    "ComparisonStat",
    "DataVersion",
    "EditorRole",
    "Goal",
    "GoalDecision",
    "GoalStructure",
    "GroupMember",
    "ImportLog",
    "Indicator",
    "IndicatorTarget",
    "IndicatorValue",
    "Municipality",
    "MunicipalityGroup",
    "MunicipalityShape",
    "Period",
    "SyncKpiYear",
    "SyncRun",
    "Value",
]
