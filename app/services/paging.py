"""Keyset pagination for the lists: no OFFSET, so a page costs the same at any depth."""
from app.extensions import db


def newest_first(query, id_column, before_id: int | None, size: int) -> tuple[list, int | None]:
    """One page of `query`, newest id first, starting below `before_id`.

    Returns (rows, next_before): the id to pass for the next page, or None on the last page.
    """
    if before_id:
        query = query.where(id_column < before_id)
    rows = db.session.scalars(query.order_by(id_column.desc()).limit(size + 1)).all()
    page = list(rows[:size])
    return page, (page[-1].id if len(rows) > size else None)
