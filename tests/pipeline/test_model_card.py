"""The model card: ``youthsafe model card DIR`` and the page under Ingestion -> Model versions."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from django.test import Client

from youthsafe.core.models import User
from youthsafe.detection.card import CardError, model_card, render_markdown
from youthsafe.detection.classifier import DEFAULT_MODEL_DIR
from youthsafe.detection.model_commands import main


def _train(tmp_path: Path) -> Path:
    rows = [{"text": t, "label": "bad"} for t in ["你这个垃圾滚出去", "傻子闭嘴吧", "去死吧傻子", "滚你这个蠢货"] * 4]
    good = ["今天天气很好", "我们去公园散步", "谢谢你的帮助", "周末一起看电影"]
    rows += [{"text": t, "label": "ok"} for t in good * 4]
    data = tmp_path / "d.jsonl"
    data.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    assert main(["model", "train", str(data), "--text-field", "text", "--label-field", "label",
                 "--out", str(tmp_path / "m"), "--folds", "3"]) == 0  # fmt: skip
    return tmp_path / "m"


def test_card_command_shows_selection_and_figures(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    model = _train(tmp_path)
    capsys.readouterr()
    assert main(["model", "card", str(model)]) == 0
    text = capsys.readouterr().out
    assert "# Model card: category-" in text
    assert "## Selected candidate" in text
    assert "baseline: char 1-3-gram TF-IDF" in text
    assert "## Cross-validated (model)" in text
    assert main(["model", "card", str(model), "--json"]) == 0
    card = json.loads(capsys.readouterr().out)
    assert card["selection"]["chosen"]
    assert card["sources"] == {"training file": {"examples": 32}}


def test_card_of_a_missing_directory_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(CardError):
        model_card(tmp_path)
    assert main(["model", "card", str(tmp_path)]) == 2
    assert "cannot read" in capsys.readouterr().err


def test_default_model_card_has_heldout_figures_and_weaknesses() -> None:
    card = model_card(DEFAULT_MODEL_DIR)
    assert card["heldout"]["identity_neutral_flagged"].startswith("0/")
    assert {"project_categories", "project_risk"} <= set(card["heldout"])
    assert card["weaknesses"]
    assert "category_top" in card["calibration"]
    text = render_markdown(card)
    assert "## Held-out" in text
    assert "## Calibration (held-out)" in text


def test_model_card_page(make_user: Callable[..., User], login: Callable[[User], Client]) -> None:
    client = login(make_user("reviewer"))
    page = client.get("/pipeline/versions/card/").content.decode()
    assert "模型说明卡" in page
    assert model_card(DEFAULT_MODEL_DIR)["version"] in page
    assert "已知不足" in page
    assert 'href="/pipeline/versions/card/"' in client.get("/pipeline/versions/").content.decode()
