# The kommuner whose value is not comparable (issue 10, core.plausibility). Existing comparisons get
# an empty map; `kommunkvalitet recompute` fills it (and leaves the flagged values out of the means).

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("store", "0007_dataversion"),
    ]

    operations = [
        migrations.AddField(
            model_name="comparisonstat",
            name="flagged",
            field=models.JSONField(default=dict),
        ),
    ]
