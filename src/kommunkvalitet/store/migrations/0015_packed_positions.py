# Each kommun's entry of a comparison's positions becomes one number, its packed code
# rank << 8 | band << 5 | position << 2 | reading (core.comparison.unpack_position), instead of the list
# [rank, band, position, reading]: the JSON of a whole recompute is 40 MB instead of 90, and PostgreSQL
# parses it into jsonb three times faster. The stored rows are rewritten in place by the database (an entry
# already in the form wanted is kept).

from django.db import migrations

PACK = {
    "sqlite": """
        UPDATE store_comparisonstat SET positions = (
            SELECT json_group_object(key, CASE WHEN type = 'array' THEN
                (json_extract(value, '$[0]') << 8) | (json_extract(value, '$[1]') << 5)
                | (json_extract(value, '$[2]') << 2) | json_extract(value, '$[3]') ELSE value END)
            FROM json_each(store_comparisonstat.positions))
        WHERE positions != '{}'
    """,
    "postgresql": """
        UPDATE store_comparisonstat SET positions = (
            SELECT jsonb_object_agg(key, CASE WHEN jsonb_typeof(value) = 'array' THEN to_jsonb(
                ((value->>0)::int << 8) | ((value->>1)::int << 5) | ((value->>2)::int << 2) | (value->>3)::int)
                ELSE value END)
            FROM jsonb_each(positions))
        WHERE positions != '{}'::jsonb
    """,
}
UNPACK = {
    "sqlite": """
        UPDATE store_comparisonstat SET positions = (
            SELECT json_group_object(key, CASE WHEN type = 'integer' THEN
                json_array(value >> 8, (value >> 5) & 7, (value >> 2) & 7, value & 3) ELSE value END)
            FROM json_each(store_comparisonstat.positions))
        WHERE positions != '{}'
    """,
    "postgresql": """
        UPDATE store_comparisonstat SET positions = (
            SELECT jsonb_object_agg(key, CASE WHEN jsonb_typeof(value) = 'number' THEN jsonb_build_array(
                (value::text::int) >> 8, ((value::text::int) >> 5) & 7, ((value::text::int) >> 2) & 7,
                (value::text::int) & 3) ELSE value END)
            FROM jsonb_each(positions))
        WHERE positions != '{}'::jsonb
    """,
}


def pack(apps, schema_editor):
    schema_editor.execute(PACK[schema_editor.connection.vendor])


def unpack(apps, schema_editor):
    schema_editor.execute(UNPACK[schema_editor.connection.vendor])


class Migration(migrations.Migration):
    dependencies = [
        ("store", "0014_sync_longest_transaction"),
    ]

    operations = [
        migrations.RunPython(pack, unpack),
    ]
