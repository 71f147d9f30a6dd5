"""`codedesk bench cases` (or `python -m bench.cases`): Case2Code's exact-set accuracy, micro
precision/recall/F1 and latency on the dev and held-out case sets, each beside the plain code search's
top result per condition."""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Sequence

from bots.app import Services, services_from_env
from bots.cli import parser
from core.assistant.case2code.coder import CaseCoder
from core.assistant.case2code.context import make_reader
from core.assistant.case2code.eval import HEADER, CaseSetError, score_cases
from core.assistant.case2code.lexicon import Lexicon


def run(args: argparse.Namespace, services: Services) -> int:
    for path in (args.dev, args.held_out):
        if not path.exists():
            print(f"error: {path} does not exist", file=sys.stderr)
            return 2
    services.upgrade()
    catalog = services.catalog
    started = time.perf_counter()
    coder = CaseCoder(Lexicon.load(), make_reader(args.context))
    engine = None if args.no_baseline else services.search_engine
    start_up = time.perf_counter() - started
    results = []
    try:
        for label, path in (("dev", args.dev), ("held-out", args.held_out)):
            ours, per_condition = score_cases(catalog, path, engine, coder)
            whole = score_cases(catalog, path, engine, coder, whole_text=True)[1] if engine is not None else None
            results.append((label, path, ours, [b for b in (per_condition, whole) if b is not None]))
    except CaseSetError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    source = coder.propose(catalog, "hypertension").sources[0]
    print(f"Case2Code on {source}; context reader: {args.context}; start-up (lexicon, search index) {start_up:.2f} s; "
          f"ms per case after a warm-up case; load average {os.getloadavg()[0]:.1f}")
    for label, path, ours, baselines in results:
        print(f"{label}: {path.name}")
        print(HEADER)
        print(ours.line())
        for baseline in baselines:
            print(baseline.line())
        if args.misses:
            for miss in ours.misses:
                print(f"  line {miss.case.line}: {miss.case.text!r}: expected {' '.join(sorted(miss.case.codes))}"
                      f"; proposed {' '.join(sorted(miss.proposed)) or '(none)'}")
    checks = []
    for label, _, ours, _ in results:
        checks += [(f"{label} exact-set >= 0.90", ours.exact >= 0.90), (f"{label} F1 >= 0.95", ours.f1 >= 0.95),
                   (f"{label} p95 <= 20 ms", ours.p95_ms <= 20.0)]
    print("Targets: " + "; ".join(f"{name} {'met' if ok else 'NOT met'}" for name, ok in checks))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(["bench", "cases", *(sys.argv[1:] if argv is None else argv)])
    return run(args, services_from_env())


if __name__ == "__main__":
    sys.exit(main())
