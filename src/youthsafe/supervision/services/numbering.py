"""Document numbers ("{org}网安责改〔{year}〕{seq:03d}号") from a counter table, never duplicated.

The counter row is incremented with ``UPDATE ... SET last = last + 1`` inside the caller's transaction (and
created at 1 the first time of each (scheme, organ, year), under its unique constraint): on PostgreSQL the
update takes the row lock, so a second issuer waits and reads the next value; on SQLite our connections BEGIN
IMMEDIATE, so writers are already serialised. A rolled-back issue gives its number back with the transaction.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import F

from youthsafe.core.models import Jurisdiction
from youthsafe.supervision import config
from youthsafe.supervision.models import DocumentCounter


def org_for(jurisdiction: Jurisdiction) -> str:
    """The organ's short name in numbers: the configured one, or the first character of the top ancestor."""
    configured = config.org()
    if configured:
        return configured
    top = jurisdiction.ancestors()[0] if jurisdiction.path else jurisdiction
    return top.name[:1]


def authority_for(jurisdiction: Jurisdiction) -> str:
    configured = config.authority()
    if configured:
        return configured
    top = jurisdiction.ancestors()[0] if jurisdiction.path else jurisdiction
    return f"{top.name}公安局"


def next_seq(scheme: str, org: str, year: int) -> int:
    counter = DocumentCounter.objects.filter(scheme=scheme, org=org, year=year)
    with transaction.atomic(savepoint=False):  # part of the issuing step's transaction
        if not counter.update(last=F("last") + 1):
            try:
                with transaction.atomic():
                    DocumentCounter.objects.create(scheme=scheme, org=org, year=year, last=1)
                    return 1
            except IntegrityError:
                counter.update(last=F("last") + 1)  # another issuer created it first: we take the next one
        return counter.values_list("last", flat=True).get()


def next_number(scheme: str, jurisdiction: Jurisdiction, year: int) -> str:
    org = org_for(jurisdiction)
    pattern = config.number_pattern(scheme)
    seq = next_seq(scheme, org, year)
    try:
        return pattern.format(org=org, year=year, seq=seq)
    except (KeyError, IndexError, ValueError) as exc:
        raise ValueError(f"document number pattern {pattern!r}: {exc}") from exc
