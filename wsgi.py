"""WSGI entry point: `gunicorn wsgi:app`. Without APP_CONFIG this is production, which refuses to
start without a real SECRET_KEY and DATABASE_URL; `make run` sets APP_CONFIG=development."""
from app import create_app
from config import from_env

app = create_app(from_env())
