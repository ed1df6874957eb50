"""Evaluate the sentiment analysers on the hand-labelled sets in ``eval/``.

``eval/sentiment_<lang>.tsv`` (main sets) and ``eval/holdout_<lang>.tsv`` have a
``text<TAB>label`` header and one post per line. The sets were written for MESM (posts about libraries, reading, events, services and complaints; roughly
a third each of positive, neutral and negative; announcements and most questions neutral) and
are used for three things: to report quality (``manage.py evaluate_sentiment``), to choose the
label thresholds (``sweep_thresholds``), and as a regression floor in the tests.

Caveat for readers of the numbers: the lexicons, rules and thresholds were developed against the
main sets, so their figures are optimistic for unseen text. The holdout sets (60 posts per
language) were written after development was frozen and are never tuned on: their figures are
the honest estimate. ``cross_validate_thresholds`` separately checks the threshold choice
(2-fold on the main set: pick on one half, measure on the other).
"""

from __future__ import annotations

import csv
from pathlib import Path

from listening.enrichment.sentiment import LABELS, THRESHOLDS, analyse_sentiment, raw_score

EVAL_DIR = Path(__file__).with_name("eval")


DATASETS = ("sentiment", "holdout")


def load_eval_set(language: str, dataset: str = "sentiment") -> list[tuple[str, str]]:
    if dataset not in DATASETS:
        raise ValueError(f"unknown dataset {dataset!r}; expected one of {DATASETS}")
    path = EVAL_DIR / f"{dataset}_{language}.tsv"
    if not path.exists():
        raise ValueError(f"no evaluation set for language {language!r} ({path.name})")
    rows: list[tuple[str, str]] = []
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        header = next(reader)
        if header != ["text", "label"]:
            raise ValueError(f"{path.name}: expected a 'text<TAB>label' header, got {header}")
        for number, row in enumerate(reader, start=2):
            if not row:
                continue
            if len(row) != 2 or row[1] not in LABELS:
                raise ValueError(f"{path.name}:{number}: expected 'text<TAB>label' with a label in {LABELS}")
            rows.append((row[0], row[1]))
    return rows


def metrics(gold: list[str], predicted: list[str]) -> dict:
    """Accuracy, per-class precision/recall/F1/support, macro-F1 and the confusion matrix."""
    if len(gold) != len(predicted):
        raise ValueError("gold and predicted lengths differ")
    confusion = {g: dict.fromkeys(LABELS, 0) for g in LABELS}
    for g, p in zip(gold, predicted, strict=True):
        confusion[g][p] += 1
    per_class = {}
    for label in LABELS:
        true_positives = confusion[label][label]
        predicted_count = sum(confusion[g][label] for g in LABELS)
        support = sum(confusion[label].values())
        precision = true_positives / predicted_count if predicted_count else 0.0
        recall = true_positives / support if support else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_class[label] = {"precision": precision, "recall": recall, "f1": f1, "support": support}
    total = len(gold)
    correct = sum(confusion[label][label] for label in LABELS)
    return {
        "n": total,
        "accuracy": correct / total if total else 0.0,
        "macro_f1": sum(c["f1"] for c in per_class.values()) / len(LABELS),
        "per_class": per_class,
        "confusion": confusion,  # confusion[gold][predicted]
    }


def evaluate(language: str, dataset: str = "sentiment") -> dict:
    """Score every post of the language's evaluation set through the public API.

    ``dataset`` is "sentiment" (the main set, used for development and thresholds) or
    "holdout" (written after the lexicons and thresholds were fixed; never tuned on).
    Returns ``metrics()``'s dict plus ``language``, ``dataset`` and ``errors``
    (text, gold, predicted, score).
    """
    rows = load_eval_set(language, dataset)
    gold, predicted, errors = [], [], []
    for text, label in rows:
        guess, score = analyse_sentiment(text, language)
        gold.append(label)
        predicted.append(guess)
        if guess != label:
            errors.append({"text": text, "gold": label, "predicted": guess, "score": score})
    result = metrics(gold, predicted)
    result["language"] = language
    result["dataset"] = dataset
    result["errors"] = errors
    return result


def _label(score: float, negative_below: float, positive_above: float) -> str:
    if score >= positive_above:
        return "positive"
    if score <= negative_below:
        return "negative"
    return "neutral"


def _best_thresholds(scored: list[tuple[float, str]], grid: list[float]) -> tuple[float, float, float]:
    """(negative_below, positive_above, macro-F1) maximising macro-F1; ties -> widest neutral band
    closest to symmetric, which is the more conservative choice for alerting."""
    best = None
    gold = [label for _, label in scored]
    for low in grid:
        for high in grid:
            predicted = [_label(score, -low, high) for score, _ in scored]
            f1 = metrics(gold, predicted)["macro_f1"]
            key = (round(f1, 6), low + high, -abs(low - high))
            if best is None or key > best[0]:
                best = (key, -low, high, f1)
    assert best is not None
    return best[1], best[2], best[3]


THRESHOLD_GRID = [round(0.05 * i, 2) for i in range(1, 13)]  # 0.05 .. 0.60


def sweep_thresholds(language: str, grid: list[float] | None = None) -> dict:
    """Macro-F1-optimal thresholds on the whole set (how THRESHOLDS were chosen)."""
    scored = [(raw_score(text, language), label) for text, label in load_eval_set(language)]
    low, high, f1 = _best_thresholds(scored, grid or THRESHOLD_GRID)
    return {"negative_below": low, "positive_above": high, "macro_f1": f1, "current": THRESHOLDS.get(language)}


def cross_validate_thresholds(language: str, grid: list[float] | None = None) -> dict:
    """2-fold check of the threshold choice: choose on the even rows, test on the odd, and back."""
    scored = [(raw_score(text, language), label) for text, label in load_eval_set(language)]
    folds = [scored[0::2], scored[1::2]]
    results = []
    for train, test in ((folds[0], folds[1]), (folds[1], folds[0])):
        low, high, _ = _best_thresholds(train, grid or THRESHOLD_GRID)
        predicted = [_label(score, low, high) for score, _ in test]
        m = metrics([label for _, label in test], predicted)
        results.append({"thresholds": (low, high), "accuracy": m["accuracy"], "macro_f1": m["macro_f1"]})
    return {
        "folds": results,
        "accuracy": sum(r["accuracy"] for r in results) / 2,
        "macro_f1": sum(r["macro_f1"] for r in results) / 2,
    }


def format_report(result: dict) -> str:
    """Plain-text table of an ``evaluate()`` result."""
    lines = [
        f"Language: {result['language']}  dataset: {result.get('dataset', 'sentiment')}  (n={result['n']})",
        f"{'class':<10} {'precision':>9} {'recall':>7} {'f1':>6} {'support':>8}",
    ]
    for label in LABELS:
        c = result["per_class"][label]
        lines.append(f"{label:<10} {c['precision']:>9.3f} {c['recall']:>7.3f} {c['f1']:>6.3f} {c['support']:>8d}")
    lines.append(f"{'accuracy':<10} {result['accuracy']:>24.3f}")
    lines.append(f"{'macro-F1':<10} {result['macro_f1']:>24.3f}")
    lines.append("confusion (rows = gold, columns = predicted): " + " / ".join(LABELS))
    for gold in LABELS:
        row = result["confusion"][gold]
        lines.append(f"  {gold:<10} " + " ".join(f"{row[p]:>5d}" for p in LABELS))
    return "\n".join(lines)
