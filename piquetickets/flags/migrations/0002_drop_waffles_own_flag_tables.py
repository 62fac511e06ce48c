"""Drop the tables of waffle's own ``Flag`` model, which ``WAFFLE_FLAG_MODEL = "flags.Flag"`` replaces.

Waffle's first migration creates ``waffle_flag`` and its ``users`` and ``groups`` tables whether or not
the model is swapped. Nothing reads them, but their foreign keys to users and groups make PostgreSQL
refuse to empty those tables (``TRUNCATE``, as ``flush`` and transactional tests do), since Django
does not know of them. Waffle's switches and samples are kept.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("flags", "0001_initial"),
        ("waffle", "0004_update_everyone_nullbooleanfield"),
    ]

    operations = [
        migrations.RunSQL(
            sql=[
                "DROP TABLE IF EXISTS waffle_flag_users",
                "DROP TABLE IF EXISTS waffle_flag_groups",
                "DROP TABLE IF EXISTS waffle_flag",
            ],
            reverse_sql=migrations.RunSQL.noop,
        ),
    ]
