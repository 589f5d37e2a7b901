"""Schemas shared by every app's API: the one error body, so the OpenAPI document has a single ``ErrorOut``
(apps defining classes of the same name overwrote each other's component in the document)."""

from __future__ import annotations

from ninja import Schema


class FieldError(Schema):
    """One entry of ninja's answer to a request that does not match the operation's parameters or body."""

    loc: list[str | int]
    msg: str
    type: str


class ErrorOut(Schema):
    """``detail``: a message, messages, messages per field (our validation) or ninja's request errors."""

    detail: str | list[str] | dict[str, list[str]] | list[FieldError]


# Paging: an offset past this is past any table, and larger ones overflow the database's 64-bit OFFSET (a 500
# where an empty page is the answer). Record ids in filters are 64-bit integers for the same reason.
MAX_OFFSET = 2**31
MAX_ID = 2**63 - 1


def window(limit: int, offset: int, *, max_limit: int = 500) -> tuple[int, int]:
    """Clamp paging parameters: 1..max_limit records from 0 <= offset <= MAX_OFFSET."""
    return max(1, min(limit, max_limit)), max(0, min(offset, MAX_OFFSET))
