"""Desk routes: requests."""
