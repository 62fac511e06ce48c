"""Database helpers for hot paths, where the ORM's general machinery costs more than the work."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

from django.db import DEFAULT_DB_ALIAS, connections, models


@cache
def _insert_statement(model: type[models.Model], rows: int) -> tuple[str, tuple[models.Field, ...]]:
    meta = model._meta
    fields = tuple(field for field in meta.concrete_fields if field is not meta.pk)
    quote = connections[DEFAULT_DB_ALIAS].ops.quote_name
    row = f"({', '.join(['%s'] * len(fields))})"
    # Names come from the model's own metadata; values are always parameters.
    columns = ", ".join(quote(field.column) for field in fields)
    sql = f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES {', '.join([row] * rows)}"  # noqa: S608
    sql += f" RETURNING {quote(meta.pk.column)}"
    return sql, fields


def rows_insert(objs: Sequence[models.Model]) -> None:
    """Insert new instances of one model in a single ``INSERT … RETURNING`` and set their primary
    keys, as ``bulk_create`` does, without building a QuerySet, a Query and its compiler.

    Values go through each field's ``pre_save`` and ``get_db_prep_save``, as the ORM's own INSERT
    does (auto-now dates, sanitised rich text, foreign keys, JSON, decimals, UUIDs); related objects
    must be saved already. Like ``bulk_create``, it sends no signals and runs no ``save()``. The
    model's primary key must be an auto-incremented one. Uses the default database.
    """
    if not objs:
        return
    model = type(objs[0])
    if not isinstance(model._meta.pk, models.AutoField) or any(type(obj) is not model for obj in objs):
        raise TypeError("rows_insert takes new instances of one model with an auto-incremented key.")
    db = connections[DEFAULT_DB_ALIAS]
    if not db.features.can_return_rows_from_bulk_insert:  # SQLite before 3.35 has no RETURNING
        model._base_manager.bulk_create(objs)
        return
    sql, fields = _insert_statement(model, len(objs))
    params = []
    for obj in objs:
        obj._prepare_related_fields_for_save(operation_name="rows_insert")
        params.extend([field.get_db_prep_save(field.pre_save(obj, True), db) for field in fields])
    with db.cursor() as cursor:
        cursor.execute(sql, params)
        keys = [row[0] for row in cursor.fetchall()]
    for obj, key in zip(objs, keys, strict=True):
        obj.pk = key
        obj._state.adding = False
        obj._state.db = DEFAULT_DB_ALIAS
