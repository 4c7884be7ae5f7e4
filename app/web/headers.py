"""Security headers on every response (docs/security.md, "Headers").

The CSP allows scripts, styles and images from this site only: no inline script or style, no
framing (frame-ancestors 'none' and X-Frame-Options DENY against click-jacking of the one-click
action buttons). Pages are personal data: no-store, so a shared computer's cache keeps none.
"""
from flask import current_app, request

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
       "form-action 'self'; frame-ancestors 'none'")


def add_headers(response):
    """Set the security headers (after each request)."""
    h = response.headers
    h.setdefault("Content-Security-Policy", CSP)
    h["X-Frame-Options"] = "DENY"
    h["X-Content-Type-Options"] = "nosniff"
    h["Referrer-Policy"] = "same-origin"
    h["Cross-Origin-Opener-Policy"] = "same-origin"
    h["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
    if current_app.config.get("HSTS"):
        h["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
    if request.endpoint != "static":
        h["Cache-Control"] = "no-store"
        h["Pragma"] = "no-cache"
    return response


def init_app(app) -> None:
    app.after_request(add_headers)
