"""`codedesk ask` (answer a coder's question as mentions and DMs are answered) and `codedesk bench
assistant` (intent accuracy, entity F1, answers holding their facts, latency; case scores when
Case2Code is installed), on the development and held-out question sets separately."""

from __future__ import annotations

import argparse
import gc
import json
import sys
import time
from pathlib import Path
from typing import Any

from bots.app import Services
from bots.commands import bench
from core.assistant.answer import Answer
from core.assistant.assistant import Assistant
from core.assistant.eval import DEV_QUESTIONS, HOLDOUT_QUESTIONS, QuestionFileError, read_questions, run, score
from core.codes.feature import CodesFeature
from core.codes.views import UnlimitedViews
from core.commands import CommandRegistry
from core.requests import Actor, Platform
from core.search.engine import SearchEngine
from core.search.feature import CodeSearch

ROOT = Path(__file__).resolve().parents[2]
HCPCS_FILE = ROOT.parent / "shared" / "data" / "cms" / "hcpcs-2020" / "HCPC2020_ANWEB_w_disclaimer.txt"
CASES_DEV = ROOT / "data" / "eval" / "cases.tsv"
CASES_HOLDOUT = ROOT / "data" / "eval" / "cases_holdout.tsv"
_WARM_UP = ("what is 99213", "code for knee pain", "when do I use excludes1 versus excludes2", "modifier 25",
            "hello", "is there an NCCI edit between 29881 and 29880")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("ask", help="ask CodeDesk a coding question in your own words")
    p.add_argument("question", nargs="*", help="the question, e.g. \"when do I use modifier 25?\"")
    p.add_argument("--json", action="store_true",
                   help="print JSON: question, intent, codes, text, sources, ms")
    p.add_argument("--batch", type=Path, help="a file with one question a line; with --json, one JSON line each")
    p.add_argument("--user", default="you", help="who is asking (code cards count their views)")
    p.set_defaults(func=cmd_ask)

    b = bench.targets(sub).add_parser("assistant", help="intent, entities, facts and latency of the assistant")
    b.add_argument("--dev", type=Path, default=DEV_QUESTIONS, help=f"development set (default {DEV_QUESTIONS})")
    b.add_argument("--holdout", type=Path, default=HOLDOUT_QUESTIONS,
                   help=f"held-out set, never tuned on (default {HOLDOUT_QUESTIONS})")
    b.add_argument("--hcpcs", type=Path, default=HCPCS_FILE,
                   help="CMS HCPCS file to include when none is imported (default: the 2020 file in ../shared)")
    b.add_argument("--cases", type=Path, default=CASES_DEV, help=f"case set for Case2Code (default {CASES_DEV})")
    b.add_argument("--cases-holdout", type=Path, default=CASES_HOLDOUT,
                   help=f"held-out case set (default {CASES_HOLDOUT})")
    b.add_argument("--misses", action="store_true", help="list the development questions that missed")
    b.set_defaults(func=cmd_bench_assistant)


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


def bench_assistant(services: Services, hcpcs: Path | None) -> Assistant:
    """The assistant as the Desk wires it, on the bench catalog (HCPCS from the CMS file when none is
    imported), with unlimited views: a bench is not a user and must not spend anyone's quota."""
    from bots.commands.search import bench_catalog

    catalog = bench_catalog(services, hcpcs)
    searcher = CodeSearch(SearchEngine.open(catalog, services.settings.cache_dir))
    codes = CodesFeature(catalog, views=UnlimitedViews(), searcher=searcher)
    others = [f for f in services.features() if not isinstance(f, (CodesFeature, CodeSearch))]
    registry = CommandRegistry([codes, searcher, *others])
    assistant = Assistant(catalog, codes, searcher=searcher, notes=services.guideline_notes, registry=registry)
    assistant.warm()
    return assistant


def cmd_bench_assistant(args: argparse.Namespace, services: Services) -> int:
    services.upgrade()
    try:
        dev, holdout = read_questions(args.dev), read_questions(args.holdout)
    except (OSError, QuestionFileError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    started = time.perf_counter()
    assistant = bench_assistant(services, args.hcpcs)
    actor = Actor(Platform.SHELL, "bench", "bench")
    for question in _WARM_UP:  # touch every code path once; not measured
        assistant.ask(question, actor)
    print(f"start-up {time.perf_counter() - started:.2f} s (catalog, search index, notes, vocabulary)")
    gc.collect()
    print(f"questions: dev {len(dev)} · held-out {len(holdout)} (held-out is never tuned on)")
    for name, questions in (("dev", dev), ("held-out", holdout)):
        results = run(questions, lambda q: assistant.ask(q, actor))
        print(score(results).line(name))
        not_installed = [r for r in results if r.answer.intent.value == "case" and assistant.proposer is None]
        if not_installed:
            held = [r for r in results if r not in not_installed]
            print(f"{'':<9} facts held {sum(not r.missing_facts for r in held) / max(1, len(held)):.3f} without the "
                  f"{len(not_installed)} case questions (case coding not installed)")
        if args.misses and name == "dev":
            for r in results:
                if not r.intent_ok:
                    print(f"  intent {r.question.intent} -> {r.answer.intent.value}: {r.question.text}")
                elif r.missing_facts:
                    print(f"  facts {r.missing_facts}: {r.question.text}")
    _case_scores(assistant, (("dev", args.cases), ("held-out", args.cases_holdout)))
    return 0




def _case_scores(assistant: Assistant, case_sets: tuple[tuple[str, Path], ...]) -> None:
    """Case2Code's exact-set and micro P/R/F1 on the case sets, with the plain search's top result as the
    baseline, when Case2Code (and its scoring function) is installed."""
    try:
        from core.assistant.case2code import eval as case_eval  # type: ignore[attr-defined, unused-ignore]
    except ImportError:
        print("cases: case coding not installed (core.assistant.case2code is absent)")
        return
    engine = assistant.searcher.engine if isinstance(assistant.searcher, CodeSearch) else None
    header = getattr(case_eval, "HEADER", "")
    if header:
        print(f"cases     {header}")
    for name, path in case_sets:
        if not path.exists():
            print(f"cases {name}: {path.name} is absent")
            continue
        ours, baseline = case_eval.score_cases(assistant.catalog, path, engine=engine)
        print(f"cases {name:<9}" + ours.line())
        if baseline is not None:
            print(f"cases {name:<9}" + baseline.line())
