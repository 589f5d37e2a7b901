"""``youthsafe model train`` / ``model evaluate``: generic labelled JSONL/CSV in, model or report out.

Works on any labelled file (COLD's CSV, the project corpus, reviewer labels exported by the platform): the
text and label fields are named on the command line; labels may be numbers or strings, or lists of strings
for ``--multi-label``. Texts are normalised with ``normalize_text`` before training and evaluation, exactly as
the engine does before scanning. Exit codes: 0 ok, 3 ok but some lines were bad (reported by number on
stderr and skipped), 2 unusable input (one-line reason).

``youthsafe scan`` registers these commands too, so what only one command needs (numpy, scipy, scikit-learn,
the model card) is imported inside that command, never when this module loads.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from youthsafe.detection.io import BadLine, InputError, read_records
from youthsafe.detection.progress import progress_bar

__all__ = ["main", "register"]

EXIT_OK, EXIT_UNUSABLE, EXIT_SOME_BAD = 0, 2, 3


def _out(line: str) -> None:
    sys.stdout.write(line + "\n")


def _err(line: str) -> None:
    sys.stderr.write(line + "\n")
    sys.stderr.flush()


class UsageError(Exception):
    """Input the command cannot use at all; the message is printed as a one-line reason."""


@dataclass
class Labelled:
    """Usable lines of an input file (normalised texts and labels) plus the bad lines that were skipped."""

    texts: list[str] = field(default_factory=list)
    labels: list[Any] = field(default_factory=list)
    bad: list[tuple[int, str]] = field(default_factory=list)


def _label_value(raw: object, *, task: str, multi_label: bool) -> Any:
    """Convert one label cell; raises ValueError with a reason for the bad-line report."""
    if task == "risk-level":
        if isinstance(raw, bool) or not isinstance(raw, int | float | str):
            raise ValueError("risk level must be a number 0-10")
        level = float(raw)
        if not 0 <= level <= 10:
            raise ValueError(f"risk level {raw!r} is outside 0-10")
        return level
    if multi_label:
        if isinstance(raw, str):  # CSV cells: "A01;A03" or "" for none
            return [p.strip() for p in raw.replace(",", ";").split(";") if p.strip()]
        if isinstance(raw, list) and all(isinstance(x, str | int) for x in raw):
            return [str(x) for x in raw]
        raise ValueError("multi-label labels must be a list of strings")
    if isinstance(raw, bool):
        return str(raw).lower()
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    if isinstance(raw, int | float | str) and str(raw).strip():
        return str(raw).strip()
    raise ValueError("label must be a non-empty string or number")


def read_labelled(
    path: str, text_field: str, label_field: str, *, task: str, multi_label: bool, progress: bool = False
) -> Labelled:
    """Read, validate and normalise a labelled file; raises UsageError when it cannot be read at all."""
    from youthsafe.detection.normalize import normalize_text  # noqa: PLC0415  (start-up: numpy)

    out = Labelled()
    try:
        with progress_bar(desc=f"reading {Path(path).name}", unit="line", enabled=None if progress else False) as bar:
            for item in read_records(path, fields=[text_field, label_field], required=[text_field, label_field]):
                bar.update(1)
                if isinstance(item, BadLine):
                    out.bad.append((item.line, item.reason))
                    continue
                try:
                    label = _label_value(item.values[label_field], task=task, multi_label=multi_label)
                except ValueError as exc:
                    out.bad.append((item.line, str(exc)))
                    continue
                out.texts.append(normalize_text(item.values[text_field]))
                out.labels.append(label)
    except InputError as exc:
        raise UsageError(str(exc)) from exc
    return out


def _report_bad(bad: Sequence[tuple[int, str]], name: str) -> None:
    for line, reason in bad[:100]:
        _err(f"{name}:{line}: skipped: {reason}")
    if len(bad) > 100:  # keep stderr readable on badly broken files
        _err(f"{name}: ... and {len(bad) - 100} more bad lines")


def _as_category(labels: list[Any], multi_label: bool) -> list[list[str]]:
    return [list(x) for x in labels] if multi_label else [[x] for x in labels]


def cmd_train(args: argparse.Namespace) -> int:
    """Train a model directory from a labelled file."""
    from youthsafe.detection.selection import candidates, select_category, select_risk  # noqa: PLC0415  (start-up: sklearn)
    from youthsafe.detection.training import TrainConfig, train_category, train_risk  # noqa: PLC0415  (start-up: sklearn)

    progress = sys.stderr.isatty()
    multi = bool(args.multi_label)
    data = read_labelled(args.input, args.text_field, args.label_field, task=args.task, multi_label=multi,
                         progress=progress)  # fmt: skip
    _report_bad(data.bad, args.input)
    dev = None
    if args.dev:
        dev = read_labelled(args.dev, args.text_field, args.label_field, task=args.task, multi_label=multi)
        _report_bad(dev.bad, args.dev)
    if len(data.texts) < max(args.folds, 4):
        raise UsageError(f"{args.input}: only {len(data.texts)} usable labelled lines; need at least 4")
    cfg = TrainConfig(n_max=args.ngram_max, min_df=args.min_df, c=args.c, folds=args.folds, seed=args.seed,
                      words=args.features == "char+word", calibrate_risk=not args.no_risk_calibration,
                      alert_level=args.alert_level, alert_recall=args.alert_recall)  # fmt: skip
    select = args.candidates == "all"
    tried = len(candidates(args.task, cfg, multi_label=multi)) if select else 1
    with progress_bar(total=tried, desc="training candidates", unit="candidate") as bar:

        started: list[str] = []

        def step(name: str) -> None:
            if started:
                bar.update(1)
            started.append(name)
            bar.set_postfix_str(name[:60])

        try:
            if args.task == "risk-level":
                dev_levels = None if dev is None else (dev.texts, dev.labels)
                model = (select_risk(data.texts, data.labels, cfg=cfg, dev=dev_levels, progress=step) if select
                         else train_risk(data.texts, data.labels, cfg=cfg, dev=dev_levels))  # fmt: skip
            else:
                dev_pair = None if dev is None else (dev.texts, _as_category(dev.labels, multi))
                labels = _as_category(data.labels, multi)
                if select:
                    model = select_category(data.texts, labels, multi_label=multi, cfg=cfg, dev=dev_pair,
                                            progress=step)  # fmt: skip
                else:
                    model = train_category(data.texts, labels, multi_label=multi, cfg=cfg, dev=dev_pair)
        except ValueError as exc:
            raise UsageError(f"{args.input}: {exc}") from exc
        bar.update(tried - bar.n)
    model.save(args.out)
    metrics = model.meta.get("metrics", {})
    chosen = model.meta.get("selection", {}).get("chosen", "the given configuration")
    _err(
        f"saved {model.version} to {args.out}: {len(data.texts)} examples, chosen: {chosen}; "
        f"held-out accuracy {metrics.get('accuracy')} macro-F1 {metrics.get('macro_f1')} "
        f"weighted-F1 {metrics.get('weighted_f1')}"
        + (f" alert-level {metrics['binary']}" if "binary" in metrics else "")
    )
    for row in model.meta.get("selection", {}).get("candidates", []):
        _err(f"  candidate {row['name']}: score {row['score']}")
    return EXIT_SOME_BAD if data.bad or (dev is not None and dev.bad) else EXIT_OK


def cmd_evaluate(args: argparse.Namespace) -> int:
    """Evaluate a model directory on a labelled file."""
    import numpy as np  # noqa: PLC0415  (start-up: numpy only when a model is evaluated)

    from youthsafe.detection.classifier import ModelError, TextModel  # noqa: PLC0415  (start-up: scipy)
    from youthsafe.detection.evaluation import category_report, risk_report  # noqa: PLC0415  (start-up: numpy)

    try:
        model = TextModel.load(args.model)
    except ModelError as exc:
        raise UsageError(str(exc)) from exc
    task = "risk-level" if model.category is None else "category"
    multi = model.multi_label
    data = read_labelled(args.input, args.text_field, args.label_field, task=task, multi_label=multi,
                         progress=sys.stderr.isatty())  # fmt: skip
    _report_bad(data.bad, args.input)
    if not data.texts:
        raise UsageError(f"{args.input}: no usable labelled lines")
    if task == "risk-level":
        risk = model.predict_risk(data.texts)
        assert risk is not None  # noqa: S101 - a model without a category head has a risk head
        report = risk_report(risk, np.asarray(data.labels, dtype=np.float64))
    else:
        report = category_report(
            model, model.predict_proba(data.texts), _as_category(data.labels, model.multi_label)
        )
    report = {"model": model.version, "task": task, **report}
    if args.json:
        _out(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        _out(f"{model.version}: {report['examples']} examples, accuracy {report['accuracy']}, "
             f"macro-F1 {report['macro_f1']}, weighted-F1 {report['weighted_f1']}")  # fmt: skip
        for name, row in report["per_label"].items():
            _out(f"  {name:>12}  P {row['precision']:.3f}  R {row['recall']:.3f}  F1 {row['f1']:.3f}"
                 f"  n {row['support']}")  # fmt: skip
        if "binary" in report:
            _out(f"  high risk (>= 6): {report['binary']}")
    return EXIT_SOME_BAD if data.bad else EXIT_OK


def cmd_card(args: argparse.Namespace) -> int:
    """Print the model card of a model directory (Markdown, or JSON with --json)."""
    from youthsafe.detection.card import CardError, model_card, render_markdown  # noqa: PLC0415  (start-up: taxonomy)

    try:
        card = model_card(args.model_dir)
    except CardError as exc:
        raise UsageError(str(exc)) from exc
    _out(json.dumps(card, ensure_ascii=False, indent=2) if args.json else render_markdown(card).rstrip())
    return EXIT_OK


def _guard(func: Any) -> Any:
    """Turn UsageError into exit code 2 with a one-line reason, as every youthsafe command does."""

    def run(args: argparse.Namespace) -> int:
        try:
            return int(func(args))
        except UsageError as exc:
            _err(f"youthsafe model: error: {exc}")
            return EXIT_UNUSABLE

    return run


def register(subparsers: Any) -> None:
    """Add the ``model`` command (with ``train`` and ``evaluate``) to an argparse sub-parser collection."""
    model = subparsers.add_parser("model", help="train and evaluate text classification models")
    sub = model.add_subparsers(dest="model_command", required=True, metavar="{train,evaluate,card}")

    train = sub.add_parser("train", help="train a model directory from a labelled JSONL/CSV file")
    train.add_argument("input", help="labelled JSONL or CSV file")
    train.add_argument("--text-field", required=True)
    train.add_argument("--label-field", required=True)
    train.add_argument("--task", choices=["category", "risk-level"], default="category")
    train.add_argument("--multi-label", action="store_true", help="labels are lists (one-vs-rest)")
    train.add_argument("--out", required=True, type=Path, help="model directory to write")
    train.add_argument("--seed", type=int, default=0, help="fixes the folds; same seed + data = same weights")
    train.add_argument("--dev", help="held-out file for calibration and thresholds (default: k-fold)")
    train.add_argument("--folds", type=int, default=5, help="cross-validation folds when no --dev")
    train.add_argument("--ngram-max", type=int, default=3, choices=[2, 3, 4], help="longest n-gram")
    train.add_argument("--min-df", type=int, default=2, help="minimum document frequency of an n-gram")
    train.add_argument("--c", type=float, default=3.0, help="inverse regularisation strength")
    train.add_argument(
        "--features",
        choices=["char", "char+word"],
        default="char",
        help="char n-grams only, or plus multi-character words (vocabulary chosen by jieba at training time)",
    )
    train.add_argument(
        "--no-risk-calibration",
        action="store_true",
        help="risk-level task: keep the regressor's raw output (by default an isotonic map fitted on held-out "
        "predictions lowers levels the regressor pulled up toward its mean; it never raises one)",
    )
    train.add_argument(
        "--candidates",
        choices=["all", "given"],
        default="all",
        help="all: train the plain TF-IDF + LR baseline and the other candidates, keep the best by cross-"
        "validation on the training data (recorded in model.json); given: only the configuration given here",
    )
    train.add_argument("--alert-level", type=int, default=6, help="risk-level task: the level that raises an alert")
    train.add_argument(
        "--alert-recall",
        type=float,
        default=None,
        help="risk-level task: choose the alert operating point as the highest threshold whose cross-validated "
        "recall reaches this (default: the best cross-validated F1)",
    )
    train.set_defaults(func=_guard(cmd_train))

    evaluate = sub.add_parser("evaluate", help="evaluate a model directory on a labelled JSONL/CSV file")
    evaluate.add_argument("--model", required=True, help="model directory")
    evaluate.add_argument("input", help="labelled JSONL or CSV file")
    evaluate.add_argument("--text-field", required=True)
    evaluate.add_argument("--label-field", required=True)
    evaluate.add_argument("--json", action="store_true", help="print the report as JSON")
    evaluate.set_defaults(func=_guard(cmd_evaluate))

    card = sub.add_parser("card", help="print the model card of a model directory")
    card.add_argument("model_dir", nargs="?", default=str(Path(__file__).parent / "data" / "model"),
                      help="model directory (default: the packaged default model)")  # fmt: skip
    card.add_argument("--json", action="store_true", help="print the card as JSON")
    card.set_defaults(func=_guard(cmd_card))


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``model ...`` standalone (tests, ``python -m youthsafe.detection.model_commands``)."""
    parser = argparse.ArgumentParser(prog="youthsafe")
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(list(argv) if argv is not None else None)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
