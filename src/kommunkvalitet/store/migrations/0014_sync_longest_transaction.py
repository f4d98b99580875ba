# Issue 12: a sync run records its longest value transaction (seconds of SQLite's write lock, what a web
# save beside it waited at most); runs before this have none.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("store", "0013_comparison_lz4"),
    ]

    operations = [
        migrations.AddField(
            model_name="syncrun",
            name="longest_transaction",
            field=models.FloatField(null=True),
        ),
    ]
