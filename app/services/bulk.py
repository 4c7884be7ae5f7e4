"""Multi-row INSERTs of plain rows (no ORM objects), for the jobs that write hundreds at once.

On PostgreSQL the rows travel as one array per column and the statement is
``INSERT … SELECT * FROM unnest(…)``: a short statement with one parameter per column, prepared
once, whatever the number of rows. SQLAlchemy's executemany form renders one placeholder per value
(600 for 100 escalations) and the driver parses that statement anew on every batch, which cost
the SLA sweep about ten times the database's own time. On SQLite (the embedded database) the
executemany form. The project runs on these two only.
"""
from collections.abc import Iterable, Sequence

from sqlalchemy import ARRAY, bindparam, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from app.extensions import db


def _unnest_select(table, columns: Sequence[str], rows: list[dict]):
    arrays = [bindparam(f"col_{i}", [r.get(c) for r in rows], type_=ARRAY(table.c[c].type))
              for i, c in enumerate(columns)]
    values = func.unnest(*arrays).table_valued(*columns).render_derived()
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
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        stmt = pg_insert(table).from_select(columns, _unnest_select(table, columns, rows))
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
