"""Template context every page shares."""
from flask_login import current_user

from app.services.notifications import unread_count


def init_app(app) -> None:
    @app.context_processor
    def inject_unread():
        # The nav's inbox badge, on every page of a logged-in user.
        return {"unread_count": unread_count(current_user) if current_user.is_authenticated else 0}
