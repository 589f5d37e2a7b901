"""Explainable Chinese risk detection. Pure library: imports nothing of Django."""
