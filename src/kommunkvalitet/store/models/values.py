from django.db import models


class RowIdField(models.BigAutoField):
    """An auto id without SQLite's AUTOINCREMENT, which costs a fifth of the import's speed.

    Plain SQLite rowids are still always above the largest id present when a row is inserted, which
    is all ``store.values`` relies on to count the rows a write added.
    """

    def db_type_suffix(self, connection):
        if connection.vendor == "sqlite":
            return None
        return super().db_type_suffix(connection)


class Value(models.Model):
    """One figure: a KPI for a municipality, year and gender. A missing value is null, never zero."""

    class Gender(models.TextChoices):
        TOTAL = "T", "Totalt"
        WOMEN = "K", "Kvinnor"
        MEN = "M", "Män"

    # No foreign-key constraints or single-column indexes: the unique key below (kpi first) serves
    # every lookup we make, and each extra index costs a third of the import's speed.
    id = RowIdField(primary_key=True)
    kpi = models.ForeignKey("store.KPI", on_delete=models.DO_NOTHING, db_constraint=False, db_index=False)
    municipality = models.ForeignKey(
        "store.Municipality", on_delete=models.DO_NOTHING, db_constraint=False, db_index=False
    )
    year = models.PositiveSmallIntegerField()
    gender = models.CharField(max_length=1, choices=Gender.choices)
    value = models.FloatField(null=True)
    status = models.CharField(max_length=20, blank=True, default="")
    count = models.IntegerField(null=True)
    # Revisions: the value this one replaced and when, so pages can flag comments on revised figures.
    previous_value = models.FloatField(null=True)
    changed_at = models.DateTimeField(null=True)
    imported_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["kpi", "municipality", "year", "gender"], name="unique_value_per_kpi_muni_year_gender"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kpi_id} {self.municipality_id} {self.year} {self.gender}: {self.value}"
