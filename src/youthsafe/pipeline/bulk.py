"""Fast multi-row inserts for ingestion: one statement per batch, whatever the batch size.

Django's ``bulk_create`` writes one placeholder per value (500 posts x 14 columns = 7,000) and quotes every
value on the client; at thousands of posts a second that quoting, not the database, was the largest cost of
ingestion (benchmarks/README.md, "Ingestion"). On PostgreSQL ``insert`` instead sends one array per column and
lets the server unnest them:

    INSERT INTO t (a, b) SELECT * FROM unnest(%s::int[], %s::text[]) ON CONFLICT DO NOTHING RETURNING id, b

with server-side binding (psycopg's binary array dumpers), so a batch costs a dozen parameters and no quoting.
Values are prepared by each field's own ``pre_save``/``get_db_prep_save`` (``auto_now_add``, defaults, foreign
keys) exactly as ``bulk_create`` prepares them; JSON values are encoded with the field's encoder. The statement
runs on Django's connection, inside the caller's transaction. Other databases (SQLite) use ``bulk_create``.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from typing import Any

import psycopg
from django.db import connection, models
from psycopg.sql import SQL, Identifier


def _columns(model: type[models.Model]) -> list[models.Field[Any, Any]]:
    """The concrete columns an insert writes: every one but an auto-incremented primary key."""
    return [f for f in model._meta.concrete_fields
            if not (f.primary_key and isinstance(f, models.AutoField | models.BigAutoField))]


# Values PostgreSQL takes as they are: for these, each field's preparation returns its input unchanged, so it is
# skipped (it costs more than the insert itself at ingestion rates). An aware datetime is such a value too.
_PLAIN = frozenset({str, int, bool, float, type(None)})


def _value(field: models.Field[Any, Any], obj: models.Model) -> Any:
    value = field.pre_save(obj, True)  # sets auto_now_add and the like on the object, as save() would
    if isinstance(field, models.JSONField):
        return None if value is None else json.dumps(value, cls=field.encoder, ensure_ascii=False)
    if type(value) in _PLAIN or (type(value) is dt.datetime and value.tzinfo is not None):
        return value
    return field.get_db_prep_save(value, connection)


def _array_type(field: models.Field[Any, Any]) -> str:
    if isinstance(field, models.JSONField):
        return "text[]"  # cast to jsonb in the SELECT: psycopg sends the encoded text as it is
    db_type = field.rel_db_type(connection) if field.is_relation else field.db_type(connection)
    if not db_type:
        raise ValueError(f"{field} has no column type")
    return f"{db_type}[]"


def _column(model: type[models.Model], name: str) -> Identifier:
    """The quoted column of a field given by name (``post`` -> ``"post_id"``)."""
    return Identifier(str(getattr(model._meta.get_field(name), "column", name)))


def insert(model: type[models.Model], objs: Sequence[models.Model], *, returning: Sequence[str],
           ignore_conflicts: bool = False) -> list[tuple[Any, ...]]:
    """Insert ``objs`` in one statement; return the ``returning`` columns of the rows it inserted, in no
    particular order (with ``ignore_conflicts``, a row skipped for a conflict returns nothing). The objects are
    changed only by their fields' ``pre_save`` (``auto_now_add``); callers map the returned keys to them."""
    if not objs:
        return []
    fields = _columns(model)
    names = [Identifier(str(f.column)) for f in fields]
    # Composed with psycopg.sql: names are quoted identifiers, types come from the model's own fields, and
    # every value is a bound parameter.
    statement = SQL("INSERT INTO {table} ({columns}) SELECT {selects} FROM unnest({arrays}) AS u({columns})"
                    "{conflict} RETURNING {back}").format(
        table=Identifier(model._meta.db_table),
        columns=SQL(", ").join(names),
        selects=SQL(", ").join(SQL("{}::jsonb").format(n) if isinstance(f, models.JSONField) else n
                               for f, n in zip(fields, names, strict=True)),
        arrays=SQL(", ").join(SQL("%b::" + _array_type(f)) for f in fields),
        conflict=SQL(" ON CONFLICT DO NOTHING" if ignore_conflicts else ""),
        back=SQL(", ").join(_column(model, r) for r in returning),
    )
    params = [[_value(f, obj) for obj in objs] for f in fields]
    connection.ensure_connection()
    # Server-side binding: Django's own cursors bind on the client (psycopg ClientCursor), which would turn the
    # arrays back into quoted literals. Same connection, so the caller's transaction holds.
    with psycopg.Cursor(connection.connection) as cursor:
        cursor.execute(statement, params)
        return [tuple(row) for row in cursor.fetchall()]


def present(model: type[models.Model], column: str, values: Sequence[Any], **equal: Any) -> set[Any]:
    """Which of ``values`` the rows matching ``equal`` (column = value) hold in ``column``: one array parameter
    (``= ANY``) instead of an ``IN`` list that Django would expand and quote value by value."""
    if not values:
        return set()
    field = model._meta.get_field(column)
    conditions = [SQL("{} = %s").format(_column(model, k)) for k in equal]
    conditions.append(SQL("{} = ANY(%b::" + _array_type(field) + ")").format(_column(model, column)))  # type: ignore[arg-type]
    statement = SQL("SELECT {column} FROM {table} WHERE {conditions}").format(
        column=_column(model, column), table=Identifier(model._meta.db_table),
        conditions=SQL(" AND ").join(conditions))
    connection.ensure_connection()
    with psycopg.Cursor(connection.connection) as cursor:
        cursor.execute(statement, [*equal.values(), list(values)])
        return {row[0] for row in cursor.fetchall()}


def supported() -> bool:
    """Whether ``insert`` can run on the default database (PostgreSQL)."""
    return connection.vendor == "postgresql"
