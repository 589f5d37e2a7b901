"""The steps on an item or a takedown instruction: each a small form that runs one service and goes back to
the item (``core.actions.ActionSet``). ``PATHS`` keeps the URL of each step as it always was."""

from __future__ import annotations

from typing import Any

from django.db.models import Model
from django.urls import reverse
from django.utils.translation import gettext_lazy as _l

from youthsafe.content import forms, services
from youthsafe.content.models import ContentItem, TakedownInstruction
from youthsafe.core.access import get_visible_or_404
from youthsafe.core.actions import Action, ActionSet
from youthsafe.core.models import User
from youthsafe.core.roles import Permission

P = Permission


def _find(model: str, user: User, pk: int) -> tuple[Model, Model]:
    """The record of the step and the item whose page it returns to (404 outside the user's jurisdiction)."""
    if model == "item":
        item = get_visible_or_404(ContentItem.objects.all(), user, pk=pk)
        return item, item
    instruction = get_visible_or_404(TakedownInstruction.objects.select_related("item", "platform"), user, pk=pk)
    return instruction, instruction.item


def _back(item: Model) -> str:
    return reverse("content:item_detail", args=[item.pk])


def _context(obj: Model, parent: Model) -> dict[str, Any]:
    return {"instruction": obj if isinstance(obj, TakedownInstruction) else None}


STEPS = ActionSet({
    "item_instruct": Action(_l("Instruct the platform"), P.CONTENT_HANDLE, "item", forms.InstructForm,
                            lambda i, u, d: services.do_instruct(i, actor=u, note=d["note"], platform=d["platform"])),
    "item_dismiss": Action(_l("Dismiss the item"), P.CONTENT_HANDLE, "item", forms.ReasonForm,
                           lambda i, u, d: services.do_dismiss(i, actor=u, reason=d["reason"]), danger=True),
    "evidence_add": Action(_l("Add evidence"), P.CONTENT_HANDLE, "item", forms.EvidenceForm,
                           lambda i, u, d: services.do_add_evidence(i, d["file"], actor=u, note=d["note"]),
                           upload=True),
    "instruction_confirm": Action(_l("Record the platform's confirmation"), P.CONTENT_HANDLE, "instruction",
                                  forms.ConfirmForm,
                                  lambda i, u, d: services.do_confirm(i, actor=u, confirmation=d["confirmation"],
                                                                      confirmed_at=d["confirmed_at"])),
    "instruction_verify": Action(_l("Verify the handling"), P.CONTENT_HANDLE, "instruction", forms.VerifyForm,
                                 lambda i, u, d: services.do_verify(i, actor=u, done=d["done"], note=d["note"])),
    "instruction_escalate": Action(_l("Escalate to supervision"), P.CONTENT_HANDLE, "instruction", forms.ReasonForm,
                                   lambda i, u, d: services.do_escalate(i, actor=u, reason=d["reason"]), danger=True),
}, find=_find, back=_back, template="content/action.html", context=_context)

PATHS = {
    "item_instruct": "<int:pk>/instruct/",
    "item_dismiss": "<int:pk>/dismiss/",
    "evidence_add": "<int:pk>/evidence/",
    "instruction_confirm": "instructions/<int:pk>/confirm/",
    "instruction_verify": "instructions/<int:pk>/verify/",
    "instruction_escalate": "instructions/<int:pk>/escalate/",
}
