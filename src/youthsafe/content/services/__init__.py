"""Every change to content items, evidence, takedown instructions and public reports.

Each ``do_<verb>(..., *, actor, now=None)`` is a ``@kernel.service``: its permission and jurisdiction are
declared on it, it runs in one transaction, and every status change goes through ``kernel.transition``
(history row and audit row). The submodules hold one concern each; this package is the app's public face
(views, API, the leads app, the demo).
"""

from youthsafe.content.services.attachments import do_add_evidence, do_copy_report_evidence, evidence_for_download
from youthsafe.content.services.items import DEDUP_THRESHOLD, do_dismiss, do_record_item, find_group
from youthsafe.content.services.ratelimit import RateLimited
from youthsafe.content.services.reports import (
    client_ip,
    do_triage_report,
    new_ack_number,
    record_contact_view,
    submit_report,
)
from youthsafe.content.services.takedown import do_confirm, do_escalate, do_instruct, do_verify

__all__ = [
    "DEDUP_THRESHOLD", "RateLimited", "client_ip", "do_add_evidence", "do_confirm", "do_copy_report_evidence",
    "do_dismiss", "do_escalate", "do_instruct", "do_record_item", "do_triage_report", "do_verify",
    "evidence_for_download", "find_group", "new_ack_number", "record_contact_view", "submit_report",
]
