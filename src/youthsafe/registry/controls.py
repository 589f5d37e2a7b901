"""The baseline controls checked for every registered platform.

Drawn from regulatory-reference.md section 1.3 (Cybersecurity Law obligations checked during inspections),
section 3 (2018 Security Assessment Provisions, items 1-8, plus the minors-protection additions 9-15, kept in
their own group because they come from other laws) and section 1.1 (duties of the Regulations on the
Protection of Minors Online not already covered by items 9-15). The ids are stable keys stored in the database.

``kinds`` limits a control to platforms of those registry kinds (empty: every kind): game age ratings only
for online games (Regulations Art. 47), app-distribution duties only for app stores (CSL Art. 48).
An inspection pre-marks the others as not applicable; the inspector may still change that.
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
    kinds: frozenset[str] = frozenset()  # registry PlatformKind values; empty: every kind

    def applies_to(self, kind: str) -> bool:
        return not self.kinds or kind in self.kinds


GROUP_CSL = "csl"
GROUP_ASSESSMENT = "assessment"
GROUP_MINORS = "minors"
GROUP_REGULATIONS = "regulations"
GAME = "game"  # registry PlatformKind values (kept as strings: this module imports no models)
APP_STORE = "app_store"

GROUP_LABELS: dict[str, str | Promise] = {
    GROUP_CSL: _("Cybersecurity Law baseline (section 1.3)"),
    GROUP_ASSESSMENT: _("2018 security assessment items (section 3.3)"),
    GROUP_MINORS: _("Minors' protection additions (section 3.3, items 9-15)"),
    GROUP_REGULATIONS: _("Regulations on the Protection of Minors Online (section 1.1)"),
}

CONTROLS: tuple[Control, ...] = (
    Control("CSL-21-OFFICER", GROUP_CSL, _("Named person responsible for network security"), "CSL Art. 21"),
    Control("CSL-21-LOGS", GROUP_CSL, _("Network logs kept for at least 6 months"), "CSL Art. 21"),
    Control("CSL-21-MEASURES", GROUP_CSL, _("Anti-malware and anti-intrusion measures, data backup and encryption"), "CSL Art. 21"),
    Control("CSL-24-REALNAME", GROUP_CSL, _("Real-identity registration for publishing and messaging"), "CSL Art. 24"),
    Control("CSL-25-INCIDENT", GROUP_CSL, _("Incident emergency plan"), "CSL Art. 25"),
    Control("CSL-47-CONTENT", GROUP_CSL, _("Stop, delete, keep records and report prohibited information"), "CSL Art. 47"),
    Control("CSL-46-ILLEGAL", GROUP_CSL, _("No websites or groups for fraud, crime methods or prohibited and controlled goods, and no posting about them"), "CSL Art. 46"),
    Control("CSL-48-APPSTORE", GROUP_CSL, _("App distribution: stop serving providers of malware or prohibited content, keep records and report"), "CSL Art. 48", frozenset({APP_STORE})),
    Control("CSL-49-COMPLAINTS", GROUP_CSL, _("Published complaint and report channel"), "CSL Art. 49; Regulations Art. 7"),
    Control("CSL-50-ORDERS", GROUP_CSL, _("Stops transmission when the CAC or other departments order it"), "CSL Arts. 50, 69; Regulations Art. 30"),
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
    Control("REG-24-MARKETING", GROUP_REGULATIONS, _("No automated decision-making for commercial marketing to minors"), "Regulations Art. 24"),
    Control("REG-25-PUSH", GROUP_REGULATIONS, _("No pushing harmful information to minors, no luring or forcing them to view it"), "Regulations Art. 25"),
    Control("REG-29-HANDLING", GROUP_REGULATIONS, _("Harmful content: stop, delete, keep records, report to the CAC and police, act against the account; unlabelled content prompted or not transmitted"), "Regulations Art. 29"),
    Control("REG-38-HARM", GROUP_REGULATIONS, _("A minor's private information showing possible harm: records preserved and the police told at once"), "Regulations Art. 38(2)"),
    Control("REG-42-ADDICTION", GROUP_REGULATIONS, _("Anti-addiction system and its annual report"), "Regulations Art. 42"),
    Control("REG-45-FANDOM", GROUP_REGULATIONS, _("No fan fundraising, vote-boosting or rating-manipulation groups, no luring minors into them"), "Regulations Art. 45"),
    Control("REG-47-RATING", GROUP_REGULATIONS, _("Game age ratings and age prompts"), "Regulations Art. 47", frozenset({GAME})),
)

CONTROLS_BY_ID: dict[str, Control] = {c.id: c for c in CONTROLS}


def controls_for(kind: str) -> tuple[Control, ...]:
    """The controls that apply to a platform of ``kind``."""
    return tuple(c for c in CONTROLS if c.applies_to(kind))
