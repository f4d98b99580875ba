from django.db import models

from kommunkvalitet.core.comparison import unpack_position


class ComparisonStat(models.Model):
    """The comparison of all kommuner on one KPI, year and gender, kept current by imports and sync.

    ``positions`` maps a municipality id to its packed code ``rank << 8 | band << 5 | position << 2 |
    reading`` (the integer codes of ``core.comparison``; 0 = none; :meth:`position_of` unpacks it) for
    every kommun with a comparable value (``flagged`` holds the others). Packed, the JSON of 20,000 rows
    is 40 MB, not 90, and PostgreSQL parses it into ``jsonb`` three times faster.
    It is derived data: recomputed from the values whenever an import or a sync touches the KPI-year,
    never edited.
    """

    kpi = models.ForeignKey("store.KPI", on_delete=models.CASCADE, db_constraint=False, db_index=False)
    year = models.PositiveSmallIntegerField()
    gender = models.CharField(max_length=1)
    direction = models.CharField(max_length=6)  # the direction it was computed with
    n = models.PositiveIntegerField()
    mean = models.FloatField(null=True)
    median = models.FloatField(null=True)
    min = models.FloatField(null=True)
    max = models.FloatField(null=True)
    sd = models.FloatField(null=True)
    riket = models.FloatField(null=True)  # Riket (0000) as the source gives it: weighted
    positions = models.JSONField(default=dict)
    # The kommuner whose value is not comparable (core.plausibility): {"0380": "impossible"}. They
    # have a value but are left out of n, the mean, the median, the ranks and the bands.
    flagged = models.JSONField(default=dict)
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kpi", "year", "gender"], name="unique_comparison_per_kpi_year_gender")
        ]

    def __str__(self) -> str:
        return f"{self.kpi_id} {self.year} {self.gender}: n={self.n} mean={self.mean}"

    def position_of(self, municipality_id: str | None) -> tuple[int, int, int, int] | None:
        """(rank, band, position, reading) of a kommun, or None if it has none here."""
        return unpack_position(self.positions.get(municipality_id)) if municipality_id else None
