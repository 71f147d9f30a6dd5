"""The assistant's question sets and their scores: intent accuracy, entity F1, the share of answers
holding their facts, and latency. Used by `codedesk bench assistant`; no timing assertions anywhere."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from core.assistant.answer import Answer

ROOT = Path(__file__).resolve().parents[2]
DEV_QUESTIONS = ROOT / "data" / "eval" / "assistant_questions.tsv"
HOLDOUT_QUESTIONS = ROOT / "data" / "eval" / "assistant_questions_holdout.tsv"


class QuestionFileError(ValueError):
    """A question set that cannot be read: names the file, the line and the reason."""


@dataclass(frozen=True)
class Question:
    text: str
    intent: str
    entities: frozenset[str]
    facts: tuple[str, ...]
    line: int = 0


def read_questions(path: Path) -> list[Question]:
    from core.assistant.intents import Intent

    valid = {i.value for i in Intent}
    out: list[Question] = []
    for line_no, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not raw.strip() or raw.startswith("#"):
            continue
        parts = raw.split("\t")
        if len(parts) != 4:
            raise QuestionFileError(f"{path.name}: line {line_no}: expected 4 tab-separated columns, got {len(parts)}")
        text, intent, entities, facts = parts
        if intent not in valid:
            raise QuestionFileError(f"{path.name}: line {line_no}: unknown intent {intent!r}")
        out.append(Question(text, intent, frozenset(entities.split()),
                            tuple(f.strip() for f in facts.split("|") if f.strip()), line_no))
    return out


@dataclass(frozen=True)
class Scored:
    question: Question
    answer: Answer
    ms: float

    @property
    def intent_ok(self) -> bool:
        return self.answer.intent.value == self.question.intent

    @property
    def missing_facts(self) -> list[str]:
        text = self.answer.text().lower()
        return [f for f in self.question.facts if f.lower() not in text]


@dataclass(frozen=True)
class Scores:
    n: int
    intent_accuracy: float
    entity_precision: float
    entity_recall: float
    entity_f1: float
    facts_held: float
    p50: float
    p95: float

    def line(self, name: str) -> str:
        return (f"{name:<9} n={self.n:<4} intent {self.intent_accuracy:.3f}  entity F1 {self.entity_f1:.3f} "
                f"(P {self.entity_precision:.3f} R {self.entity_recall:.3f})  facts held {self.facts_held:.3f}  "
                f"p50 {self.p50:.2f} ms  p95 {self.p95:.2f} ms")


def run(questions: Sequence[Question], ask: Callable[[str], Answer]) -> list[Scored]:
    out: list[Scored] = []
    for question in questions:
        started = time.perf_counter()
        answer = ask(question.text)
        out.append(Scored(question, answer, (time.perf_counter() - started) * 1000))
    return out


def percentile(values: Sequence[float], pct: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    at = min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[at]


def score(results: Sequence[Scored]) -> Scores:
    n = len(results)
    tp = fp = fn = 0
    for r in results:
        got = r.answer.entities.labels()
        want = set(r.question.entities)
        tp += len(got & want)
        fp += len(got - want)
        fn += len(want - got)
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    millis = [r.ms for r in results]
    return Scores(n, sum(r.intent_ok for r in results) / max(1, n), precision, recall, f1,
                  sum(not r.missing_facts for r in results) / max(1, n),
                  statistics.median(millis) if millis else 0.0, percentile(millis, 95))
