from django.conf import settings
from django.db import models
from django.db.models import Q


class EditorRole(models.Model):
    """A user's role in one municipality (what each role may do: :mod:`store.roles`).

    An editor may have one row per committee (nämnd) she writes for; an editor's row without a committee
    covers every committee of the municipality. The other roles have one row per municipality, without a
    committee. Removing a committee removes its editors' rows with it (never widens them to all).
    Superusers (site administrators) need no row: they may do everything in every municipality.
    """

    class Role(models.TextChoices):
        READER = "reader", "Läsare (ser utkasten, ändrar inget)"
        EDITOR = "editor", "Redaktör (skriver utkast)"
        PUBLISHER = "publisher", "Publicerare (granskar och publicerar)"
        ADMIN = "admin", "Administratör (användare, målstruktur, ändringslogg)"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="kk_roles")
    municipality = models.ForeignKey("store.Municipality", on_delete=models.CASCADE)
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.EDITOR)
    committee = models.ForeignKey(
        "store.Committee", null=True, blank=True, on_delete=models.CASCADE, related_name="editor_roles"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "municipality"], condition=Q(committee__isnull=True), name="unique_editor_role"
            ),
            models.UniqueConstraint(
                fields=["user", "municipality", "committee"],
                condition=Q(committee__isnull=False),
                name="unique_editor_role_committee",
            ),
            models.CheckConstraint(
                condition=Q(committee__isnull=True) | Q(role="editor"), name="editor_role_committee_only_for_editors"
            ),
        ]

    def __str__(self) -> str:
        where = f" ({self.committee})" if self.committee_id else ""
        return f"{self.user} {self.role} {self.municipality_id}{where}"
