"""How ingestion stores a checked batch (services.ingest_batch): which records are new, repeats or conflicts,
the posts and their scan records in as few statements as the database allows, the dead letters once each,
and the scans a backfill computed. Every function runs inside the batch's transaction; the posts whose live
scan was stored go to the apps through pipeline's hook (hooks.py).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable

from youthsafe.core.models import Jurisdiction
from youthsafe.detection.engine import ScanResult
from youthsafe.pipeline import bulk, hooks, pseudonym
from youthsafe.pipeline.models import DeadLetter, Post, ScanRecord, Source
from youthsafe.pipeline.records import Dead, Rejected, Valid, payload

log = logging.getLogger(__name__)

Live = tuple[str, str]  # the live engine's (model version, rules version)


class _Places:
    """Resolve a location hint to the deepest jurisdiction whose name or code it mentions."""

    def __init__(self) -> None:
        nodes = list(Jurisdiction.objects.all())
        self.by_code = {n.code.lower(): n for n in nodes}
        self.names = sorted(nodes, key=lambda n: (-len(n.name), -n.depth))

    def resolve(self, hint: str, default: Jurisdiction) -> Jurisdiction:
        if not hint:
            return default
        exact = self.by_code.get(hint.lower())
        if exact is not None:
            return exact
        for node in self.names:
            if node.name and node.name in hint:
                return node
        return default


# --- new, repeated or conflicting -------------------------------------------------------------------------
def fresh(source: Source, valid: list[Valid]) -> tuple[list[Valid], list[Valid], list[Valid]]:
    """Records not yet stored (the first of any id repeated inside the batch); repeats of a stored or earlier
    record with the same text (duplicates); and those with another text (conflicts)."""
    first: dict[str, Valid] = {}
    later: list[Valid] = []
    for v in valid:
        if v.external_id in first:
            later.append(v)
        else:
            first[v.external_id] = v
    wanted = list(first)
    present = (bulk.present(Post, "external_id", wanted, source=source.pk) if bulk.supported() else
               set(Post.objects.filter(source=source, external_id__in=wanted).values_list("external_id", flat=True)))
    stored = _stored_texts(source, present) if present else {}  # a replay: the texts to compare with
    new = [v for eid, v in first.items() if eid not in stored]
    same: list[Valid] = []
    other: list[Valid] = []
    for v in [v for eid, v in first.items() if eid in stored] + later:
        # Against the stored post, or within the batch against its first record (the one stored).
        kept = stored[v.external_id] if v.external_id in stored else first[v.external_id].text
        (same if kept is None or kept == v.text else other).append(v)
    return new, same, other


def _stored_texts(source: Source, ids: Iterable[str]) -> dict[str, str | None]:
    """The stored texts of these ids; None for a post whose text was purged (it cannot be compared)."""
    return {eid: None if purged is not None else text for eid, text, purged in
            Post.objects.filter(source=source, external_id__in=list(ids)).order_by()
            .values_list("external_id", "text", "purged_at")}


def against_stored(source: Source, candidates: list[Valid]) -> tuple[list[Valid], list[Valid]]:
    """Split records whose ids are stored into those with the stored text and those with another."""
    stored = _stored_texts(source, [v.external_id for v in candidates])
    same = [v for v in candidates if stored.get(v.external_id) in (None, v.text)]
    return same, [v for v in candidates if stored.get(v.external_id) not in (None, v.text)]


def conflict(v: Valid) -> Dead:
    reason = f"conflict: id {v.external_id!r} is stored already with a different text"
    return v.position, v.external_id, reason, v.record


# --- dead letters -----------------------------------------------------------------------------------------
def dead_letters(source: Source, channel: str, dead: list[Dead]) -> None:
    """Keep each bad record once: a replay of the same input does not add the same dead letter again."""
    if not dead:
        return
    rows = [
        DeadLetter(source=source, source_name=source.name, channel=channel, position=position[:100],
                   reason=reason[:500], payload=_payload(raw))
        for position, _eid, reason, raw in dead
    ]
    known = set(
        DeadLetter.objects.filter(source=source, channel=channel, resolved_at=None,
                                  position__in=[r.position for r in rows]).values_list("position", "reason", "payload")
    )
    rows = [r for r in rows if (r.position, r.reason, r.payload) not in known]
    DeadLetter.objects.bulk_create(rows)
    log.warning("%s: %d record(s) dead-lettered from %s", source.name, len(dead), channel)


def _payload(raw: object) -> str:
    """What the dead letter keeps of a record: records.payload (storable JSON, or the line as it came)."""
    return payload(raw.payload if isinstance(raw, Rejected) else raw)


# --- posts and their scans --------------------------------------------------------------------------------
def insert_posts(source: Source, new: list[Valid], results: dict[str, ScanResult]) -> dict[str, Post]:
    """Insert, skipping rows a concurrent worker stored first; return the rows this batch inserted.

    ``cluster_id`` is the engine's near-duplicate cluster when its index is on (``Engine(dedup=True)``). That
    index lives in one process, so its ids mean something only within one ingest run or one worker.
    """
    if not new:
        return {}
    batch = uuid.uuid4().hex
    places = _Places()
    rows = [
        Post(
            source=source, external_id=v.external_id, text=v.text, posted_at=v.posted_at, thread_key=v.thread,
            author_key=pseudonym.author_key(source.name, v.author), author_sealed=pseudonym.seal(v.author),
            location_hint=v.location, jurisdiction=places.resolve(v.location, source.jurisdiction),
            ingest_batch=batch, cluster_id=results[v.external_id].cluster_id,
        )
        for v in new
    ]
    if bulk.supported():  # one statement; RETURNING gives the keys of the rows inserted (pipeline/bulk.py)
        ids = dict(bulk.insert(Post, rows, returning=("external_id", "id"), ignore_conflicts=True))
    else:
        Post.objects.bulk_create(rows, batch_size=500, ignore_conflicts=True)
        # With ignore_conflicts no primary keys come back; the batch marker tells which rows are ours. Only the
        # keys are read: the objects built above already hold everything else (no second read of 500 texts).
        ids = dict(Post.objects.filter(source=source, ingest_batch=batch).values_list("external_id", "pk"))
    built = {p.external_id: p for p in rows}
    for external_id, pk in ids.items():
        _stored(built[external_id], pk)
    # In input order: a recruitment post opens its alert before the replies that follow it join.
    return {v.external_id: built[v.external_id] for v in new if v.external_id in ids}


def _stored(obj: Post | ScanRecord, pk: int) -> None:
    """Mark an object built for a multi-row insert as stored under ``pk``, as if it had been loaded."""
    obj.pk = pk
    obj._state.adding, obj._state.db = False, Post.objects.db


def is_live(scan: ScanResult | None, live: Live) -> bool:
    return scan is not None and (scan.model_version, scan.rules_version) == live


def store_scans(posts: dict[str, Post], results: dict[str, ScanResult], live: Live) -> hooks.Reaction:
    """Store the live scans of the posts this batch inserted, then tell the apps (in input order)."""
    if not posts:
        return hooks.Reaction()
    scans = [scan_record(post, results[eid], *live) for eid, post in posts.items()]
    # No conflict is possible: these posts were inserted by this very transaction, so no other transaction
    # can hold a scan of them (it cannot see them before we commit). A plain insert returns the keys
    # (RETURNING on PostgreSQL and SQLite), so nothing is read back.
    if bulk.supported():
        keys = dict(bulk.insert(ScanRecord, scans, returning=("post", "id")))
        for scan in scans:
            _stored(scan, keys[scan.post_id])
    else:
        ScanRecord.objects.bulk_create(scans, batch_size=500)
    return hooks.scanned(hooks.ScannedBatch(
        posts=tuple(posts.values()), scans={s.post_id: s for s in scans},
        results={post.pk: results[eid] for eid, post in posts.items()}, fresh=True))


def store_precomputed(source: Source, carried: list[Valid], live: Live) -> tuple[int, hooks.Reaction]:
    """Store the precomputed scans (backfill results) that are not stored yet; return how many were added and
    what the apps did with the posts that gained a live scan.

    The go-live rule: a scan of the live engine's model and rules versions is a live scan, so a stored post
    that lacked it gets it and goes to the apps exactly as a freshly scanned post would. A scan of any other
    version is a candidate: it is recorded (one per post and version, so a reload adds nothing) and opens no
    alert; ``youthsafe backfill diff`` shows what it would change. (A new post loaded with a candidate scan
    was also scanned by the live engine, like any ingested post.)
    """
    if not carried:
        return 0, hooks.Reaction()
    ids = dict(Post.objects.filter(source=source, external_id__in={v.external_id for v in carried})
               .values_list("external_id", "pk"))
    wanted: dict[tuple[int, str, str], Valid] = {}
    for v in carried:
        if v.scan is not None and v.external_id in ids:
            wanted.setdefault((ids[v.external_id], v.scan.model_version, v.scan.rules_version), v)
    have = set(ScanRecord.objects.filter(post_id__in={k[0] for k in wanted})
               .values_list("post_id", "model_version", "rules_version"))
    missing = {k: v for k, v in wanted.items() if k not in have}
    ScanRecord.objects.bulk_create(
        [scan_record(Post(pk=k[0]), v.scan, k[1], k[2]) for k, v in missing.items() if v.scan is not None],
        batch_size=500, ignore_conflicts=True)
    now_live = {k[0]: v.scan for k, v in missing.items() if (k[1], k[2]) == live and v.scan is not None}
    if not now_live:
        return len(missing), hooks.Reaction()
    posts = Post.objects.select_related("jurisdiction").in_bulk(list(now_live))
    stored = {s.post_id: s for s in ScanRecord.objects.filter(
        post_id__in=list(now_live), model_version=live[0], rules_version=live[1])}
    return len(missing), hooks.scanned(hooks.ScannedBatch(
        posts=tuple(posts[pk] for pk in now_live), scans=stored, results=now_live, fresh=False))


def scan_record(post: Post, result: ScanResult, model_version: str, rules_version: str) -> ScanRecord:
    return ScanRecord(
        post=post, model_version=model_version, rules_version=rules_version,
        risk_level=result.risk_level, flagged=result.flagged, recruitment=result.recruitment,
        categories=[c.id for c in result.categories if c.flagged], result=result.to_dict(),
    )
