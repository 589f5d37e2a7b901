"""Sources, API tokens, posts, scan records and dead letters."""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _

from youthsafe.core.models import Jurisdiction, JurisdictionScopedQuerySet, User


class SourceKind(models.TextChoices):
    FILE = "file", _("File import")
    HTTP = "http", _("HTTP push")
    NATS = "nats", _("NATS stream")
    SPARK = "spark", _("Spark backfill")


class Source(models.Model):
    """Where posts come from: a platform's push feed, a collector, an archive. Posts of a source whose
    location cannot be resolved belong to its default jurisdiction."""

    name = models.SlugField(_("name"), max_length=64, unique=True)
    kind = models.CharField(_("kind"), max_length=8, choices=SourceKind.choices, default=SourceKind.FILE)
    description = models.CharField(_("description"), max_length=200, blank=True)
    jurisdiction = models.ForeignKey(Jurisdiction, verbose_name=_("default jurisdiction"), on_delete=models.PROTECT,
                                     related_name="+")
    platform = models.ForeignKey("registry.Platform", verbose_name=_("platform"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="sources")
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects: ClassVar[JurisdictionScopedQuerySet[Source]] = JurisdictionScopedQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering: ClassVar[list[str]] = ["name"]
        verbose_name = _("source")
        verbose_name_plural = _("sources")

    def __str__(self) -> str:
        return self.name


class ApiToken(models.Model):
    """A per-source token for the HTTP push API: scoped, revocable, rate-limited. Only its SHA-256 is stored;
    ``prefix`` finds the row without scanning."""

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="tokens")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=12, unique=True)
    token_hash = models.CharField(max_length=64)
    scopes = models.JSONField(_("scopes"), default=list)
    rate_limit_per_minute = models.PositiveIntegerField(_("rate limit per minute"), default=600)
    created_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    # The fixed one-minute rate window (pipeline/tokens.py): its start and the requests counted in it, moved
    # by compare-and-swap UPDATEs so concurrent requests on any number of processes are counted exactly.
    window_start = models.DateTimeField(null=True, blank=True, editable=False)
    window_count = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        ordering: ClassVar[list[str]] = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.source}:{self.name}"


class Post(models.Model):
    """One piece of online text, entered once: (source, external_id) is unique, so a replay or a retry
    changes nothing. The author appears only as a pseudonym; the raw id is sealed (pseudonym.py)."""

    # No index of its own: the unique (source, external_id) index leads with it. Every index costs each insert,
    # and ingestion inserts thousands of posts a second (benchmarks/ingest_throughput.py).
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="posts", db_index=False)
    external_id = models.CharField(_("external id"), max_length=200)
    text = models.TextField(_("text"))
    posted_at = models.DateTimeField(_("posted at"), null=True, blank=True, db_index=True)
    thread_key = models.CharField(_("thread"), max_length=200, blank=True)  # indexed in Meta (equality only)
    author_key = models.CharField(_("author (pseudonym)"), max_length=32, blank=True)  # indexed in Meta
    author_sealed = models.TextField(blank=True, editable=False)
    location_hint = models.CharField(_("location hint"), max_length=200, blank=True)
    jurisdiction = models.ForeignKey(Jurisdiction, verbose_name=_("jurisdiction"), on_delete=models.PROTECT,
                                     related_name="+")
    received_at = models.DateTimeField(_("received at"), auto_now_add=True, db_index=True)
    cluster_id = models.BigIntegerField(_("near-duplicate cluster"), null=True, blank=True, db_index=True)
    # The ingest batch that inserted the row: after an INSERT that skips conflicts, it tells exactly which
    # rows this batch added (and so must scan and alert on) and which a concurrent worker added first.
    ingest_batch = models.CharField(max_length=32, blank=True, editable=False)
    meta = models.JSONField(default=dict, blank=True)
    # Set when a retention period ended and the text, account id and location were removed (core/retention.py).
    purged_at = models.DateTimeField(_("personal data purged at"), null=True, blank=True, db_index=True)

    objects: ClassVar[JurisdictionScopedQuerySet[Post]] = JurisdictionScopedQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering: ClassVar[list[str]] = ["-id"]
        verbose_name = _("post")
        verbose_name_plural = _("posts")
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["source", "external_id"], name="pipeline_post_source_external_id"),
        ]
        # Plain indexes: ``db_index`` on a CharField adds a second, pattern-matching index on PostgreSQL, and
        # nothing searches these keys by prefix.
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["thread_key"], name="pipeline_post_thread"),
            models.Index(fields=["author_key"], name="pipeline_post_author"),
        ]

    def __str__(self) -> str:
        return f"{self.source_id}:{self.external_id}"

    @property
    def shown_text(self) -> str:
        """The text, or a note that it was purged when its retention period ended."""
        return str(_("(text removed: its retention period ended)")) if self.purged_at else self.text


class ScanRecord(models.Model):
    """The detection engine's result for a post under one model and rule version (scanned once each)."""

    # Indexed by the unique (post, model_version, rules_version) constraint, which leads with it.
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="scans", db_index=False)
    model_version = models.CharField(max_length=100)
    rules_version = models.CharField(max_length=100)
    risk_level = models.PositiveSmallIntegerField(default=0, db_index=True)
    flagged = models.BooleanField(default=False, db_index=True)
    recruitment = models.BooleanField(default=False)
    categories = models.JSONField(default=list)  # ids of flagged categories
    result = models.JSONField()  # ScanResult.to_dict(): scores, evidence, rules fired, explanation
    scanned_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["-id"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["post", "model_version", "rules_version"], name="pipeline_scan_once"),
        ]

    def __str__(self) -> str:
        return f"scan {self.post_id} {self.model_version}"


class DeadLetter(models.Model):
    """A record that could not be accepted: kept with the reason, shown in the UI, never silently dropped."""

    source = models.ForeignKey(Source, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    source_name = models.CharField(max_length=64, blank=True)
    channel = models.CharField(_("channel"), max_length=16)  # file | http | nats | spark
    position = models.CharField(_("position"), max_length=100, blank=True)  # line number, stream sequence
    reason = models.CharField(_("reason"), max_length=500)
    payload = models.TextField(_("payload"), blank=True)
    received_at = models.DateTimeField(_("received at"), auto_now_add=True, db_index=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering: ClassVar[list[str]] = ["-id"]
        verbose_name = _("dead letter")
        verbose_name_plural = _("dead letters")

    def __str__(self) -> str:
        return f"{self.channel}:{self.position} {self.reason}"
