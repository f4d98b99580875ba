# Roles per committee (issue 11): an editor's row may name a committee; existing rows keep their
# meaning (no committee = every committee of the municipality), so no data changes.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


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
            model_name='editorrole',
            name='committee',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='editor_roles', to='store.committee'),
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
    ]
