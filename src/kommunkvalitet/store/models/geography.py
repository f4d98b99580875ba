from django.db import models


class Municipality(models.Model):
    """A kommun, a region, or Riket (``0000``), with Kolada's 4-digit id."""

    class Type(models.TextChoices):
        KOMMUN = "kommun", "Kommun"
        REGION = "region", "Region"
        NATIONAL = "national", "Riket"

    id = models.CharField(primary_key=True, max_length=4)
    name = models.CharField(max_length=100)
    type = models.CharField(max_length=10, choices=Type.choices)
    county = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="municipalities")

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["type", "name"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.id})"


class MunicipalityGroup(models.Model):
    """A comparison group: county, SKR kommungrupp, liknande kommuner, network or custom list."""

    class Kind(models.TextChoices):
        COUNTY = "county", "Län"
        SKR = "skr", "SKR kommungrupp"
        SIMILAR = "similar", "Liknande kommuner"
        SIZE = "size", "Storleksgrupp"
        ALL = "all", "Alla kommuner"
        NETWORK = "network", "Nätverk"
        CUSTOM = "custom", "Egen grupp"

    id = models.CharField(primary_key=True, max_length=20)
    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    # For "liknande kommuner": the theme (äldreomsorg, IFO ...), the year in the title, and whose group.
    area = models.CharField(max_length=60, blank=True, default="")
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    focus = models.ForeignKey(
        Municipality, null=True, blank=True, on_delete=models.CASCADE, related_name="similar_groups"
    )
    members = models.ManyToManyField(Municipality, through="GroupMember", related_name="member_of")

    class Meta:
        ordering = ["kind", "title"]
        indexes = [models.Index(fields=["kind", "focus", "area", "year"])]

    def __str__(self) -> str:
        return self.title


class GroupMember(models.Model):
    group = models.ForeignKey(MunicipalityGroup, on_delete=models.CASCADE)
    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["group", "municipality"], name="unique_group_member")]

    def __str__(self) -> str:
        return f"{self.group_id}: {self.municipality_id}"


class MunicipalityShape(models.Model):
    """A kommun's boundary for maps, projected and simplified once at import (``core.geo``).

    The paths are SVG path data in ``core.geo``'s grid (100 m units, y downwards), at two levels of
    detail: ``national`` for the map of the whole country, ``county`` for a county's map. ``bbox`` is
    the county-level outline's box in the same grid.
    """

    municipality = models.OneToOneField(Municipality, primary_key=True, on_delete=models.CASCADE, related_name="shape")
    national = models.TextField()
    county = models.TextField()
    x0 = models.IntegerField()
    y0 = models.IntegerField()
    x1 = models.IntegerField()
    y1 = models.IntegerField()
    source = models.CharField(max_length=200)  # the snapshot file it came from

    def __str__(self) -> str:
        return f"{self.municipality_id} ({len(self.national)} + {len(self.county)} characters)"
