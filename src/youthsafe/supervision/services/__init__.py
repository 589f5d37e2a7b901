"""Every change to supervision records is one ``do_*`` call: permission, jurisdiction, transition, audit row,
commit (style-anchors rule 3). The submodules hold one aggregate each."""

from youthsafe.supervision.services import assessments, inspections, nightly, orders, referrals, sanctions

__all__ = ["assessments", "inspections", "nightly", "orders", "referrals", "sanctions"]
