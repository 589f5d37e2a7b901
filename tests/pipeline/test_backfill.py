"""``youthsafe backfill``: Spark local mode and in-process give the same results, rejects are kept, ``youthsafe
ingest`` loads results idempotently, a candidate version opens no alert, and ``backfill diff`` tells what a
version would add and drop.

The Spark tests share one small SparkSession (local[2]) per module and skip with a message when pyspark or
Java is missing (``scripts/test`` installs both).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from tests.conftest import Tree
from tests.pipeline.conftest import RECRUITMENT_THREAD
from youthsafe.alerts.models import Alert, AlertPerson, AlertPost
from youthsafe.alerts.services.intake import opens_alert
from youthsafe.core.models import User
from youthsafe.detection.classifier import DEFAULT_MODEL_DIR
from youthsafe.detection.engine import Engine
from youthsafe.pipeline import backfill, pseudonym
from youthsafe.pipeline import spark as spark_engine
from youthsafe.pipeline.models import DeadLetter, Post, ScanRecord, Source
from youthsafe.pipeline.services import default_engine, ingest_batch

# One JVM per test run: the module's tests stay on one worker. Run once, in the PostgreSQL pass (scripts/test).
pytestmark = [pytest.mark.xdist_group("spark"), pytest.mark.once]

BAD_LINES = ["not json", '{"id": "e1", "text": ""}', "[1, 2]", '{"text": "没有编号的帖子"}']
BAD_REASONS = ["not valid JSON", "missing text", "record is not a JSON object", "missing id"]
SPARK_CONF = {
    "spark.ui.enabled": "false",
    "spark.sql.shuffle.partitions": "2",
    "spark.driver.memory": "512m",
    # A test JVM lives a minute: the quick compiler and the serial collector start it in half the time.
    "spark.driver.extraJavaOptions": "-XX:+UseSerialGC -XX:TieredStopAtLevel=1",
}


def _write_archive(path: Path) -> Path:
    lines = [json.dumps(r, ensure_ascii=False) for r in RECRUITMENT_THREAD]
    lines[2:2] = BAD_LINES[:2]
    lines += ["", *BAD_LINES[2:]]  # a blank line is no row
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _results(out: Path) -> dict[str, dict[str, Any]]:
    rows = [json.loads(line) for f in sorted(out.iterdir()) if f.is_file() and not f.name.startswith(("_", "."))
            for line in f.read_text(encoding="utf-8").splitlines()]
    by_id = {str(r["id"]): r for r in rows}
    assert len(by_id) == len(rows)
    return by_id


def _rejects(out: Path) -> list[dict[str, Any]]:
    folder = out / backfill.REJECTS
    return [json.loads(line) for f in sorted(folder.iterdir()) if not f.name.startswith(("_", "."))
            for line in f.read_text(encoding="utf-8").splitlines()]


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
    pytest.importorskip("pyspark", reason="pyspark is not installed: pip install 'youthsafe[spark]'")
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        pytest.skip("Java is not installed (Spark needs it): apt-get install default-jre-headless")
    session = spark_engine.spark_session("local[2]", SPARK_CONF)
    yield session
    session.stop()


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _write_archive(tmp_path_factory.mktemp("archive") / "posts.jsonl")


@pytest.fixture(scope="module")
def spark_out(spark: Any, archive: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, backfill.Summary]:
    out = tmp_path_factory.mktemp("spark") / "results"
    summary = backfill.run(backfill.Options(input=str(archive), out=str(out), engine="spark", partitions=2),
                           spark=spark)
    return out, summary


@pytest.fixture(scope="module")
def local_out(archive: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, backfill.Summary]:
    out = tmp_path_factory.mktemp("local") / "results"
    return out, backfill.run(backfill.Options(input=str(archive), out=str(out), engine="local"))


# --- the backfill itself --------------------------------------------------------------------------------------

def test_spark_and_local_give_identical_results_and_keep_rejects(
    spark_out: tuple[Path, backfill.Summary], local_out: tuple[Path, backfill.Summary]
) -> None:
    (spark_dir, spark_sum), (local_dir, local_sum) = spark_out, local_out
    for summary in (spark_sum, local_sum):
        assert (summary.rows, summary.scanned, summary.rejects) == (9, 5, 4)
    assert spark_sum.flagged == local_sum.flagged
    assert list(spark_dir.glob("part-*")), "Spark wrote no part files"
    from_spark, from_local = _results(spark_dir), _results(local_dir)
    assert from_spark == from_local
    assert set(from_spark) == {str(r["id"]) for r in RECRUITMENT_THREAD}
    # The scans are the ingestion engine's, for the same texts (not merely equal to each other).
    engine = default_engine()
    expected = engine.scan([r["text"] for r in RECRUITMENT_THREAD])
    for record, result in zip(RECRUITMENT_THREAD, expected, strict=True):
        row = from_spark[str(record["id"])]
        assert row["scan"] == result.to_dict()
        assert (row["model_version"], row["rules_version"]) == (engine.model_version, engine.rules_version)
        assert row["text"] == record["text"]
        assert row.get("author") == record.get("author")
    for out in (spark_dir, local_dir):
        rejects = _rejects(out)
        assert sorted(r["payload"] for r in rejects) == sorted(BAD_LINES)
        for payload, reason in zip(BAD_LINES, BAD_REASONS, strict=True):
            assert reason in next(r["reason"] for r in rejects if r["payload"] == payload)


def test_a_model_directory_is_shipped_to_the_executors(spark: Any, archive: Path, tmp_path: Path) -> None:
    """``--model DIR`` travels with the job as bytes (no shared filesystem): a copy of the packaged model under
    a version name of its own, in a directory removed before the job runs, scans on the executors."""
    model = tmp_path / "model"
    shutil.copytree(DEFAULT_MODEL_DIR, model)
    meta = json.loads((model / "model.json").read_text(encoding="utf-8"))
    meta["version"] = "copy-under-test"
    (model / "model.json").write_text(json.dumps(meta), encoding="utf-8")
    spec = backfill.ModelSpec.build(model)
    shutil.rmtree(model)
    opts = backfill.Options(input=str(archive), out=str(tmp_path / "out"), engine="spark")
    summary = backfill.run(opts, spark=spark, spec=spec)
    assert summary.scanned == 5
    row = _results(tmp_path / "out")["t1"]
    assert row["model_version"] == "copy-under-test"
    packaged = default_engine().scan([RECRUITMENT_THREAD[0]["text"]])[0].to_dict()
    assert row["scan"] == {**packaged, "model_version": "copy-under-test"}


def test_parquet_archive_on_spark(spark: Any, tmp_path: Path) -> None:
    # Optional dependency: the spark fixture has skipped the test without it.
    from pyspark.sql.types import LongType, StringType, StructField, StructType, TimestampType  # noqa: PLC0415

    schema = StructType([StructField("post_id", LongType()), StructField("body", StringType()),
                         StructField("uid", StringType()), StructField("ts", TimestampType())])
    when = dt.datetime(2026, 11, 28, 2, 0, tzinfo=dt.UTC)
    rows = [(101, RECRUITMENT_THREAD[0]["text"], "night_owl", when), (102, RECRUITMENT_THREAD[4]["text"], None, None),
            (103, None, "someone", when)]
    archive = tmp_path / "archive.parquet"
    spark.createDataFrame(rows, schema).coalesce(1).write.parquet(str(archive))
    out = tmp_path / "results"
    summary = backfill.run(backfill.Options(
        input=str(archive), out=str(out), engine="spark",
        fields=backfill.Fields(id="post_id", text="body", author="uid", time="ts")), spark=spark)
    assert (summary.rows, summary.scanned, summary.rejects) == (3, 2, 1)
    results = _results(out)
    assert set(results) == {"101", "102"}
    assert results["101"]["author"] == "night_owl"
    assert dt.datetime.fromisoformat(results["101"]["created_at"]) == when
    assert results["101"]["scan"] == default_engine().scan([rows[0][1]])[0].to_dict()
    assert [r["reason"] for r in _rejects(out)] == ["missing text"]
    if _has_pyarrow():  # the in-process engine reads Parquet through pyarrow when it is there
        local = backfill.run(backfill.Options(
            input=str(archive), out=str(tmp_path / "local"), engine="local",
            fields=backfill.Fields(id="post_id", text="body", author="uid", time="ts")))
        assert local.rejects == 1
        assert {k: v["scan"] for k, v in _results(tmp_path / "local").items()} == {
            k: v["scan"] for k, v in results.items()}


def _has_pyarrow() -> bool:
    try:
        import pyarrow.parquet  # noqa: F401, PLC0415  (optional dependency: is it installed?)
    except ImportError:
        return False
    return True


def test_spark_refuses_to_overwrite_unless_asked(spark: Any, archive: Path, tmp_path: Path) -> None:
    out = tmp_path / "results"
    opts = backfill.Options(input=str(archive), out=str(out), engine="spark")
    backfill.run(opts, spark=spark)
    with pytest.raises(backfill.BackfillError, match="output exists"):
        backfill.run(opts, spark=spark)
    opts.overwrite = True
    assert backfill.run(opts, spark=spark).scanned == 5


def test_a_path_spark_cannot_read_is_a_one_line_reason(spark: Any, tmp_path: Path) -> None:
    opts = backfill.Options(input="nosuchfs://bucket/posts.jsonl", out=str(tmp_path / "o"), engine="spark")
    with pytest.raises(backfill.BackfillError, match=r"^Spark cannot read or write: .*nosuchfs") as caught:
        backfill.run(opts, spark=spark)
    assert "\n" not in str(caught.value)
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize(("options", "reason"), [
    ({"input": "/no/such/archive.jsonl"}, "no such file or directory"),
    ({"input": "s3a://bucket/posts.jsonl"}, "local paths only"),
    ({"input_format": "csv"}, "unknown input format"),
])
def test_unusable_input_is_a_one_line_reason(archive: Path, tmp_path: Path, options: dict[str, Any],
                                             reason: str) -> None:
    opts = backfill.Options(**{"input": str(archive), "out": str(tmp_path / "o"), **options})
    with pytest.raises(backfill.BackfillError, match=reason):
        backfill.run(opts)
    assert not (tmp_path / "o").exists()


def test_the_command_exits_2_with_the_reason(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="no such file or directory") as caught:
        call_command("backfill", str(tmp_path / "missing.jsonl"), "--out", str(tmp_path / "o"))
    assert caught.value.returncode == 2


def test_without_pyspark_or_java_the_spark_engine_says_what_to_install(
    archive: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    opts = backfill.Options(input=str(archive), out=str(tmp_path / "o"), engine="spark")
    monkeypatch.setitem(sys.modules, "pyspark", None)  # import pyspark now raises ImportError
    with pytest.raises(backfill.BackfillError) as caught:
        backfill.run(opts)
    assert str(caught.value) == "pyspark is not installed: pip install 'youthsafe[spark]'"
    monkeypatch.delitem(sys.modules, "pyspark")
    pytest.importorskip("pyspark")
    monkeypatch.setattr(shutil, "which", lambda _name: None)
    monkeypatch.delenv("JAVA_HOME", raising=False)
    with pytest.raises(backfill.BackfillError, match="Java is not installed"):
        backfill.run(opts)


def test_backfill_and_the_package_work_without_pyspark(archive: Path, tmp_path: Path) -> None:
    """The package imports and the local engine runs when pyspark cannot be imported at all."""
    code = (
        "import sys; sys.modules['pyspark'] = None\n"
        "import django; django.setup()\n"
        "import youthsafe.cli, youthsafe.pipeline.services, youthsafe.pipeline.views\n"
        "from youthsafe.pipeline import backfill\n"
        f"s = backfill.run(backfill.Options(input={str(archive)!r}, out={str(tmp_path / 'o')!r}))\n"
        "print(s.scanned, s.rejects)\n"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "youthsafe.core.settings", "YOUTHSAFE_VAR_DIR": str(tmp_path)}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=False,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["5", "4"]


# --- ingesting results ----------------------------------------------------------------------------------------

def _counts() -> tuple[int, ...]:
    return (Post.objects.count(), ScanRecord.objects.count(), Alert.objects.count(), AlertPerson.objects.count(),
            AlertPost.objects.count(), DeadLetter.objects.count())


def test_ingest_of_spark_results_is_idempotent_and_live(
    spark_out: tuple[Path, backfill.Summary], source: Source
) -> None:
    out, _ = spark_out
    first = io.StringIO()
    call_command("ingest", str(out), "--source", source.name, stdout=first)
    counts = _counts()
    live = default_engine()
    # Live versions: each post has exactly the one scan, and the recruitment thread became one incident.
    assert counts[:3] == (5, 5, 1)
    assert set(ScanRecord.objects.values_list("model_version", "rules_version")) == {
        (live.model_version, live.rules_version)}
    assert Alert.objects.get().recruitment
    assert "new 5" in first.getvalue()
    again = io.StringIO()
    call_command("ingest", str(out), "--source", source.name, stdout=again)
    assert _counts() == counts
    assert "new 0, duplicates 5" in again.getvalue()
    assert "alerts opened 0" in again.getvalue()


def _store_without_scans(source: Source) -> None:
    """Posts already in the database that no scan of the live version has seen (stored before it)."""
    for r in RECRUITMENT_THREAD:
        Post.objects.create(source=source, external_id=r["id"], text=r["text"], thread_key=r.get("thread", ""),
                            author_key=pseudonym.author_key(source.name, r["author"]),
                            author_sealed=pseudonym.seal(r["author"]), jurisdiction=source.jurisdiction)


def test_a_candidate_version_opens_no_alert_and_the_live_one_does(
    local_out: tuple[Path, backfill.Summary], archive: Path, source: Source, tmp_path: Path
) -> None:
    _store_without_scans(source)
    candidate_dir = tmp_path / "candidate"
    backfill.run(backfill.Options(input=str(archive), out=str(candidate_dir), use_default_model=False))
    candidate = _results(candidate_dir)
    live = default_engine()
    assert candidate["t1"]["model_version"] != live.model_version
    # The candidate's scan of the recruitment post would open an alert if it were live...
    assert opens_alert(candidate["t1"]["scan"]["risk_level"], candidate["t1"]["scan"]["recruitment"])
    call_command("ingest", str(candidate_dir), "--source", source.name, stdout=io.StringIO())
    # ...but it is a candidate: recorded for every post, and no alert.
    assert ScanRecord.objects.filter(model_version=candidate["t1"]["model_version"]).count() == 5
    assert Alert.objects.count() == 0
    # The live version's results go through alerting as a live scan would.
    call_command("ingest", str(local_out[0]), "--source", source.name, stdout=io.StringIO())
    assert Alert.objects.count() == 1
    assert set(AlertPost.objects.values_list("scan__model_version", flat=True)) == {live.model_version}
    counts = _counts()
    for folder in (candidate_dir, local_out[0]):
        call_command("ingest", str(folder), "--source", source.name, stdout=io.StringIO())
    assert _counts() == counts
    assert Post.objects.count() == 5
    assert ScanRecord.objects.count() == 10


def test_new_posts_from_a_candidate_file_get_their_live_scan_too(archive: Path, source: Source,
                                                                   tmp_path: Path) -> None:
    candidate_dir = tmp_path / "candidate"
    backfill.run(backfill.Options(input=str(archive), out=str(candidate_dir), use_default_model=False))
    call_command("ingest", str(candidate_dir), "--source", source.name, stdout=io.StringIO())
    live = default_engine().model_version
    assert Post.objects.count() == 5
    assert {p.external_id: sorted(p.scans.values_list("model_version", flat=True))
            for p in Post.objects.all()} == {r["id"]: sorted([live, "rules-only (no model)"])
                                             for r in RECRUITMENT_THREAD}
    # Alerts came from the live scans only (the same as ingesting the raw posts).
    assert Alert.objects.count() == 1
    assert set(AlertPost.objects.values_list("scan__model_version", flat=True)) == {live}


def test_a_scan_that_does_not_match_its_versions_is_dead_lettered(source: Source, tmp_path: Path) -> None:
    result = Engine(use_default_model=False).scan(["普通的帖子"])[0].to_dict()
    lines = [{"id": "a", "text": "普通的帖子", "scan": result, "model_version": "something else"},
             {"id": "b", "text": "普通的帖子", "scan": {**result, "risk_level": "high"}}]
    path = tmp_path / "results.jsonl"
    path.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in lines) + "\n", encoding="utf-8")
    with pytest.raises(SystemExit):
        call_command("ingest", str(path), "--source", source.name, stdout=io.StringIO(), stderr=io.StringIO())
    reasons = sorted(DeadLetter.objects.values_list("reason", flat=True))
    assert reasons == ["model_version 'something else' does not match its scan's",
                       "scan is not a scan result: risk_level missing or of the wrong type"]
    assert Post.objects.count() == 0


def test_only_the_operators_ingest_takes_a_scan_from_the_record(source: Source) -> None:
    """A sender of the push API or the stream cannot stand in for the engine: a ``scan`` it sends is ignored."""
    engine = default_engine()
    quiet = engine.scan(["今天数学课讲了函数"])[0].to_dict()  # a live-version scan of an ordinary post...
    record = {**RECRUITMENT_THREAD[0], "scan": quiet}  # ...sent with the recruitment post
    ingest_batch(source, [record], channel="http")
    stored = ScanRecord.objects.get()
    assert stored.recruitment
    assert stored.result == engine.scan([record["text"]])[0].to_dict()
    assert Alert.objects.count() == 1


# --- what a version would change ----------------------------------------------------------------------------

CANDIDATE = "candidate-test"


def _candidate_scans(source: Source) -> tuple[Post, Post]:
    """Ingest the thread live, then store scans of a made-up candidate version: equal to the live ones except
    that the ordinary post o1 reaches level 7 (W01) and the recruiter's post t1 falls to level 2."""
    ingest_batch(source, RECRUITMENT_THREAD, channel="test")
    live = default_engine()
    o1, t1 = Post.objects.get(external_id="o1"), Post.objects.get(external_id="t1")
    for scan in ScanRecord.objects.filter(model_version=live.model_version):
        level, recruitment, categories = scan.risk_level, scan.recruitment, scan.categories
        if scan.post_id == o1.pk:
            level, recruitment, categories = 7, False, ["W01"]
        elif scan.post_id == t1.pk:
            level, recruitment, categories = 2, False, []
        ScanRecord.objects.create(post_id=scan.post_id, model_version=CANDIDATE, rules_version=live.rules_version,
                                  risk_level=level, recruitment=recruitment, categories=categories,
                                  flagged=bool(categories), result={})
    return o1, t1


def test_diff_reports_the_alerts_a_version_adds_and_drops(source: Source) -> None:
    o1, t1 = _candidate_scans(source)
    live = default_engine()
    before = {s.post_id: s for s in ScanRecord.objects.filter(model_version=live.model_version)}
    assert not opens_alert(before[o1.pk].risk_level, before[o1.pk].recruitment)  # so its alert would be new
    assert opens_alert(before[t1.pk].risk_level, before[t1.pk].recruitment)  # so its alert would go
    thread_still_alerts = any(opens_alert(s.risk_level, s.recruitment) for pid, s in before.items()
                              if pid != t1.pk and Post.objects.get(pk=pid).thread_key == "th-1")
    out = io.StringIO()
    call_command("backfill", "diff", "--from-version", live.model_version, "--to-version", CANDIDATE, "--json",
                 stdout=out)
    report = json.loads(out.getvalue())
    assert report["posts_compared"] == 5
    added, dropped = report["added"], report["dropped"]
    assert (added["posts"], added["threads"], added["by_category"], added["by_level"]) == (1, 1, {"W01": 1},
                                                                                          {"7": 1})
    assert [e["post"] for e in added["examples"]] == [o1.pk]
    assert added["examples"][0]["external_id"] == "o1"
    assert dropped["posts"] == 1
    assert dropped["recruitment"] == 1
    assert dropped["threads"] == (0 if thread_still_alerts else 1)
    assert dropped["by_level"] == {str(before[t1.pk].risk_level): 1}
    # The dropped side's categories come from the old version's scan, read through a subquery as JSON.
    assert before[t1.pk].categories
    assert dropped["by_category"] == dict.fromkeys(sorted(before[t1.pk].categories), 1)
    assert dropped["examples"][0]["categories"] == sorted(before[t1.pk].categories)
    assert [e["post"] for e in dropped["examples"]] == [t1.pk]
    # Nothing changed: a diff decides nothing.
    assert Alert.objects.count() == 1
    text = io.StringIO()
    call_command("backfill", "diff", "--from-version", live.model_version, "--to-version", CANDIDATE, stdout=text)
    assert "added: 1 post(s)" in text.getvalue()
    assert "dropped: 1 post(s)" in text.getvalue()
    for shown in (out.getvalue(), text.getvalue()):  # no author, raw or pseudonymous
        assert "night_owl" not in shown
        assert o1.author_key not in shown
        assert t1.author_key not in shown


def test_versions_and_diff_errors(source: Source) -> None:
    _candidate_scans(source)
    out = io.StringIO()
    call_command("backfill", "versions", "--json", stdout=out)
    rows = {r["model_version"]: r for r in json.loads(out.getvalue())}
    assert rows[CANDIDATE]["scans"] == 5
    assert rows[default_engine().model_version]["live"] is True
    assert rows[CANDIDATE]["live"] is False
    with pytest.raises(CommandError, match="no scans of model version 'nope'"):
        call_command("backfill", "diff", "--from-version", "nope", "--to-version", CANDIDATE)
    with pytest.raises(CommandError, match="needs --from-version and --to-version"):
        call_command("backfill", "diff", "--to-version", CANDIDATE)
    with pytest.raises(CommandError, match="belong to 'youthsafe backfill diff'"):
        call_command("backfill", "posts.jsonl", "--out", "results", "--to-version", CANDIDATE)


def test_versions_page_shows_the_diff_to_those_allowed(
    source: Source, tree: Tree, make_user: Callable[..., User], login: Callable[[User], Client]
) -> None:
    o1, t1 = _candidate_scans(source)
    live = default_engine()
    query = {"from": f"{live.model_version}|{live.rules_version}", "to": f"{CANDIDATE}|{live.rules_version}"}
    page = login(make_user("analyst", tree.north)).get("/pipeline/versions/", query)
    assert page.status_code == 200
    html = page.content.decode()
    assert CANDIDATE in html
    assert f"/pipeline/posts/{o1.pk}/" in html
    assert f"/pipeline/posts/{t1.pk}/" in html
    assert o1.author_key not in html
    # A unit elsewhere sees no scans of this district's posts.
    other = login(make_user("analyst", tree.south)).get("/pipeline/versions/", query).content.decode()
    assert f"/pipeline/posts/{o1.pk}/" not in other
