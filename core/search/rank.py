"""Ranking: score every document for a QueryPlan with array arithmetic, then rerank the best few.

Score = BM25 over the best alternative of each concept + a coverage bonus per concept matched +
the document's prior (billable defaults over headers and rare variants). The top candidates are then
reranked with phrase and proximity boosts computed on their title terms.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from core.codes.record import RecordKind, System
from core.search.index import SYSTEMS, FloatArray, SearchIndex
from core.search.query import QueryPlan

COVERAGE_WEIGHT = 6.0  # per concept matched: documents naming everything asked for come first
ADJACENT_BONUS = 1.0
PHRASE_BONUS = 1.5
TITLE_COVER_BONUS = 2.0
RERANK_POOL = 50
EXACT_BONUS = 4.0  # the query, read whole, is this code's title or one of its inclusion terms


@dataclass(frozen=True, slots=True)
class Hit:
    system: System
    code: str
    title: str
    score: float
    matched: tuple[str, ...]  # the typed words (or phrases) this result matched
    billable: bool
    kind: RecordKind = RecordKind.CODE


@dataclass(frozen=True)
class HitPage:
    hits: tuple[Hit, ...]
    total: int  # how many documents matched at all (after filters)
    offset: int


def rank(index: SearchIndex, plan: QueryPlan, *, system: System | None = None, billable_only: bool = False,
         offset: int = 0, limit: int = 10) -> HitPage:
    n = index.size
    total = np.zeros(n, dtype=np.float32)
    coverage = np.zeros(n, dtype=np.float32)
    concept_cover: list[npt.NDArray[np.bool_]] = []
    for concept in plan.concepts:
        if len(concept.alternatives) == 1 and all(len(s.choices) == 1 for s in concept.alternatives[0].slots) \
                and len(concept.alternatives[0].slots) == 1:
            # The common case, one plain word: add its postings straight in, no full-size temporaries.
            tid, weight = concept.alternatives[0].slots[0].choices[0]
            docs, w = index.postings(tid)
            total[docs] += w * (index.idf[tid] * weight)
            coverage[docs] += 1.0
            seen = np.zeros(n, dtype=np.bool_)
            seen[docs] = True
            concept_cover.append(seen)
            continue
        best_score: FloatArray | None = None
        best_cover: FloatArray | None = None
        for alt in concept.alternatives:
            score = np.zeros(n, dtype=np.float32)
            hits = np.zeros(n, dtype=np.float32)
            for slot in alt.slots:
                if len(slot.choices) == 1:
                    tid, weight = slot.choices[0]
                    docs, w = index.postings(tid)
                    score[docs] += w * (index.idf[tid] * weight)
                    hits[docs] += 1.0
                else:
                    slot_score = np.zeros(n, dtype=np.float32)
                    for tid, weight in slot.choices:
                        docs, w = index.postings(tid)
                        slot_score[docs] = np.maximum(slot_score[docs], w * (index.idf[tid] * weight))
                    score += slot_score
                    hits += slot_score > 0
            if alt.scale != 1.0:
                score *= alt.scale
            cover = hits / float(len(alt.slots))
            if len(alt.slots) > 1:
                # Half a phrase is weak evidence: "colorectal cancer" is not "colorectal cancer screening".
                cover *= cover
                score *= cover
            if best_score is None or best_cover is None:
                best_score, best_cover = score, cover
            else:
                np.maximum(best_score, score, out=best_score)
                np.maximum(best_cover, cover, out=best_cover)
        if best_score is None or best_cover is None:
            continue
        total += best_score
        coverage += best_cover
        concept_cover.append(best_cover > 0)
    matched = total > 0
    if system is not None:
        matched &= index.systems == SYSTEMS.index(system)
    if billable_only:
        matched &= index.billable
    candidates = np.flatnonzero(matched)
    if candidates.size == 0:
        return HitPage((), 0, offset)
    named = [d for d in (index.docs_named(sig) for sig in plan.signatures) if len(d)]
    if named:
        exact = np.concatenate(named)
        total[exact] += EXACT_BONUS * index.billable[exact]
    final = total[candidates] + COVERAGE_WEIGHT * coverage[candidates] + index.prior[candidates]
    pool = max(RERANK_POOL, offset + limit)
    if candidates.size > pool:
        top = np.argpartition(-final, pool - 1)[:pool]
        candidates, final = candidates[top], final[top]
    probe = _probe(plan)
    reranked = [(s + _title_bonus(index, probe, d), d)
                for s, d in zip(final.tolist(), candidates.tolist(), strict=True)]
    # Ties: the shorter code (the family's default), then code order, so results are stable.
    reranked.sort(key=lambda item: (-round(item[0], 4), len(index.codes[item[1]]), index.codes[item[1]]))
    page = reranked[offset:offset + limit]
    found = tuple(
        Hit(index.system_of(doc), index.codes[doc], index.titles[doc], round(score, 3),
            tuple(c.typed for c, cover in zip(plan.concepts, concept_cover, strict=False) if cover[doc] > 0),
            bool(index.billable[doc]), index.kind_of(doc))
        for score, doc in page
    )
    return HitPage(found, int(np.count_nonzero(matched)), offset)


@dataclass(frozen=True)
class _TitleProbe:
    """The query, arranged for checking titles: which (concept, alternative, slot) each term fills."""

    where: dict[int, list[tuple[int, int, int]]]
    phrase_slots: dict[tuple[int, int], int]  # (concept, alternative) -> slot count, for phrases only
    concepts: int


def _probe(plan: QueryPlan) -> _TitleProbe:
    where: dict[int, list[tuple[int, int, int]]] = {}
    phrase_slots: dict[tuple[int, int], int] = {}
    for c, concept in enumerate(plan.concepts):
        for a, alt in enumerate(concept.alternatives):
            if len(alt.slots) > 1:
                phrase_slots[(c, a)] = len(alt.slots)
            for s, slot in enumerate(alt.slots):
                for tid, _ in slot.choices:
                    where.setdefault(tid, []).append((c, a, s))
    return _TitleProbe(where, phrase_slots, len(plan.concepts))


def _title_bonus(index: SearchIndex, probe: _TitleProbe, doc: int) -> float:
    """Phrase and proximity boosts: query concepts next to each other in the title, and the share of
    the title's words the query asked for. One pass over the title's term ids."""
    title = index.title_ids(doc).tolist()
    if not title:
        return 0.0
    concept_positions: list[list[int]] = [[] for _ in range(probe.concepts)]
    slot_positions: dict[tuple[int, int], dict[int, list[int]]] = {}
    covered = 0
    for i, t in enumerate(title):
        hits = probe.where.get(t)
        if not hits:
            continue
        covered += 1
        for c, a, s in hits:
            concept_positions[c].append(i)
            if (c, a) in probe.phrase_slots:
                slot_positions.setdefault((c, a), {}).setdefault(s, []).append(i)
    bonus = 0.0
    phrased: set[int] = set()
    for (c, a), found in slot_positions.items():
        if c not in phrased and len(found) == probe.phrase_slots[(c, a)] \
                and _in_order([found[s] for s in range(len(found))]):
            phrased.add(c)  # once per concept, however many of its wordings match
    bonus += PHRASE_BONUS * len(phrased)
    for left, right in itertools.pairwise(concept_positions):
        if left and right and min(abs(x - y) for x in left for y in right) <= 2:
            bonus += ADJACENT_BONUS
    return bonus + TITLE_COVER_BONUS * covered / len(title)


def _in_order(slot_positions: list[list[int]]) -> bool:
    """Whether each slot's term can be found right after the previous one (a gap of one word allowed)."""
    starts = slot_positions[0]
    for nxt in slot_positions[1:]:
        starts = [p for p in nxt if any(0 < p - s <= 2 for s in starts)]
        if not starts:
            return False
    return True
