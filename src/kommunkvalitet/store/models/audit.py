from django.conf import settings
from django.db import models


class AuditEntry(models.Model):
    """One change to something users created: who, when, what, before and after. Append-only: the model
    refuses updates and deletes (store/audit.py writes it; nothing else does)."""

    class Action(models.TextChoices):
        CREATED = "created", "Skapad"
        CHANGED = "changed", "Ändrad"
        DELETED = "deleted", "Borttagen"

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    actor = models.CharField(max_length=200)  # the user name, or "kommandorad: <command>": kept if the user goes
    municipality = models.ForeignKey(
        "store.Municipality", null=True, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    action = models.CharField(max_length=10, choices=Action.choices)
    object_type = models.CharField(max_length=100)  # e.g. store.indicatorvalue
    object_id = models.CharField(max_length=100)
    before = models.JSONField(null=True)
    after = models.JSONField(null=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["municipality", "-at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor} {self.action} {self.object_type} {self.object_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("the audit log is append-only: an entry is never changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("the audit log is append-only: an entry is never deleted")
