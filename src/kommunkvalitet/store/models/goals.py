"""Goal follow-up: a municipality's goal structure per year, its indicators, targets, values and the
decisions people make on the assessments. The rules that assess them live in :mod:`core.goals`."""

import uuid

from django.conf import settings
from django.db import models

from kommunkvalitet.core import goals as rules


class Period(models.TextChoices):
    YEAR = "year", "Helår"
    INTERIM = "interim", "Delår"


class Assessment(models.TextChoices):
    MET = rules.MET, "Uppfyllt"
    PARTLY_MET = rules.PARTLY_MET, "Delvis uppfyllt"
    NOT_MET = rules.NOT_MET, "Inte uppfyllt"
    NOT_ASSESSABLE = rules.NOT_ASSESSABLE, "Kan inte bedömas"


class Committee(models.Model):
    """A nämnd (or the kommunstyrelse) that owns goals and indicators."""

    municipality = models.ForeignKey("store.Municipality", on_delete=models.CASCADE, related_name="committees")
    name = models.CharField(max_length=200)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["municipality", "name"], name="unique_committee_name")]

    def __str__(self) -> str:
        return self.name


class GoalStructure(models.Model):
    """A municipality's goals for one year, with the rule its goals are assessed by."""

    class Rule(models.TextChoices):
        SHARE = rules.RULE_SHARE, "Andel av indikatorerna som når målnivån"
        ALL = rules.RULE_ALL, "Alla indikatorer ska nå målnivån"
        WEIGHTED = rules.RULE_WEIGHTED, "Viktad andel"

    municipality = models.ForeignKey("store.Municipality", on_delete=models.CASCADE, related_name="goal_structures")
    year = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=200, default="Kommunfullmäktiges mål")
    rule = models.CharField(max_length=10, choices=Rule.choices, default=Rule.SHARE)
    met_share = models.FloatField(default=rules.DEFAULT_RULE.met_share)
    partly_share = models.FloatField(default=rules.DEFAULT_RULE.partly_share)
    min_assessable_share = models.FloatField(default=rules.DEFAULT_RULE.min_assessable_share)
    subgoals_feed = models.BooleanField(default=True, help_text="Delmålens bedömning räknas in i målets")
    interim_end = models.DateField(null=True, blank=True, help_text="Delårets sista dag, t.ex. 31 augusti")
    copied_from = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="copies")
    # Not empty: the structure is example data, and every page says so with this text.
    example_note = models.TextField(blank=True, default="")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["municipality", "-year"]
        constraints = [models.UniqueConstraint(fields=["municipality", "year"], name="unique_goal_structure_year")]

    def __str__(self) -> str:
        return f"{self.municipality_id} {self.year}: {self.title}"

    def goal_rule(self) -> rules.GoalRule:
        return rules.GoalRule(self.rule, self.met_share, self.partly_share, self.min_assessable_share)


class Goal(models.Model):
    """A council goal (``parent`` empty) or a sub-goal (delmål, nämndmål) under one.

    ``lineage`` is shared by the copies of a goal across years: a goal's history is every goal with
    its lineage.
    """

    structure = models.ForeignKey(GoalStructure, on_delete=models.CASCADE, related_name="goals")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="subgoals")
    perspective = models.CharField(max_length=200, blank=True, default="", help_text="Vision eller perspektiv")
    title = models.CharField(max_length=300)
    description = models.TextField(blank=True, default="")
    order = models.PositiveSmallIntegerField(default=0)
    committees = models.ManyToManyField(Committee, blank=True, related_name="goals")
    lineage = models.UUIDField(default=uuid.uuid4, db_index=True)
    copied_from = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.title


class Indicator(models.Model):
    """What a goal is followed up by: an own (committee) indicator, a Kolada key figure, or a key figure
    from another source entered by hand with its reference value."""

    class Kind(models.TextChoices):
        OWN = "own", "Egen indikator (nämndens)"
        KPI = "kpi", "Nyckeltal från Kolada"
        EXTERNAL = "external", "Nyckeltal från annan källa"

    class Direction(models.TextChoices):
        HIGHER = "higher", "Högre är bättre"
        LOWER = "lower", "Lägre är bättre"
        NONE = "none", "Ingen riktning"

    class TargetKind(models.TextChoices):
        LEVEL = rules.LEVEL, "En målnivå"
        BETTER_THAN_NATIONAL = rules.BETTER_THAN_NATIONAL, "Bättre än rikssnittet"
        BEST_25 = rules.BEST_25, "Bland de 25 procent bästa"
        NOT_WORST_25 = rules.NOT_WORST_25, "Inte bland de 25 procent sämsta"
        BETTER_THAN_SKR = rules.BETTER_THAN_SKR, "Bättre än kommungruppen (SKR)"
        BETTER_THAN_SIMILAR = rules.BETTER_THAN_SIMILAR, "Bättre än liknande kommuner"
        IMPROVED = rules.IMPROVED, "Bättre än föregående värde"

    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="indicators")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.OWN)
    name = models.CharField(max_length=300)
    kpi = models.ForeignKey("store.KPI", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    committee = models.ForeignKey(Committee, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    unit = models.CharField(max_length=40, blank=True, default="")  # a core.formatting unit code
    decimals = models.PositiveSmallIntegerField(default=0)
    direction = models.CharField(max_length=6, choices=Direction.choices, default=Direction.HIGHER)
    target_kind = models.CharField(max_length=24, choices=TargetKind.choices, default=TargetKind.LEVEL)
    tolerance = models.FloatField(null=True, blank=True, help_text="Så långt från målnivån räknas som delvis")
    baseline_value = models.FloatField(null=True, blank=True)
    baseline_year = models.PositiveSmallIntegerField(null=True, blank=True)
    weight = models.FloatField(default=1.0)
    source = models.CharField(max_length=500, blank=True, default="")
    data_year_offset = models.SmallIntegerField(default=0, help_text="-1: uppgifterna avser året före")
    order = models.PositiveSmallIntegerField(default=0)
    lineage = models.UUIDField(default=uuid.uuid4, db_index=True)
    copied_from = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def column(self) -> str:
        return rules.COMMITTEE if self.kind == self.Kind.OWN else rules.KEY_FIGURE


class IndicatorTarget(models.Model):
    """The target level (målnivå) of an indicator for one year."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="targets")
    year = models.PositiveSmallIntegerField()
    level = models.FloatField()

    class Meta:
        ordering = ["year"]
        constraints = [models.UniqueConstraint(fields=["indicator", "year"], name="unique_indicator_target_year")]

    def __str__(self) -> str:
        return f"{self.indicator_id} {self.year}: {self.level}"


class IndicatorValue(models.Model):
    """A value of an own or external indicator for a year and period. Kolada key figures are read from
    the values store instead. ``reference`` is an external key figure's comparison value (riksmedel)."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="values")
    year = models.PositiveSmallIntegerField()
    period = models.CharField(max_length=8, choices=Period.choices, default=Period.YEAR)
    value = models.FloatField(null=True, blank=True)
    reference = models.FloatField(null=True, blank=True)
    note = models.CharField(max_length=500, blank=True, default="")
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    entered_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["year", "period"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "year", "period"], name="unique_indicator_value_period")
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id} {self.year} {self.period}: {self.value}"


class GoalDecision(models.Model):
    """A person's combined assessment of a goal for a period, beside the rules' suggestion at the time.

    Append-only: a new decision is a new row; the latest *published* one is in force, the earlier ones
    are its history. An editor's proposal is ``review`` until a publisher publishes it or sends it back
    (``returned``, with ``review_note``); a publisher's own decision is published at once. A published
    decision keeps the rules' suggestion and the goal's indicator values as they were when it was
    published (``values``: "indicator:<id>:<year>" -> value) and is never changed.
    """

    class Status(models.TextChoices):
        REVIEW = "review", "Klar för granskning"
        RETURNED = "returned", "Skickad tillbaka"
        PUBLISHED = "published", "Publicerad"

    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="decisions")
    period = models.CharField(max_length=8, choices=Period.choices, default=Period.YEAR)
    assessment = models.CharField(max_length=16, choices=Assessment.choices)
    suggestion = models.CharField(max_length=16, choices=Assessment.choices)
    motivation = models.TextField(blank=True, default="")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(auto_now_add=True)
    values = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PUBLISHED)
    review_note = models.TextField(blank=True, default="")

    class Meta:
        ordering = ["-decided_at", "-id"]

    def __str__(self) -> str:
        return f"{self.goal_id} {self.period}: {self.assessment} (förslag {self.suggestion})"

    def save(self, *args, **kwargs):
        stored = type(self).objects.filter(pk=self.pk).values_list("status", flat=True).first() if self.pk else None
        if stored == self.Status.PUBLISHED:
            raise ValueError("a published decision is never changed: a new decision is a new row")
        super().save(*args, **kwargs)


#: The goal follow-up's models, parents first (the data version, the audit log and backups use them).
FOLLOW_UP_MODELS = (Committee, GoalStructure, Goal, Indicator, IndicatorTarget, IndicatorValue, GoalDecision)
