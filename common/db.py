"""Model pieces the apps share, and how dates and instants are read from PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from typing import Any, Self

import psycopg
from django.db import connections, models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.utils import CursorDebugWrapper, CursorWrapper
from django.db.models import Q
from psycopg import DataError
from psycopg.pq import Format
from psycopg.types.datetime import DateLoader

# PostgreSQL keeps instants and dates far beyond Python's years 1..9999 (and a year-1 instant
# written at +14:00 is stored as a day of 1 BC). Such a value reaches the database only through
# a validation gap, but then every page that reads its row would fail. Reading clamps it instead,
# one day inside Python's range, so turning it into any time zone's local time cannot overflow.
SAFE_MIN = datetime.min.replace(tzinfo=UTC) + timedelta(days=1)
SAFE_MAX = datetime.max.replace(tzinfo=UTC) - timedelta(days=1)
SAFE_MIN_DAY = date.min + timedelta(days=1)
SAFE_MAX_DAY = date.max - timedelta(days=1)


def choices_check(
    field: str, choices: type[models.TextChoices], name: str
) -> models.CheckConstraint:
    """A CHECK constraint keeping `field` within the codes of `choices`."""
    return models.CheckConstraint(
        condition=Q(**{f"{field}__in": [c.value for c in choices]}), name=name
    )


def choice_label(choices: type[models.TextChoices], code: Any) -> str:
    """The label of `code` among `choices` (in the active language); the code itself when it
    is not one of them (an old or malformed value must still show)."""
    try:
        return str(choices(code).label)
    except ValueError:
        return str(code)


def _out_of_range_is_early(data: Any) -> bool:
    """Whether a value psycopg could not load lies before year 1 (PostgreSQL writes 'BC')."""
    return bytes(data).rstrip().endswith(b"BC")


class SafeDateLoader(DateLoader):
    def load(self, data: Any) -> date:
        try:
            day: date = super().load(data)
        except DataError:
            return SAFE_MIN_DAY if _out_of_range_is_early(data) else SAFE_MAX_DAY
        return min(max(day, SAFE_MIN_DAY), SAFE_MAX_DAY)


def safe_loaders_register(*, connection: BaseDatabaseWrapper, **_kwargs: Any) -> None:
    """Install the clamping loaders on a new PostgreSQL connection (a `connection_created`
    receiver). Instants keep Django's loader (it sets the connection's time zone) as the base."""
    if connection.vendor != "postgresql":
        return
    from django.db.backends.postgresql.psycopg_any import BaseTzLoader

    class SafeTzLoader(BaseTzLoader):
        timezone = connection.timezone

        def load(self, data: Any) -> datetime:
            try:
                moment: datetime = super().load(data)
            except DataError:
                return self._edge(SAFE_MIN if _out_of_range_is_early(data) else SAFE_MAX)
            if moment.tzinfo is not None and not SAFE_MIN <= moment <= SAFE_MAX:
                return self._edge(SAFE_MIN if moment < SAFE_MIN else SAFE_MAX)
            return moment

        def _edge(self, edge: datetime) -> datetime:
            return edge.astimezone(self.timezone) if self.timezone else edge.replace(tzinfo=None)

    adapters = connection.connection.adapters
    adapters.register_loader("timestamptz", SafeTzLoader)
    adapters.register_loader("date", SafeDateLoader)


def _wrapper(connection: BaseDatabaseWrapper) -> BaseDatabaseWrapper:
    """The connection itself rather than django.db.connection, the proxy that looks the
    thread's connection up again on every attribute read (hundreds a row on the hot paths
    below, through the fields' value preparation)."""
    wrapper: BaseDatabaseWrapper = connections[connection.alias]
    return wrapper


class RowModel:
    """Model instances from the columns of a hand-written SELECT, for statements on a hot
    path whose ORM compilation costs more CPU than running them (the website API's key
    lookup, its SKUs). `select(alias)` is the select list of the model's concrete fields
    (`fields`: only those, by name or attname; the primary key always), `make(values)` the
    instance from those values in that order, through the fields' database converters as the
    ORM would (None when the primary key is NULL: an outer join that found nothing)."""

    def __init__(self, model: type[models.Model], fields: tuple[str, ...] | None = None) -> None:
        chosen = [
            f
            for f in model._meta.concrete_fields
            if fields is None or f.primary_key or f.name in fields or f.attname in fields
        ]
        self.model, self.fields = model, chosen
        self.attnames = [f.attname for f in chosen]
        self.width = len(chosen)
        self._pk = next(i for i, f in enumerate(chosen) if f.primary_key)
        self._converters: dict[str, list[tuple[int, Any, list[Any]]]] = {}

    def select(self, alias: str) -> str:
        return ", ".join(f'{alias}."{f.column}"' for f in self.fields)

    def _converters_for(self, connection: BaseDatabaseWrapper) -> list[tuple[int, Any, list[Any]]]:
        found = self._converters.get(connection.alias)
        if found is None:
            found = []
            for index, field in enumerate(self.fields):
                col = field.get_col(self.model._meta.db_table)
                funcs = connection.ops.get_db_converters(col) + col.get_db_converters(connection)
                if funcs:
                    found.append((index, col, funcs))
            self._converters[connection.alias] = found
        return found

    def make(self, connection: BaseDatabaseWrapper, values: Any) -> Any:
        values = list(values)
        if values[self._pk] is None:
            return None
        connection = _wrapper(connection)
        for index, col, funcs in self._converters_for(connection):
            for func in funcs:
                values[index] = func(values[index], col, connection)
        return self.model.from_db(connection.alias, self.attnames, values)


def insert_sql(
    objs: Sequence[models.Model], connection: BaseDatabaseWrapper
) -> tuple[str, list[Any]]:
    """One INSERT of `objs` (instances of one model, none saved yet): its SQL and parameters,
    every concrete field's value prepared as Model.save would (pre_save, get_db_prep_save); a
    primary key left None is left to the database."""
    model = type(objs[0])
    connection = _wrapper(connection)
    fields = [
        f
        for f in model._meta.concrete_fields
        if not (f.primary_key and getattr(objs[0], f.attname) is None)
    ]
    quote = connection.ops.quote_name
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    sql = (
        f"INSERT INTO {quote(model._meta.db_table)} "  # noqa: S608 (names from our models)
        f"({', '.join(quote(str(f.column)) for f in fields)}) VALUES {', '.join([row] * len(objs))}"
    )
    params = [f.get_db_prep_save(f.pre_save(obj, True), connection) for obj in objs for f in fields]
    return sql, params


def insert_row(obj: models.Model, connection: BaseDatabaseWrapper) -> None:
    """INSERT one new instance as Model.save(force_insert=True) would (no signals; its primary
    key set from RETURNING when it has none), as a prepared statement (prepared_cursor)."""
    sql, params = insert_sql([obj], connection)
    pk = obj._meta.pk
    assert pk is not None  # (every concrete model has one)
    returning = getattr(obj, pk.attname) is None
    with prepared_cursor(connection) as cursor:
        cursor.execute(
            f"{sql} RETURNING {connection.ops.quote_name(str(pk.column))}" if returning else sql,
            params,
        )
        if returning:
            setattr(obj, pk.attname, cursor.fetchone()[0])
    obj._state.adding, obj._state.db = False, connection.alias


def insert_together(
    groups: Sequence[Sequence[models.Model]], connection: BaseDatabaseWrapper
) -> None:
    """The rows of several models in one statement, on PostgreSQL (data-modifying CTEs: one
    round trip instead of one per model; foreign keys are checked at commit, Django makes
    them DEFERRABLE INITIALLY DEFERRED, so the order of the groups does not matter). A row
    that needs its primary key afterwards must carry it already (drawn from its sequence);
    the others are not told theirs. The instances are marked saved. A prepared statement
    (prepared_cursor): the same models and row counts give the same text."""
    statements = [insert_sql(group, connection) for group in groups if group]
    ctes = ", ".join(f"i{n} AS ({sql})" for n, (sql, _params) in enumerate(statements[:-1]))
    sql = (f"WITH {ctes} " if ctes else "") + statements[-1][0]
    with prepared_cursor(connection) as cursor:
        cursor.execute(sql, [p for _sql, params in statements for p in params])
    for group in groups:
        for obj in group:
            obj._state.adding, obj._state.db = False, connection.alias


@contextmanager
def prepared_cursor(connection: BaseDatabaseWrapper) -> Iterator[CursorWrapper]:
    """A cursor for the statements of a hot path (the website API's order), run as prepared
    statements on PostgreSQL: the parameters are bound by the server and each statement text
    is parsed (and, once PostgreSQL settles on a generic plan, planned) once per connection
    instead of on every execution. Django's own cursors bind on the client and send every
    statement as new text (settings keep that: the ORM's SQL is not always valid with server-
    side parameters). Only for statements with fixed text, written so that they are valid
    with server-side parameters; elsewhere than on PostgreSQL, an ordinary cursor.

    The statements stay prepared for the life of the connection (CONN_MAX_AGE), so a pooler
    in front of PostgreSQL must keep them (PgBouncer: session pooling, or transaction pooling
    with max_prepared_statements); without a pooler nothing is needed. They are named by
    psycopg (at most `prepared_max`, 100, per connection; the least used are deallocated)."""
    connection = _wrapper(connection)
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            yield cursor
        return
    # What BaseDatabaseWrapper.cursor() does before it makes its cursor.
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    connection.validate_thread_sharing()
    with connection.wrap_database_errors:
        raw = _PreparedCursor(connection.connection)
    # As Django's create_cursor: instants in the connection's time zone.
    adapters = connection.connection.adapters
    loader = adapters.get_loader(adapters.types["timestamptz"].oid, Format.TEXT)
    if connection.timezone != getattr(loader, "timezone", None):
        from django.db.backends.postgresql.psycopg_any import register_tzloader

        register_tzloader(connection.timezone, raw)
    wrap = _PreparedDebugWrapper if connection.queries_logged else CursorWrapper
    with wrap(raw, connection) as cursor:
        yield cursor


class _PreparedDebugWrapper(CursorDebugWrapper):
    """Django's debug wrapper, logging the statement with its values (Django reads them from
    its client-side cursor, which a prepared statement does not fill in)."""

    def execute(self, sql: Any, params: Any = None) -> Any:
        shown = self.db.ops.compose_sql(sql, params) if params is not None else sql
        with self.debug_sql(shown, params):
            # CursorWrapper's (execute wrappers, database errors), not the debug one's.
            return CursorWrapper.execute(self, sql, params)


class _PreparedCursor(psycopg.Cursor[Any]):
    """psycopg's server-binding cursor (Django's own bind on the client) that prepares every
    statement it runs."""

    def execute(
        self,
        query: Any,
        params: Any = None,
        *,
        prepare: bool | None = None,
        binary: bool | None = None,
    ) -> Self:
        return super().execute(query, params, prepare=True, binary=binary)
