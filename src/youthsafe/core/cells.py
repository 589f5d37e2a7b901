"""Cells written to files people open in spreadsheet programs (CSV and XLSX exports)."""

from __future__ import annotations

from typing import Any

# A cell starting with one of these is run as a formula by Excel, LibreOffice or WPS ("CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def defuse(value: str) -> str:
    """Prefix a quote so spreadsheet programs show the text instead of running it as a formula.

    Values already starting with quotes before a formula character get one more, so :func:`undefuse`
    is an exact inverse and an export imports back unchanged.
    """
    return "'" + value if value.lstrip("'").startswith(FORMULA_STARTS) else value


def undefuse(value: str) -> str:
    if value.startswith("'") and value.lstrip("'").startswith(FORMULA_STARTS):
        return value[1:]
    return value


def safe_cell(value: Any) -> Any:
    """Text defused; numbers, dates and empty cells as they are."""
    return defuse(value) if isinstance(value, str) else value
