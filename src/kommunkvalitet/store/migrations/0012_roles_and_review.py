# Issue 11: roles per committee (an editor's row may name a committee; existing rows keep their meaning,
# no committee = every committee) and the review workflow of texts (status, the comment of a refusal);
# a decision keeps the indicator values it rests on and goes through review when an editor proposes it
# (existing decisions were made by publishers: published).

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def published_texts_are_published(apps, schema_editor):
    """A text whose draft is what was published starts as published, not as a new draft."""
    Commentary = apps.get_model("store", "Commentary")
    Commentary._default_manager.exclude(published_text="").filter(published_text=models.F("draft_text")).update(
        status="published"
    )


class Migration(migrations.Migration):

    dependencies = [
        ('store', '0011_audit_log'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='editorrole',
            name='unique_editor_role',
        ),
        migrations.AddField(
            model_name='commentary',
            name='review_note',
            field=models.TextField(blank=True, default=''),
        ),
        migrations.AddField(
            model_name='commentary',
            name='status',
            field=models.CharField(choices=[('draft', 'Utkast'), ('review', 'Klar för granskning'), ('returned', 'Skickad tillbaka'), ('published', 'Publicerad')], default='draft', max_length=10),
        ),
        migrations.AddField(
            model_name='editorrole',
            name='committee',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='editor_roles', to='store.committee'),
        ),
        migrations.AlterField(
            model_name='commentaryversion',
            name='action',
            field=models.CharField(choices=[('saved', 'Utkast sparat'), ('submitted', 'Klar för granskning'), ('returned', 'Skickad tillbaka'), ('published', 'Publicerad'), ('unpublished', 'Avpublicerad')], max_length=12),
        ),
        migrations.AlterField(
            model_name='editorrole',
            name='role',
            field=models.CharField(choices=[('reader', 'Läsare (ser utkasten, ändrar inget)'), ('editor', 'Redaktör (skriver utkast)'), ('publisher', 'Publicerare (granskar och publicerar)'), ('admin', 'Administratör (användare, målstruktur, ändringslogg)')], default='editor', max_length=10),
        ),
        migrations.AddConstraint(
            model_name='editorrole',
            constraint=models.UniqueConstraint(condition=models.Q(('committee__isnull', True)), fields=('user', 'municipality'), name='unique_editor_role'),
        ),
        migrations.AddConstraint(
            model_name='editorrole',
            constraint=models.UniqueConstraint(condition=models.Q(('committee__isnull', False)), fields=('user', 'municipality', 'committee'), name='unique_editor_role_committee'),
        ),
        migrations.AddConstraint(
            model_name='editorrole',
            constraint=models.CheckConstraint(condition=models.Q(('committee__isnull', True), ('role', 'editor'), _connector='OR'), name='editor_role_committee_only_for_editors'),
        ),
        migrations.AddField(
            model_name='goaldecision',
            name='values',
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.AddField(
            model_name='goaldecision',
            name='status',
            field=models.CharField(choices=[('review', 'Klar för granskning'), ('returned', 'Skickad tillbaka'), ('published', 'Publicerad')], default='published', max_length=10),
        ),
        migrations.AddField(
            model_name='goaldecision',
            name='review_note',
            field=models.TextField(blank=True, default=''),
        ),
        migrations.RunPython(published_texts_are_published, migrations.RunPython.noop),
    ]
