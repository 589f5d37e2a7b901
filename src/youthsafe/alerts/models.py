"""Alerts and their workflow records."""
