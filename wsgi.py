"""WSGI entry point: `gunicorn wsgi:app` (production reads APP_CONFIG=production)."""
import os

from app import create_app
from config import CONFIGS

app = create_app(CONFIGS[os.environ.get("APP_CONFIG", "development")])
