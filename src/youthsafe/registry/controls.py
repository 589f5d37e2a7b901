"""The baseline controls checked for every registered platform.

Drawn from regulatory-reference.md section 1.3 (Cybersecurity Law obligations checked during inspections)
and section 3 (2018 Security Assessment Provisions, items 1-8, plus the minors-protection additions 9-15,
kept in their own group because they come from other laws). The ids are stable keys stored in the database.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise


@dataclass(frozen=True)
class Control:
    id: str
    group: str
    title: StrOrPromise
    basis: str


GROUP_CSL = "csl"
GROUP_ASSESSMENT = "assessment"
GROUP_MINORS = "minors"

GROUP_LABELS: dict[str, str | Promise] = {
    GROUP_CSL: _("Cybersecurity Law baseline (section 1.3)"),
    GROUP_ASSESSMENT: _("2018 security assessment items (section 3.3)"),
    GROUP_MINORS: _("Minors' protection additions (section 3.3, items 9-15)"),
}

CONTROLS: tuple[Control, ...] = (
    Control("CSL-21-OFFICER", GROUP_CSL, _("Named person responsible for network security"), "CSL Art. 21"),
    Control("CSL-21-LOGS", GROUP_CSL, _("Network logs kept for at least 6 months"), "CSL Art. 21"),
    Control("CSL-21-MEASURES", GROUP_CSL, _("Anti-malware and anti-intrusion measures, data backup and encryption"), "CSL Art. 21"),
    Control("CSL-24-REALNAME", GROUP_CSL, _("Real-identity registration for publishing and messaging"), "CSL Art. 24"),
    Control("CSL-25-INCIDENT", GROUP_CSL, _("Incident emergency plan"), "CSL Art. 25"),
    Control("CSL-47-CONTENT", GROUP_CSL, _("Stop, delete, keep records and report prohibited information"), "CSL Art. 47"),
    Control("CSL-49-COMPLAINTS", GROUP_CSL, _("Published complaint and report channel"), "CSL Art. 49; Regulations Art. 7"),
    Control("SA-1-RESPONSIBLE", GROUP_ASSESSMENT, _("Security-management responsible person, reviewers or body"), "2018 Provisions Art. 5(1)"),
    Control("SA-2-IDENTITY", GROUP_ASSESSMENT, _("User identity verification and retention of registration data"), "2018 Provisions Art. 5(2)"),
    Control("SA-3-LOGS", GROUP_ASSESSMENT, _("User operation logs and posting records retained"), "2018 Provisions Art. 5(3)"),
    Control("SA-4-NAMES", GROUP_ASSESSMENT, _("Handling of illegal content in names, bios, groups and posting functions"), "2018 Provisions Art. 5(4)"),
    Control("SA-5-TECH", GROUP_ASSESSMENT, _("Personal-information protection and anti-spread technical measures"), "2018 Provisions Art. 5(5)"),
    Control("SA-6-COMPLAINTS", GROUP_ASSESSMENT, _("Complaint and report system with published contacts"), "2018 Provisions Art. 5(6)"),
    Control("SA-7-CAC", GROUP_ASSESSMENT, _("Working mechanism for technical and data support to the CAC"), "2018 Provisions Art. 5(7)"),
    Control("SA-8-POLICE", GROUP_ASSESSMENT, _("Working mechanism for support to public and state security"), "2018 Provisions Art. 5(8)"),
    Control("MP-9-MINORMODE", GROUP_MINORS, _("Minor mode or minors' zone with time, permission and spending controls"), "Regulations Arts. 20, 43; Minors Protection Law Art. 74"),
    Control("MP-10-AGE", GROUP_MINORS, _("Identity verification distinguishing minors; age-inappropriate functions blocked"), "Regulations Arts. 31, 46; MPL Arts. 75-76"),
    Control("MP-11-BULLYING", GROUP_MINORS, _("Cyberbullying warning, detection, feature library and protection settings"), "Regulations Art. 26"),
    Control("MP-12-PI", GROUP_MINORS, _("Minors' personal-information regime: guardian consent, least privilege, annual audit, breach plan"), "Regulations Arts. 35-37; PIPL Art. 31"),
    Control("MP-13-LABELS", GROUP_MINORS, _("Labelling and placement rules for content that may affect minors"), "Regulations Arts. 23-24; Classification Measures"),
    Control("MP-14-LARGE", GROUP_MINORS, _("Large platforms: impact assessment, external oversight body, annual report"), "Regulations Art. 20"),
    Control("MP-15-REPORTING", GROUP_MINORS, _("Incident plan and reporting within the 2025 deadlines"), "Incident Reporting Measures Art. 4"),
)

CONTROLS_BY_ID: dict[str, Control] = {c.id: c for c in CONTROLS}
