"""The platform registry (平台台账): platforms the unit supervises, their controls and user counts."""
