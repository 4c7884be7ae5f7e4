"""The nav's unread badge, counted by hand from the rule of docs/architecture.md (Notifications): a clerk
reads what is addressed to them, to their agency and to their agency's clerks — not another agency's,
not the agency admins', not a row that leaves them out (its actor) — above their read watermark; the
badge counts at most 100 (the nav shows 99+)."""
from app.models import Notification
from app.services import notifications


def _add(db, audience, n=1, except_user_id=None):
    db.session.add_all(Notification(audience=audience, except_user_id=except_user_id, kind="test", message="测试")
                       for _ in range(n))
    db.session.commit()


def test_the_badge_counts_what_the_clerk_may_read_above_the_watermark(db, make_city, make_user):
    _city, agencies = make_city()
    a, b = agencies["市市场监管局"], agencies["市税务局"]
    clerk = make_user("clerk", agency=a)
    other = make_user("clerk", agency=a)
    assert notifications.unread_count(clerk) == 0

    _add(db, f"u:{clerk.id}")                             # to the clerk: counts
    _add(db, f"a:{a.id}", 2)                              # to the agency: count
    _add(db, f"a:{a.id}:clerk")                           # to its clerks: counts
    _add(db, f"a:{a.id}:agency_admin")                    # to its admins only: not
    _add(db, f"a:{b.id}", 3)                              # another agency: not
    _add(db, f"u:{other.id}")                             # a colleague personally: not
    _add(db, f"a:{a.id}", except_user_id=clerk.id)        # the clerk's own action: not
    _add(db, f"a:{a.id}", except_user_id=other.id)        # a colleague's action: counts
    assert notifications.unread_count(clerk) == 5
    assert notifications.unread_count(other) == 5         # 2 + 1 + own + the clerk's action

    assert notifications.mark_all_read(clerk) == 5
    assert notifications.unread_count(clerk) == 0
    _add(db, f"a:{a.id}:clerk")
    assert notifications.unread_count(clerk) == 1


def test_the_badge_stops_at_one_hundred(db, make_city, make_user):
    _city, agencies = make_city()
    clerk = make_user("clerk", agency=agencies["市市场监管局"])
    _add(db, f"a:{clerk.agency_id}", 70)
    _add(db, f"a:{clerk.agency_id}:clerk", 70)
    assert notifications.unread_count(clerk) == 100
