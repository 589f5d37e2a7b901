"""COLD experiment: a project-written counter-speech cue lexicon as a fixed logit offset (did not reach 0.82).

    .venv/bin/python benchmarks/detection_cold_counter_speech.py [--cold DIR] [--test]

The lexicon below was written from knowledge of Chinese online discourse, never from COLD test texts. Texts
with k distinct counter-speech cues (anti-discrimination, equality, "don't generalise", negation x target
constructions) and no disclaimer / contrast cue ("我不是歧视", "但是", ...) get their offensive logit lowered by
``w * min(k, cap)``. Selection (rule fixed before looking): train on train.csv (3-fold calibration), keep the
(cap, w) with the best accuracy on ``benchmarks/data/counter_speech_validation.csv`` (project-written) whose
COLD dev accuracy is within 0.3 points of w=0. ``--test`` then trains on train+dev (5 folds, as ``model
train``) and evaluates COLD test once for w=0, the selected config and the best-dev config.
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

import ahocorasick_rs as ac
import numpy as np
import numpy.typing as npt

from youthsafe.detection.normalize import normalize_text
from youthsafe.detection.training import TrainConfig, train_category

ROOT = Path(__file__).resolve().parents[1]
COLD = ROOT / ".." / "shared" / "data" / "cold"
OWN = ROOT / "benchmarks" / "data" / "counter_speech_validation.csv"

ANTI = ["反对歧视", "拒绝歧视", "不应该歧视", "不该歧视", "不要歧视", "别歧视", "不能歧视", "不应歧视", "歧视是不对",
        "歧视是错", "歧视不可取", "反对种族歧视", "反对性别歧视", "反对地域歧视", "地域黑不可取", "别搞地域黑",
        "不要地域黑", "别地域黑", "地图炮不可取", "别开地图炮", "不要开地图炮", "别搞地域歧视", "不要搞地域歧视",
        "消除歧视", "反歧视", "抵制歧视", "停止歧视", "这是歧视", "这就是歧视", "这种说法是歧视", "这是地域歧视",
        "这是种族歧视", "这是性别歧视", "带有歧视", "歧视性", "仇恨言论", "刻板印象", "污名化", "不要贴标签",
        "别贴标签", "标签化", "种族主义是", "不要仇视", "别仇视", "不要对立", "挑起对立", "制造对立", "引战",
        "拉仇恨", "搞歧视", "反对种族主义", "没必要歧视", "何必歧视", "凭什么歧视"]  # fmt: skip
EQUAL = ["平等", "一视同仁", "尊重", "互相尊重", "相互尊重", "包容", "多元", "都是人", "都是同胞", "都是中国人",
         "都是一家人", "同为人类", "人权", "男女平等", "性别平等", "种族平等", "民族团结", "求同存异", "同等对待",
         "公平对待", "友善", "善待", "独立的个体"]  # fmt: skip
CAUTION = ["以偏概全", "一概而论", "一竿子", "一棒子打死", "一杆子", "不能代表", "代表不了", "个例", "个别现象",
           "个别人", "少数人", "哪里都有好人", "哪里都有坏人", "哪都有", "有好有坏", "好人坏人", "因人而异", "看个人",
           "无关地域", "不分地域", "不分种族", "不分男女", "不分肤色", "理性看待", "理性讨论", "客观看待", "就事论事",
           "具体问题具体分析", "对事不对人", "不要上升", "别上升", "不要一概", "不能一概", "不要以偏",
           "跟哪里人没关系", "和哪里人没关系", "素质问题", "个人素质", "人品问题", "不是所有", "并不是所有",
           "不代表所有", "别把所有", "不要把所有"]  # fmt: skip
NEG = ["不要", "别", "不应该", "不该", "不能", "停止", "拒绝", "反对", "何必", "没必要", "请勿", "不应"]
TARGET = ["歧视", "地域黑", "地图炮", "攻击", "贴标签", "偏见", "一概而论", "以偏概全", "上升到", "扣帽子", "带节奏",
          "互撕", "对立", "骂整个", "否定整个"]  # fmt: skip
DIM = ["性别", "地域", "肤色", "种族", "民族", "出身", "籍贯", "地方", "哪里人", "男女"]
DISTANCE = ["无关", "没关系", "没有关系", "关系不大"]
CONSTRUCT = ([n + t for n in NEG for t in TARGET] + [d + s for d in DIM for s in DISTANCE]
             + ["是偏见", "就是偏见", "是刻板印象", "这是偏见", "是种族歧视", "是性别歧视", "是地域歧视", "也是人",
                "一样优秀", "一样可以", "普通人", "整个群体", "所有人都"])  # fmt: skip
# Disclaimers ("I'm not racist, but ...") and contrast connectives cancel the counter-speech credit.
GATE = ["我不是歧视", "不是我歧视", "我不是地域黑", "不是地域黑", "不是我地域黑", "并不是歧视", "不是歧视",
        "不是种族歧视", "我不歧视", "我没有歧视", "不是我黑", "不是黑", "说实话", "实话实说", "不得不说",
        "事实就是", "本来就是", "就是事实", "这是事实", "陈述事实", "说句实话", "真不是黑"]  # fmt: skip
GATE += ["但是", "但", "可是", "不过", "然而", "只是"]
F64 = npt.NDArray[np.float64]


def _load(path: Path) -> tuple[list[str], npt.NDArray[np.int64]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    return [normalize_text(r["TEXT"]) for r in rows], np.array([int(r["label"]) for r in rows])


def cue_counts(texts: list[str]) -> tuple[F64, npt.NDArray[np.bool_]]:
    """Distinct counter-speech cues per text, and whether a disclaimer / contrast cue is present."""
    counter = sorted({normalize_text(c) for c in ANTI + EQUAL + CAUTION + CONSTRUCT})
    mc = ac.AhoCorasick(counter, matchkind=ac.MATCHKIND_LEFTMOST_LONGEST)
    mg = ac.AhoCorasick(sorted({normalize_text(c) for c in GATE}))
    n = np.array([len(set(mc.find_matches_as_strings(t))) for t in texts], dtype=np.float64)
    gated = np.array([bool(mg.find_matches_as_indexes(t)) for t in texts])
    return n, gated


def adjusted(p: F64, texts: list[str], cap: int, w: float) -> F64:
    """Positive-class probability after the cue offset on the logit."""
    n, gated = cue_counts(texts)
    q = np.clip(p, 1e-6, 1 - 1e-6)
    out: F64 = 1.0 / (1.0 + np.exp(-(np.log(q / (1 - q)) - w * np.minimum(n, cap) * ~gated)))
    return out


def main() -> None:
    """Screen on dev + the project-written set; with --test evaluate the chosen configs once on test."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cold", type=Path, default=COLD)
    parser.add_argument("--test", action="store_true")
    args = parser.parse_args()
    tr, ytr = _load(args.cold / "train.csv")
    dv, ydv = _load(args.cold / "dev.csv")
    own, yown = _load(OWN)
    model = train_category(tr, [[str(v)] for v in ytr], multi_label=False, cfg=TrainConfig(folds=3))
    thr = model.thresholds["1"]
    pd, po = (model.predict_proba(x)[:, 1].astype(np.float64) for x in (dv, own))
    grid = [(cap, w) for cap in (1, 2) for w in (0.0, 0.5, 1.0, 1.5, 2.0, 3.0, 4.0)]
    rows = []
    for cap, w in grid:
        a, b = adjusted(pd, dv, cap, w) >= thr, adjusted(po, own, cap, w) >= thr
        rows.append((cap, w, float(np.mean(a == ydv)), float(np.mean(b == yown))))
        print(f"cap={cap} w={w}: dev {rows[-1][2]:.4f}  own {rows[-1][3]:.4f}  counter flagged "
              f"{int(b[yown == 0].sum())}/{int((yown == 0).sum())}  disclaimer recall "
              f"{int(b[yown == 1].sum())}/{int((yown == 1).sum())}")  # fmt: skip
    base = rows[0][2]
    chosen = max((r for r in rows if r[2] >= base - 0.003), key=lambda r: (r[3], r[2]))
    best_dev = max(rows, key=lambda r: (r[2], -r[1]))
    print(f"selected (best own, dev within 0.3 points): cap={chosen[0]} w={chosen[1]}; best dev: "
          f"cap={best_dev[0]} w={best_dev[1]}")  # fmt: skip
    if not args.test:
        return
    te, yte = _load(args.cold / "test.csv")
    full = train_category(tr + dv, [[str(v)] for v in np.concatenate([ytr, ydv])], multi_label=False,
                          cfg=TrainConfig())  # fmt: skip
    pt = full.predict_proba(te)[:, 1].astype(np.float64)
    for cap, w in ((0, 0.0), (chosen[0], chosen[1]), (best_dev[0], best_dev[1])):
        pred = adjusted(pt, te, cap, w) >= full.thresholds["1"]
        print(f"test cap={cap} w={w}: accuracy {np.mean(pred == yte):.4f}  offensive recall "
              f"{np.mean(pred[yte == 1]):.4f}")  # fmt: skip


if __name__ == "__main__":
    main()
