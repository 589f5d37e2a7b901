"""The steps of an outreach event as ``core.actions`` pages (held, cancelled, follow-up done, a file attached):
the detail page shows their forms, each posts to its step, and a refused step is shown in its own form."""

from __future__ import annotations

from typing import Any

from django.db.models import Model
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from youthsafe.core.access import get_visible_or_404
from youthsafe.core.actions import Action, ActionSet
from youthsafe.core.models import User
from youthsafe.core.roles import Permission
from youthsafe.outreach import services
from youthsafe.outreach.forms import AttachmentForm, FollowUpForm, HeldForm, ReasonForm
from youthsafe.outreach.models import Attachment, MaterialKind, OutreachEvent

P = Permission


def held_initial(event: Any) -> dict[str, Any]:
    """The held form starts from the event as planned (a date not in the future)."""
    return {"held_on": min(event.held_on, timezone.localdate()), "audience": event.audience,
            "brochures": event.brochures}


def _held(event: OutreachEvent, user: User, d: dict[str, Any]) -> OutreachEvent:
    materials = {m.kind: m.quantity for m in event.materials.all()}
    materials[MaterialKind.BROCHURE] = d["brochures"] or 0
    return services.do_mark_held(event, actor=user, audience=d["audience"], held_on=d["held_on"],
                                 materials=materials)


def _attach(event: OutreachEvent, user: User, d: dict[str, Any]) -> Attachment:
    # the form applied the upload policy (size first, then the type by content); the service checks again
    return services.do_add_attachment(event, actor=user, name=d["file"].name, data=d["file"])


ACTIONS: dict[str, Action] = {
    "mark_held": Action(_("Record as held"), P.OUTREACH_RECORD, "event", HeldForm, _held, initial=held_initial),
    "cancel": Action(_("Cancel the event"), P.OUTREACH_RECORD, "event", ReasonForm,
                     lambda e, u, d: services.do_cancel(e, actor=u, reason=d["reason"]), danger=True),
    "follow_up": Action(_("Follow-up done"), P.OUTREACH_RECORD, "event", FollowUpForm,
                        lambda e, u, d: services.do_complete_follow_up(e, actor=u, note=d["note"])),
    "attach": Action(_("Attach a file"), P.OUTREACH_RECORD, "event", AttachmentForm, _attach, upload=True),
}
# Each step's URL below /outreach/<pk>/ (the paths of the pages they replace).
PATHS: dict[str, str] = {"mark_held": "held", "cancel": "cancel", "follow_up": "follow-up", "attach": "attach"}


def find(_model: str, user: User, pk: int) -> tuple[Model, Model]:
    event = get_visible_or_404(OutreachEvent.objects.all(), user, pk=pk)
    return event, event


STEPS = ActionSet(ACTIONS, find=find, back=lambda event: reverse("outreach:detail", args=[event.pk]))
