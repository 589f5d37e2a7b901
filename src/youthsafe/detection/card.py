"""The model card of a model directory: what it was trained on, what was chosen, how well it does, where it fails.

Read from ``model.json`` only (``youthsafe model card DIR``, and the Model versions page): training data by
source and label, the selected candidate with every candidate's cross-validated figures, cross-validated and
held-out figures per category and per risk level, calibration, the identity-neutral and everyday false-alarm
counts, and the known weaknesses the builder recorded. A figure the directory does not hold is left out, never
made up.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from youthsafe.detection import taxonomy

__all__ = ["CardError", "model_card", "render_markdown"]


class CardError(Exception):
    """The directory holds no readable model.json."""


def model_card(model_dir: str | Path) -> dict[str, Any]:
    """The card's content as plain data (JSON-ready)."""
    path = Path(model_dir) / "model.json"
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise CardError(f"cannot read {path}: {exc}") from exc
    if not isinstance(doc, dict):
        raise CardError(f"{path}: not a model description")
    metrics = doc.get("metrics") or {}
    training = doc.get("training") or {}
    card: dict[str, Any] = {
        "version": doc.get("version", "unknown"),
        "task": doc.get("task", "unknown"),
        "created": doc.get("created"),
        "seed": doc.get("seed"),
        "labels": doc.get("labels", []),
        "thresholds": doc.get("thresholds", {}),
        "alert": doc.get("alert"),
        "features": doc.get("features", {}),
        "sources": training.get("sources") or _examples(training),
        "selection": doc.get("selection"),
        "cross_validated": _cross_validated(metrics),
        "heldout": metrics.get("heldout"),
        "calibration": metrics.get("calibration"),
        "weaknesses": doc.get("weaknesses", []),
    }
    return card


def _examples(training: dict[str, Any]) -> dict[str, dict[str, int]]:
    """Older or user-trained models record only a count of examples per head."""
    out: dict[str, dict[str, int]] = {}
    for head in ("category", "risk"):
        if isinstance(training.get(head), dict) and "examples" in training[head]:
            out[f"{head} head"] = {"examples": int(training[head]["examples"])}
    if "examples" in training:
        out["training file"] = {"examples": int(training["examples"])}
    return out


def _cross_validated(metrics: dict[str, Any]) -> dict[str, Any]:
    """Figures of the model alone on held-out folds (or the dev set) of the training data."""
    keys = ("accuracy", "macro_f1", "weighted_f1", "mae", "binary", "per_label")
    out: dict[str, Any] = {}
    for head in ("category", "risk"):
        if isinstance(metrics.get(head), dict):
            out[head] = {k: metrics[head][k] for k in keys if k in metrics[head]}
    if not out and any(k in metrics for k in keys):
        out["model"] = {k: metrics[k] for k in keys if k in metrics}
    return out


def _name(label: str) -> str:
    try:
        return f"{label} {taxonomy.get(label).name_en}"
    except KeyError:
        return label


def _prf_rows(per_label: dict[str, Any]) -> list[str]:
    rows = ["| label | precision | recall | F1 | support |", "| --- | ---: | ---: | ---: | ---: |"]
    for label, row in per_label.items():
        rows.append(f"| {_name(label)} | {row.get('precision', 0):.3f} | {row.get('recall', 0):.3f} | "
                    f"{row.get('f1', 0):.3f} | {row.get('support', 0)} |")  # fmt: skip
    return rows


def render_markdown(card: dict[str, Any]) -> str:
    """The card as a Markdown document (what ``youthsafe model card DIR`` prints)."""
    out = [f"# Model card: {card['version']}", "", f"- Task: {card['task']}", f"- Created: {card['created']}",
           f"- Seed: {card['seed']}", f"- Features: {json.dumps(card['features'], ensure_ascii=False)}"]  # fmt: skip
    if card.get("alert"):
        out.append(f"- Alert operating point: P(level >= {card['alert']['level']}) >= {card['alert']['threshold']}")
    out += ["", "## Training data by source and label", ""]
    for source, counts in (card.get("sources") or {}).items():
        parts = ", ".join(f"{k}: {v}" for k, v in sorted(counts.items()))
        out.append(f"- **{source}**: {parts}")
    selection = card.get("selection")
    if selection:
        out += ["", "## Selected candidate", "", f"Chosen: **{selection['chosen']}** (by {selection['metric']}, "
                f"on {selection.get('on')}).", "", "| candidate | score |", "| --- | --- |"]  # fmt: skip
        out += [f"| {row['name']} | {row['score']} |" for row in selection.get("candidates", [])]
    for head, figures in (card.get("cross_validated") or {}).items():
        out += ["", f"## Cross-validated ({head})", ""]
        out += [f"- {k}: {v}" for k, v in figures.items() if k != "per_label"]
        if isinstance(figures.get("per_label"), dict):
            out += ["", *_prf_rows(figures["per_label"])]
    heldout = card.get("heldout")
    if heldout:
        out += ["", "## Held-out (test splits never used in training or tuning; the whole engine)", ""]
        for name, figures in heldout.items():
            if isinstance(figures, dict) and "per_label" in figures:
                out += [f"### {name}", "", f"- macro-F1: {figures.get('macro_f1')}",
                        f"- hard negatives flagged: {figures.get('hard_negatives_flagged')}", "",
                        *_prf_rows(figures["per_label"]), ""]  # fmt: skip
            else:
                out.append(f"- **{name}**: {json.dumps(figures, ensure_ascii=False)}")
    calibration = card.get("calibration")
    if calibration:
        out += ["", "## Calibration (held-out)", ""]
        for name, table in calibration.items():
            out += [f"### {name} (expected calibration error {table['ece']})", "",
                    "| bin | predicted | observed | n |", "| --- | ---: | ---: | ---: |"]  # fmt: skip
            out += [f"| {b['bin']} | {b['predicted']} | {b['observed']} | {b['n']} |" for b in table["bins"]]
            out.append("")
    if card.get("weaknesses"):
        out += ["", "## Known weaknesses", ""] + [f"- {w}" for w in card["weaknesses"]]
    return "\n".join(out).rstrip() + "\n"
