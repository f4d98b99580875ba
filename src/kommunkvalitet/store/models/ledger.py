from django.db import models


class SyncRun(models.Model):
    """One sync run: what it asked Kolada for, how far it got and what it did.

    A run that fails or is killed stays unfinished (``running`` or ``failed``, no ``finished_at``); the
    next run of the same plan within a day continues it (``attempts`` goes up) and skips the KPI-years
    in :class:`SyncKpiYear`. The totals are those of all its KPI-years, over every attempt.
    """

    class Status(models.TextChoices):
        RUNNING = "running", "pågår eller avbröts"
        OK = "ok", "klar"
        FAILED = "failed", "misslyckades"
        ABANDONED = "abandoned", "övergiven"

    plan = models.CharField(max_length=12)  # store.sync.plan_key: the same KPIs, years and since
    kpis = models.JSONField(default=list)
    years = models.JSONField(default=list)
    since = models.DateField(null=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RUNNING)
    started_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True)
    attempts = models.PositiveIntegerField(default=1)
    added = models.PositiveIntegerField(default=0)
    changed = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    deleted = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    requests = models.PositiveIntegerField(default=0)
    # seconds: the longest value transaction of any attempt (what a web save waited at most); None: none yet
    longest_transaction = models.FloatField(null=True)
    notes = models.JSONField(default=list)  # [{"kind": ..., "ids": [...], "text": ...}]
    error = models.TextField(blank=True, default="")

    class Meta:
        indexes = [models.Index(fields=["plan", "started_at"], name="syncrun_plan_started")]

    def __str__(self) -> str:
        return f"sync #{self.pk} {self.plan} {self.status} +{self.added} ~{self.changed} -{self.deleted}"


class SyncKpiYear(models.Model):
    """A KPI-year a sync run committed, written in the same transaction as its values."""

    run = models.ForeignKey(SyncRun, on_delete=models.CASCADE, related_name="kpi_years")
    kpi = models.CharField(max_length=20)
    year = models.PositiveSmallIntegerField()
    added = models.PositiveIntegerField(default=0)
    changed = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    deleted = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    committed_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["run", "kpi", "year"], name="unique_sync_kpi_year_per_run")]

    def __str__(self) -> str:
        return f"{self.kpi} {self.year} +{self.added} ~{self.changed} ={self.unchanged} -{self.deleted}"
