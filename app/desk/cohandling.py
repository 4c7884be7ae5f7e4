"""Desk routes: cohandling."""
