"""Supervision and enforcement records (issue 5).

Plans schedule inspections; an ``Inspection`` holds a checklist drawn from the registry's control catalogue
(registry/controls.py: CSL baseline, 2018 assessment items, minors' additions) with evidence and findings; a
``RectificationOrder`` (责令限期改正) follows from findings, with its legal basis, deadline, the platform's
evidence, re-check and, when it comes to that, the recorded refusal; a ``Sanction`` is a human decision on
an order with its approver; an ``Assessment`` reviews a public-opinion service's self-assessment report. A
``Referral`` is another module's hand-over waiting for a person to decide what to open. Each record that
belongs to a place carries ``jurisdiction`` (copied from the platform) and is scoped with ``visible_to``.

One module per concern; this package is the one place the rest of the app imports them from. Their status
history is ``core.StatusChange`` (machine names in ``workflow``).
"""


from youthsafe.supervision.models.assessments import Assessment, AssessmentItem, AssessmentQuerySet
from youthsafe.supervision.models.choices import (
    AssessmentStatus,
    AssessmentTrigger,
    InspectionStatus,
    InterviewKind,
    ItemResult,
    OrderStatus,
    ReferralKind,
    ReferralStatus,
    Risk,
    SanctionKind,
    SanctionStatus,
    Severity,
)
from youthsafe.supervision.models.inspections import (
    ChecklistItem,
    Evidence,
    Finding,
    FindingQuerySet,
    Inspection,
    InspectionQuerySet,
)
from youthsafe.supervision.models.interviews import Interview, InterviewQuerySet, PlatformStage, PlatformStageQuerySet
from youthsafe.supervision.models.orders import (
    RectificationOrder,
    RectificationOrderQuerySet,
    Sanction,
    SanctionQuerySet,
)
from youthsafe.supervision.models.plans import (
    DocumentCounter,
    InspectionPlan,
    InspectionPlanQuerySet,
    PlanOverdue,
    Referral,
    ReferralQuerySet,
)

__all__ = [  # the app's models and choices, imported from here (the modules are an internal layout)
    "Assessment", "AssessmentItem", "AssessmentQuerySet", "AssessmentStatus", "AssessmentTrigger", "ChecklistItem",
    "DocumentCounter", "Evidence", "Finding", "FindingQuerySet", "Inspection", "InspectionPlan",
    "InspectionPlanQuerySet", "InspectionQuerySet", "InspectionStatus", "Interview", "InterviewKind",
    "InterviewQuerySet", "ItemResult", "OrderStatus", "PlanOverdue", "PlatformStage", "PlatformStageQuerySet",
    "RectificationOrder", "RectificationOrderQuerySet", "Referral", "ReferralKind", "ReferralQuerySet",
    "ReferralStatus", "Risk", "Sanction", "SanctionKind", "SanctionQuerySet", "SanctionStatus", "Severity",
]
