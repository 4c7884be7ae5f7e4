"""Admin routes: the working calendar and SLA policies."""
