"""Desk routes: scorecard."""
