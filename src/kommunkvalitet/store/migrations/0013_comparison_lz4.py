# The comparisons' JSON columns compressed with lz4 instead of pglz on PostgreSQL: a whole recompute
# writes about 130 MB of positions, and pglz took a sixth of the server's time of the COPY (lz4: a
# quarter more on disk, the same time to read one kommun's entry). Only new values are compressed so:
# the next recompute rewrites them. A server built without lz4 keeps pglz; SQLite has no such setting.

from django.db import migrations

LZ4 = """
DO $$
BEGIN
    EXECUTE 'ALTER TABLE store_comparisonstat ALTER COLUMN positions SET COMPRESSION lz4, '
            'ALTER COLUMN flagged SET COMPRESSION lz4';
EXCEPTION WHEN feature_not_supported OR syntax_error THEN
    NULL;
END
$$;
"""

PGLZ = "ALTER TABLE store_comparisonstat ALTER COLUMN positions SET COMPRESSION pglz, ALTER COLUMN flagged SET COMPRESSION pglz"


def _on_postgresql(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("store", "0012_roles_and_review"),
    ]

    operations = [
        migrations.RunPython(_on_postgresql(LZ4), _on_postgresql(PGLZ)),
    ]
