"""Supervision and enforcement: inspection plans, inspections, rectification orders, sanctions, assessments."""
