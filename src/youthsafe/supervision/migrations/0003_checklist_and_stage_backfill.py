"""Existing records meet the new rules:

- inspections not yet completed get the checklist items added to the catalogue (CSL Arts. 46, 48, 50;
  Regulations Arts. 24, 25, 29, 38(2), 42, 45, 47), pre-marked not applicable where the platform's kind is
  outside the item's scope; completed and signed inspections keep the checklist they were done with;
- assessments still waiting for a report get a due date (the configured working days after the request);
- platforms with an open order stand at R3 on their own ladder.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations

from youthsafe.supervision import config
from youthsafe.supervision import workflow as wf

# The ids added with this migration and the kinds they are limited to (empty: every kind). Frozen here: the
# catalogue may change later, this migration must not.
ADDED: dict[str, tuple[str, ...]] = {
    "CSL-46-ILLEGAL": (), "CSL-48-APPSTORE": ("app_store",), "CSL-50-ORDERS": (), "REG-24-MARKETING": (),
    "REG-25-PUSH": (), "REG-29-HANDLING": (), "REG-38-HARM": (), "REG-42-ADDICTION": (), "REG-45-FANDOM": (),
    "REG-47-RATING": ("game",),
}
NOTES = {"app_store": "Applies only to: App store.", "game": "Applies only to: Online game."}
OPEN_ORDER = ("draft", "issued", "delivered", "overdue", "evidence", "refused")


def forward(apps: Any, schema_editor: Any) -> None:
    inspection_model = apps.get_model("supervision", "Inspection")
    item_model = apps.get_model("supervision", "ChecklistItem")
    for inspection in inspection_model.objects.filter(status__in=["planned", "in_progress"]).select_related(
            "platform"):
        have = set(item_model.objects.filter(inspection=inspection).values_list("control_id", flat=True))
        rows = []
        for control_id, kinds in ADDED.items():
            if control_id in have:
                continue
            if kinds and inspection.platform.kind not in kinds:
                rows.append(item_model(inspection=inspection, control_id=control_id, result="na",
                                       note=NOTES[kinds[0]]))
            else:
                rows.append(item_model(inspection=inspection, control_id=control_id))
        item_model.objects.bulk_create(rows)
    days = config.assessment_report_working_days()
    assessment_model = apps.get_model("supervision", "Assessment")
    for assessment in assessment_model.objects.filter(status__in=["requested", "reassess"], report_due=None):
        assessment.report_due = wf.assessment_report_due(assessment.requested_on, days)
        assessment.save(update_fields=["report_due"])
    order_model = apps.get_model("supervision", "RectificationOrder")
    stage_model = apps.get_model("supervision", "PlatformStage")
    for platform_id in set(order_model.objects.filter(status__in=OPEN_ORDER).values_list("platform_id", flat=True)):
        stage_model.objects.get_or_create(platform_id=platform_id, defaults={"stage": "R3"})


class Migration(migrations.Migration):
    dependencies = [("supervision", "0002_interviews_refusal_file_flags")]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
