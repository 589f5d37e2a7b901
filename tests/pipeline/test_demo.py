"""The demo feed goes through the real ingest: one recruitment incident, ads flagged, broken lines kept."""

from __future__ import annotations

from django.utils import timezone

from youthsafe.alerts.models import Alert
from youthsafe.pipeline import demo
from youthsafe.pipeline.models import DeadLetter, Post, ScanRecord, Source
from youthsafe.pipeline.services import ingest_batch


def test_demo_feed_makes_what_production_makes(source: Source) -> None:
    feed = demo.records(timezone.now())
    assert len(feed) >= 250
    summary = ingest_batch(source, feed, channel="file")
    assert summary.dead_letters == len(demo.BROKEN) == DeadLetter.objects.count()
    assert summary.accepted == Post.objects.count() == len(feed) - len(demo.BROKEN)
    incident = Alert.objects.get(thread_key="wb-thread-2001")
    assert incident.recruitment
    assert incident.people.count() >= 4  # the recruiter and the people who answered
    gambling = ScanRecord.objects.filter(post__external_id__startswith="wb-ad").values_list("categories", flat=True)
    assert any("A06" in c for c in gambling)
    levels = set(ScanRecord.objects.filter(post__external_id__startswith="wb-w").values_list("risk_level", flat=True))
    assert len(levels) >= 4  # welfare posts at several levels, not one
    again = ingest_batch(source, feed, channel="file")
    assert (again.accepted, again.alerts_opened) == (0, 0)
