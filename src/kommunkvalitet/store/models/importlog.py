from django.db import models


class ImportLog(models.Model):
    """One file or sync step taken in, with what it did."""

    source = models.CharField(max_length=20)  # "snapshot" or "kolada"
    file = models.CharField(max_length=500)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True)
    added = models.PositiveIntegerField(default=0)
    changed = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    deleted = models.PositiveIntegerField(default=0)
    ok = models.BooleanField(default=False)
    message = models.TextField(blank=True, default="")

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.source} {self.file} +{self.added} ~{self.changed} ={self.unchanged} !{self.rejected}"
