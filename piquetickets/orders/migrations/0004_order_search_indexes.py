"""Indexes for the portal's order search on PostgreSQL (nothing on other databases).

The search (``orders.selectors._order_search``) is ``icontains`` on the buyer's email, given and family
name, which Django writes as ``UPPER("col"::text) LIKE UPPER('%term%')``, or'd with the reference
(``"uuid"::text LIKE 'c5e4bede%'``). Without indexes each of the list's three queries (totals, tickets,
the page) read every order of the producer and upper-cased three columns of each: 7-12 ms apiece at
10,000 orders. Trigram GIN indexes on exactly those expressions, and a pattern B-tree on the UUID's
text, let PostgreSQL answer the whole OR with a bitmap of the matching rows (a reference: 0.2 ms).

They are expression indexes the models can't declare portably, hence SQL guarded by the vendor;
``pg_trgm`` is a trusted extension (PostgreSQL 13+): the database's owner may create it.
"""

from django.db import migrations

INDEXES = {
    "order_email_trgm_idx": 'USING gin (UPPER("email"::text) gin_trgm_ops)',
    "order_first_name_trgm_idx": 'USING gin (UPPER("first_name"::text) gin_trgm_ops)',
    "order_last_name_trgm_idx": 'USING gin (UPPER("last_name"::text) gin_trgm_ops)',
    "order_uuid_text_idx": '(("uuid"::text) text_pattern_ops)',
}


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, definition in INDEXES.items():
        schema_editor.execute(f'CREATE INDEX IF NOT EXISTS "{name}" ON "orders_order" {definition}')


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0003_meta_purchase"),
    ]

    operations = [
        migrations.RunPython(create_indexes, drop_indexes, elidable=False),
    ]
