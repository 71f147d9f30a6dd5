"""`codedesk bench assistant` (or `python -m bench.assistant`): intent accuracy, entity F1, answers
holding their facts, latency; case scores when Case2Code is installed; on the development and held-out
question sets separately."""

from __future__ import annotations

import argparse
import gc
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from bench.search import bench_catalog
from bots.app import Services, services_from_env
from bots.cli import parser
from core.assistant.assistant import Assistant
from core.assistant.eval import QuestionFileError, read_questions, score
from core.assistant.eval import run as run_questions
from core.codes.feature import CodesFeature
from core.codes.views import UnlimitedViews
from core.commands import CommandRegistry
from core.requests import Actor, Platform
from core.search.engine import SearchEngine
from core.search.feature import CodeSearch

_WARM_UP = ("what is 99213", "code for knee pain", "when do I use excludes1 versus excludes2", "modifier 25",
            "hello", "is there an NCCI edit between 29881 and 29880")


def bench_assistant(services: Services, hcpcs: Path | None) -> Assistant:
    """The assistant as the Desk wires it, on the bench catalog (HCPCS from the CMS file when none is
    imported), with unlimited views: a bench is not a user and must not spend anyone's quota."""
    catalog = bench_catalog(services, hcpcs)
    searcher = CodeSearch(SearchEngine.open(catalog, services.settings.cache_dir))
    codes = CodesFeature(catalog, views=UnlimitedViews(), searcher=searcher)
    others = [f for f in services.features() if not isinstance(f, (CodesFeature, CodeSearch))]
    registry = CommandRegistry([codes, searcher, *others])
    assistant = Assistant(catalog, codes, searcher=searcher, notes=services.guideline_notes, registry=registry)
    assistant.warm()
    return assistant


def run(args: argparse.Namespace, services: Services) -> int:
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
        results = run_questions(questions, lambda q: assistant.ask(q, actor))
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


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(["bench", "assistant", *(sys.argv[1:] if argv is None else argv)])
    return run(args, services_from_env())


if __name__ == "__main__":
    sys.exit(main())
