import time

from django.db import migrations, models


def start(apps, schema_editor):
    """Start the data version at the time of the migration, so that no entry an older cache holds matches."""
    apps.get_model("store", "DataVersion").objects.create(scope="data", version=time.time_ns() // 1000)


class Migration(migrations.Migration):
    dependencies = [
        ("store", "0006_shapes"),
    ]

    operations = [
        migrations.CreateModel(
            name="DataVersion",
            fields=[
                ("scope", models.CharField(max_length=40, primary_key=True, serialize=False)),
                ("version", models.BigIntegerField()),
            ],
        ),
        migrations.RunPython(start, migrations.RunPython.noop),
    ]
