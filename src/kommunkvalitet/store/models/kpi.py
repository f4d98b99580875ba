from django.db import models


class KPI(models.Model):
    """A Kolada key figure (nyckeltal) with our own direction, which Kolada does not provide."""

    class Direction(models.TextChoices):
        HIGHER = "higher", "Högre är bättre"
        LOWER = "lower", "Lägre är bättre"
        NONE = "none", "Ingen riktning"

    id = models.CharField(primary_key=True, max_length=20)
    title = models.TextField()
    description = models.TextField(blank=True, default="")
    operating_area = models.CharField(max_length=200, blank=True, default="")
    perspective = models.CharField(max_length=100, blank=True, default="")
    is_divided_by_gender = models.BooleanField(default=False)
    municipality_type = models.CharField(max_length=1, blank=True, default="")
    unit = models.CharField(max_length=40, blank=True, default="")
    direction = models.CharField(max_length=6, choices=Direction.choices, default=Direction.NONE)
    is_retired = models.BooleanField(default=False, help_text="Not in the current Kolada catalogue")

    class Meta:
        ordering = ["id"]
        verbose_name = "KPI"

    def __str__(self) -> str:
        return f"{self.id} {self.title}"
