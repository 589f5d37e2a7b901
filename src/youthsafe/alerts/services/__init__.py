"""Every change to alerts is one ``do_*`` call, a ``core.kernel.service``: permission and jurisdiction
declared on it, moves through ``core.kernel.transition`` (history and audit row), one commit, notifications
after commit (style-anchors rule 3). The submodules hold one aggregate each; ``__all__`` is the package's API."""

from youthsafe.alerts.services.dispatch import (
    do_acknowledge_dispatch,
    do_dispatch,
    do_record_identity_response,
    do_report_back,
    do_request_identity,
)
from youthsafe.alerts.services.escalation import EscalationReport, escalate_overdue
from youthsafe.alerts.services.intake import do_open_manual, on_post_scanned
from youthsafe.alerts.services.outcomes import do_complete_follow_up, do_label_post, do_record_outcome, do_set_age_band
from youthsafe.alerts.services.review import (
    ClaimRefused,
    do_acknowledge,
    do_claim,
    do_close,
    do_release,
    do_reopen,
    do_resolve,
    do_start_intervention,
)

__all__ = [
    "ClaimRefused", "EscalationReport", "do_acknowledge", "do_acknowledge_dispatch", "do_claim",
    "do_close", "do_complete_follow_up", "do_dispatch", "do_label_post", "do_open_manual",
    "do_record_identity_response", "do_record_outcome", "do_release", "do_reopen", "do_report_back",
    "do_request_identity", "do_resolve", "do_set_age_band", "do_start_intervention", "escalate_overdue",
    "on_post_scanned",
]
