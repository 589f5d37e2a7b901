"""Ingestion pages: sources and recent posts, a post with its scans and the audited reveal of its author,
dead letters (resolve), and each source's API tokens (create, shown once; revoke).

Authors appear only as pseudonyms. The raw account id is decrypted only by ``identity.do_reveal_author``
and shown once, in the answer to the reveal form; it is never put in the session, a message or a log.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from youthsafe.core import audit
from youthsafe.core.access import acting_user, get_visible_or_404, permission_required
from youthsafe.core.models import AuditAction, User
from youthsafe.core.roles import Permission
from youthsafe.detection.card import CardError, model_card
from youthsafe.detection.classifier import DEFAULT_MODEL_DIR
from youthsafe.pipeline import deadletters, hooks, tokens, versions
from youthsafe.pipeline.api import source_rows
from youthsafe.pipeline.forms import NoteForm, RevealForm, TokenForm
from youthsafe.pipeline.identity import do_reveal_author
from youthsafe.pipeline.models import ApiToken, Post, ScanRecord, Source

PAGE_SIZE = 50
RECENT = 50


@permission_required(Permission.POST_VIEW)
def index(request: HttpRequest) -> HttpResponse:
    """Sources of my jurisdictions with their counts, and the most recent posts (pseudonymous)."""
    user = acting_user(request)
    context = {
        "sources": list(source_rows(user)),
        "posts": list(Post.objects.visible_to(user).select_related("source", "jurisdiction")[:RECENT]),
        "can_deadletters": user.has_perm_name(Permission.DEADLETTER_VIEW),
        "can_tokens": user.has_perm_name(Permission.SOURCE_MANAGE),
    }
    return render(request, "pipeline/index.html", context)


def _scan_rows(post: Post) -> list[dict[str, Any]]:
    display = hooks.scan_display()
    rows = []
    for scan in ScanRecord.objects.filter(post=post).order_by("-scanned_at", "-id"):
        rows.append({"scan": scan, "level_class": display.level_class(scan.risk_level),
                     "categories": display.category_badges(scan.categories)})
    return rows


def _post_context(post: Post, user: User) -> dict[str, Any]:
    latest = ScanRecord.objects.filter(post=post).order_by("-scanned_at", "-id").first()
    evidence = latest.result.get("evidence", []) if latest is not None else []
    return {"post": post, "text_html": hooks.scan_display().post_html(post, evidence), "scans": _scan_rows(post),
            "alert_id": hooks.alerting().alert_of(post, user),
            "can_reveal": user.has_perm_name(Permission.IDENTITY_REVEAL)}


@permission_required(Permission.POST_VIEW)
def post_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One post, its scans and its alert; reading it is audited (it may hold a minor's words)."""
    user = acting_user(request)
    post = get_visible_or_404(Post.objects.select_related("source", "jurisdiction"), user, pk=pk)
    audit.record(AuditAction.VIEW, actor=user, obj=post, jurisdiction=post.jurisdiction)
    context = _post_context(post, user)
    context["form"] = RevealForm()
    return render(request, "pipeline/post_detail.html", context)


@permission_required(Permission.IDENTITY_REVEAL)
def post_reveal(request: HttpRequest, pk: int) -> HttpResponse:
    """The reveal form (GET) and its answer (POST): the account id is rendered in this response only."""
    user = acting_user(request)
    post = get_visible_or_404(Post.objects.select_related("source", "jurisdiction"), user, pk=pk)
    form = RevealForm(request.POST or None)
    revealed: str | None = None
    if request.method == "POST" and form.is_valid():
        try:
            revealed = do_reveal_author(post, actor=user, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            form.add_error(None, exc)
    response = render(request, "pipeline/reveal.html", {"post": post, "form": form, "revealed": revealed})
    # Keep the answer out of browser and proxy caches: it is meant to be seen once.
    response["Cache-Control"] = "no-store"
    return response


@permission_required(Permission.DEADLETTER_VIEW)
def dead_letters(request: HttpRequest) -> HttpResponse:
    """Records that could not be accepted, newest first; unresolved unless ``?resolved=1``."""
    user = acting_user(request)
    resolved = request.GET.get("resolved") == "1"
    letters = deadletters.visible_to(user).filter(resolved_at__isnull=not resolved).select_related("resolved_by")
    page = Paginator(letters, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "pipeline/dead_letters.html", {"page": page, "resolved": resolved})


@permission_required(Permission.DEADLETTER_VIEW)
def dead_letter_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    """Confirm (GET) and mark a dead letter handled (POST); audited."""
    user = acting_user(request)
    letter = deadletters.visible_to(user).filter(pk=pk).first()
    if letter is None:
        raise Http404(_("No such record in your jurisdiction."))
    form = NoteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if deadletters.do_resolve_dead_letter(letter, actor=user, note=form.cleaned_data["note"]):
            messages.success(request, _("Dead letter marked resolved."))
        else:
            messages.info(request, _("This dead letter was already resolved."))
        return redirect("pipeline:dead_letters")
    return render(request, "pipeline/confirm.html", {
        "title": _("Mark the dead letter resolved"), "form": form, "letter": letter,
        "cancel_url": reverse("pipeline:dead_letters")})


@permission_required(Permission.SOURCE_MANAGE)
def source_tokens(request: HttpRequest, pk: int) -> HttpResponse:
    """A source's API tokens; a new token's plaintext appears in the answer to its creation only."""
    user = acting_user(request)
    source = get_visible_or_404(Source.objects.select_related("jurisdiction"), user, pk=pk)
    form = TokenForm(request.POST or None)
    created: tokens.NewToken | None = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            created = tokens.do_create_token(source, actor=user, name=data["name"], scopes=data["scopes"],
                                             rate_limit=data["rate_limit"])
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            form = TokenForm()
    context = {"source": source, "form": form, "created": created,
               "tokens": list(ApiToken.objects.filter(source=source).select_related("created_by")),
               "can_write": user.can_write_in(source.jurisdiction)}
    response = render(request, "pipeline/tokens.html", context)
    response["Cache-Control"] = "no-store"
    return response


@permission_required(Permission.SOURCE_MANAGE)
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    """Confirm (GET) and revoke (POST) a token; audited. It stops working at once."""
    user = acting_user(request)
    token = ApiToken.objects.select_related("source", "source__jurisdiction").filter(
        pk=pk, source__in=Source.objects.visible_to(user)).first()
    if token is None:
        raise Http404(_("No such record in your jurisdiction."))
    form = NoteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if tokens.do_revoke_token(token, actor=user, reason=form.cleaned_data["note"]):
            messages.success(request, _("Token %(p)s revoked.") % {"p": token.prefix})
        else:
            messages.info(request, _("This token was already revoked."))
        return redirect("pipeline:source_tokens", pk=token.source_id)
    return render(request, "pipeline/confirm.html", {
        "title": _("Revoke token %(p)s") % {"p": token.prefix}, "form": form, "token": token,
        "cancel_url": reverse("pipeline:source_tokens", args=[token.source_id]), "danger": True})


@permission_required(Permission.POST_VIEW)
def versions_page(request: HttpRequest) -> HttpResponse:
    """Model versions with their scans over my jurisdictions' posts, and what a version would change: the
    alerts it would add and drop against another (pipeline/versions.py). Read only: a diff decides nothing."""
    user = acting_user(request)
    sources = list(Source.objects.visible_to(user))
    posts = Post.objects.visible_to(user)
    chosen = next((s for s in sources if str(s.pk) == request.GET.get("source", "")), None)
    if chosen is not None:
        posts = posts.filter(source=chosen)
    rows = versions.version_rows(posts)
    keys = {f"{r['model_version']}|{r['rules_version']}": r for r in rows}
    old_key, new_key = request.GET.get("from", ""), request.GET.get("to", "")
    result = None
    if old_key in keys and new_key in keys and old_key != new_key:
        old, new = keys[old_key], keys[new_key]
        result = versions.diff(posts, versions.Version(old["model_version"], old["rules_version"]),
                               versions.Version(new["model_version"], new["rules_version"]))
    display = hooks.scan_display()
    sides = [] if result is None else [
        {"name": name, "title": title, "side": side,
         "categories": [{**b, "count": side.by_category[b["id"]]}
                        for b in display.category_badges(sorted(side.by_category))],
         "levels": [{"level": level, "count": n, "class": display.level_class(level)}
                    for level, n in sorted(side.by_level.items(), reverse=True)]}
        for name, title, side in (("added", _("Alerts it would add"), result.added),
                                  ("dropped", _("Alerts it would no longer open"), result.dropped))]
    context = {"sources": sources, "chosen": chosen, "rows": [{"key": k, **r} for k, r in keys.items()],
               "old_key": old_key, "new_key": new_key, "diff": result, "sides": sides}
    return render(request, "pipeline/versions.html", context)


@permission_required(Permission.POST_VIEW)
def model_card_page(request: HttpRequest) -> HttpResponse:
    """The model card of the model this server scans with (``youthsafe model card`` as a page)."""
    try:
        card: dict[str, Any] | None = model_card(DEFAULT_MODEL_DIR)
    except CardError:
        card = None
    sources = [] if card is None else [
        {"name": name, "counts": sorted(counts.items())} for name, counts in (card.get("sources") or {}).items()]
    heldout = (card or {}).get("heldout") or {}
    tables = [{"name": name, **figures} for name, figures in heldout.items()
              if isinstance(figures, dict) and "per_label" in figures]
    others = [{"name": name, "value": figures} for name, figures in heldout.items()
              if not (isinstance(figures, dict) and "per_label" in figures)]
    return render(request, "pipeline/model_card.html", {"card": card, "sources": sources, "tables": tables,
                                                         "others": others})
