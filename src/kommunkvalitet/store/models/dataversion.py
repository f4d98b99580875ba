from django.db import models


class DataVersion(models.Model):
    """A counter per scope that every write moving a public page advances in its own transaction.

    ``data``: values, comparisons, municipalities, groups, boundaries, KPIs (imports, syncs, recomputes);
    ``texts``: any published text whose municipality is unknown; ``texts:<municipality id>``: that
    municipality's published commentary and goal follow-up. See :mod:`kommunkvalitet.store.dataversion`.
    """

    scope = models.CharField(max_length=40, primary_key=True)
    version = models.BigIntegerField()

    def __str__(self) -> str:
        return f"{self.scope} {self.version}"
