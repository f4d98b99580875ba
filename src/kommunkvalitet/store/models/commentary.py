from django.conf import settings
from django.db import models


class PublicCommentaryManager(models.Manager):
    """Only what has been published: the public pages read through this and nothing else."""

    def get_queryset(self):
        return super().get_queryset().exclude(published_text="")


class Commentary(models.Model):
    """The municipality's own text for one area (``kpi`` empty) or one measure, in one edition.

    It has a draft (what editors work on) and a published version (what citizens see). The draft goes
    draft -> ready for review (``review``) -> published, or back from review (``returned``, with the
    publisher's comment in ``review_note``). Publishing copies the draft and remembers the values it
    spoke of, so that a later revision of a figure can be flagged on the page; a new edit makes a new
    draft while the published text stays. Every step is also written to :class:`CommentaryVersion`
    (append-only), so nothing a user wrote is lost.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", "Utkast"
        REVIEW = "review", "Klar för granskning"
        RETURNED = "returned", "Skickad tillbaka"
        PUBLISHED = "published", "Publicerad"

    municipality = models.ForeignKey("store.Municipality", on_delete=models.CASCADE)
    measure_set = models.CharField(max_length=60)  # measure set slug, e.g. "kkik_2022"
    area = models.CharField(max_length=60)
    kpi = models.CharField(max_length=20, blank=True, default="")
    draft_text = models.TextField(blank=True, default="")
    draft_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    draft_at = models.DateTimeField(null=True)
    published_text = models.TextField(blank=True, default="")
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    published_at = models.DateTimeField(null=True)
    # {"<kpi>:<year>": value} of the figures on the page when the text was published
    published_values = models.JSONField(default=dict)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    review_note = models.TextField(blank=True, default="")  # why the publisher sent the draft back

    public_objects = PublicCommentaryManager()
    private_objects = models.Manager()

    class Meta:
        default_manager_name = "private_objects"
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "measure_set", "area", "kpi"], name="unique_commentary_per_place"
            )
        ]

    def __str__(self) -> str:
        return f"{self.municipality_id} {self.measure_set} {self.area} {self.kpi or '(område)'}"


class CommentaryVersion(models.Model):
    """Append-only history of every save and publication of a commentary."""

    class Action(models.TextChoices):
        SAVED = "saved", "Utkast sparat"
        SUBMITTED = "submitted", "Klar för granskning"
        RETURNED = "returned", "Skickad tillbaka"
        PUBLISHED = "published", "Publicerad"
        UNPUBLISHED = "unpublished", "Avpublicerad"

    commentary = models.ForeignKey(Commentary, on_delete=models.CASCADE, related_name="versions")
    action = models.CharField(max_length=12, choices=Action.choices)
    text = models.TextField(blank=True, default="")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.commentary} {self.action} {self.at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("a commentary version is never changed: the history is append-only")
        super().save(*args, **kwargs)
