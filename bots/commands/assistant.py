"""`codedesk ask` (answer a coder's question as mentions and DMs are answered), and the options of
`codedesk bench assistant` (intent accuracy, entity F1, answers holding their facts, latency; case scores
when Case2Code is installed; on the development and held-out question sets separately; its code is
bench/assistant.py)."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

from bots.app import Services
from bots.commands import bench
from core.assistant.answer import Answer
from core.assistant.assistant import Assistant
from core.assistant.eval import DEV_QUESTIONS, HOLDOUT_QUESTIONS
from core.requests import Actor, Platform

ROOT = Path(__file__).resolve().parents[2]
HCPCS_FILE = ROOT.parent / "shared" / "data" / "cms" / "hcpcs-2020" / "HCPC2020_ANWEB_w_disclaimer.txt"
CASES_DEV = ROOT / "data" / "eval" / "cases.tsv"
CASES_HOLDOUT = ROOT / "data" / "eval" / "cases_holdout.tsv"


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("ask", help="ask CodeDesk a coding question in your own words")
    p.add_argument("question", nargs="*", help="the question, e.g. \"when do I use modifier 25?\"")
    p.add_argument("--json", action="store_true",
                   help="print JSON: question, intent, codes, text, sources, ms")
    p.add_argument("--batch", type=Path, help="a file with one question a line; with --json, one JSON line each")
    p.add_argument("--user", default="you", help="who is asking (code cards count their views)")
    p.set_defaults(func=cmd_ask)

    b = bench.add_target(sub, "assistant", "bench.assistant",
                         help="intent, entities, facts and latency of the assistant")
    b.add_argument("--dev", type=Path, default=DEV_QUESTIONS, help=f"development set (default {DEV_QUESTIONS})")
    b.add_argument("--holdout", type=Path, default=HOLDOUT_QUESTIONS,
                   help=f"held-out set, never tuned on (default {HOLDOUT_QUESTIONS})")
    b.add_argument("--hcpcs", type=Path, default=HCPCS_FILE,
                   help="CMS HCPCS file to include when none is imported (default: the 2020 file in ../shared)")
    b.add_argument("--cases", type=Path, default=CASES_DEV, help=f"case set for Case2Code (default {CASES_DEV})")
    b.add_argument("--cases-holdout", type=Path, default=CASES_HOLDOUT,
                   help=f"held-out case set (default {CASES_HOLDOUT})")
    b.add_argument("--misses", action="store_true", help="list the development questions that missed")


def answer_json(answer: Answer, ms: float) -> dict[str, Any]:
    return {"question": answer.question, "intent": answer.intent.value, "codes": list(answer.codes),
            "text": answer.text(), "sources": list(answer.sources), "ms": round(ms, 3)}


def _timed(assistant: Assistant, question: str, actor: Actor) -> tuple[Answer, float]:
    started = time.perf_counter()
    answer = assistant.ask(question, actor)
    return answer, (time.perf_counter() - started) * 1000


def cmd_ask(args: argparse.Namespace, services: Services) -> int:
    if args.batch is None and not args.question:
        print("error: give a question, or --batch FILE", file=sys.stderr)
        return 2
    services.upgrade()  # imported codes, accounts and jobs live in the database
    desk = services.desk()
    assistant = services.assistant().bind(desk.registry)
    actor = Actor(Platform.SHELL, "local", args.user)
    if args.batch is not None and not args.batch.exists():
        print(f"error: {args.batch} does not exist", file=sys.stderr)
        return 2
    assistant.warm()  # start-up (catalog, notes, vocabulary) is not part of an answer's "ms"
    if args.batch is not None:
        _ = services.search_engine  # a batch's first search should not carry the index load in its "ms"
        with args.batch.open(encoding="utf-8", errors="replace") as fh:
            for line in fh:
                question = line.rstrip("\n")
                if not question.strip() or question.startswith("#"):
                    continue
                question = question.split("\t", 1)[0]  # a question set's first column is the question
                answer, ms = _timed(assistant, question, actor)
                if args.json:
                    print(json.dumps(answer_json(answer, ms), ensure_ascii=False))
                else:
                    print(f"» {question}\n[{answer.intent.value}] {answer.text()}\n")
        return 0
    question = " ".join(args.question)
    answer, ms = _timed(assistant, question, actor)
    if args.json:
        print(json.dumps(answer_json(answer, ms), ensure_ascii=False))
        return 0
    print(answer.text())
    print()
    print(f"(intent: {answer.intent.value} · {ms:.1f} ms)")
    for source in answer.sources:
        print(f"Source: {source}")
    return 0
