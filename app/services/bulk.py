"""Multi-row INSERTs and UPDATEs of plain rows (no ORM objects), for the jobs that write hundreds at once.

On PostgreSQL the rows travel as one JSON array and the statement is
``INSERT … SELECT … FROM json_to_recordset(…) AS r(column type, …)``: a short statement with one
parameter, prepared once, whatever the number of rows. SQLAlchemy's executemany form renders one
placeholder per value (600 for 100 escalations) and the driver parses that statement anew on every
batch, which cost the SLA sweep about ten times the database's own time; one array per column
(``unnest``) was better, but the driver escapes every element of a text array with a regular
expression, and the JSON encoder (in C) does the same work in a third of the time. On SQLite (the
embedded database) the executemany form. The project runs on these two only.
"""
from collections.abc import Iterable, Sequence
from datetime import date, datetime

from sqlalchemy import JSON, TypeDecorator, bindparam, column, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from app.extensions import db


def _json_value(col, value, dialect):
    # What the column's own type would bind (a UTC datetime refuses a naive one), in JSON's terms:
    # instants and dates as ISO 8601, which PostgreSQL reads back exactly; JSON columns nested.
    if value is not None and isinstance(col.type, TypeDecorator):
        value = col.type.process_bind_param(value, dialect)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _recordset(table, columns: Sequence[str], rows: list[dict], dialect):
    cols = [table.c[c] for c in columns]
    payload = [{c.name: _json_value(c, r.get(c.name), dialect) for c in cols} for r in rows]
    return (func.json_to_recordset(bindparam("rows", payload, type_=JSON))
            .table_valued(*(column(c.name, c.type) for c in cols)).render_derived(with_types=True))


def _recordset_select(table, columns: Sequence[str], rows: list[dict], dialect):
    values = _recordset(table, columns, rows, dialect)
    return select(*(values.c[c] for c in columns))


def insert_rows(model, rows: list[dict], *, conflict: Iterable[str] | None = None,
                returning: Sequence[str] = ()) -> list[tuple]:
    """Insert `rows` (dicts with the same keys) into `model`'s table in one statement.

    `conflict`: the columns of a unique constraint; a row that would violate it is skipped
    (ON CONFLICT DO NOTHING). `returning`: columns to return for the rows actually inserted.
    Returns those rows as tuples (an empty list without `returning`).
    """
    if not rows:
        return []
    table = model.__table__
    columns = list(rows[0])
    session = db.session
    dialect = session.get_bind().dialect
    if dialect.name == "postgresql":
        stmt = pg_insert(table).from_select(columns, _recordset_select(table, columns, rows, dialect))
        if conflict is not None:
            stmt = stmt.on_conflict_do_nothing(index_elements=list(conflict))
        if returning:
            stmt = stmt.returning(*(table.c[c] for c in returning))
            return [tuple(r) for r in session.execute(stmt)]
        session.execute(stmt)
        return []
    stmt = sqlite_insert(table)
    if conflict is not None:
        stmt = stmt.on_conflict_do_nothing(index_elements=list(conflict))
    if returning:
        stmt = stmt.returning(*(table.c[c] for c in returning))
        return [tuple(r) for r in session.execute(stmt, rows)]
    session.execute(stmt, rows)
    return []


def update_rows(model, rows: list[dict], key: str = "id") -> None:
    """Update many rows of `model`'s table in one statement: each dict holds `key` and the new
    values of the same columns.

    For the jobs that change hundreds of loaded objects at once (the SLA sweep): the caller marks
    the new values as stored on its objects (`set_committed_value`), so the unit of work does not
    write them a second time.
    """
    if not rows:
        return
    table = model.__table__
    columns = list(rows[0])
    session = db.session
    dialect = session.get_bind().dialect
    if dialect.name == "postgresql":
        values = _recordset(table, columns, rows, dialect)
        session.execute(update(table).where(table.c[key] == values.c[key])
                        .values({c: values.c[c] for c in columns if c != key}))
        return
    stmt = (update(table).where(table.c[key] == bindparam(f"b_{key}"))
            .values({c: bindparam(f"b_{c}") for c in columns if c != key}))
    session.connection().execute(stmt, [{f"b_{c}": r[c] for c in columns} for r in rows])
