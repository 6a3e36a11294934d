"""An attempt's paper: which questions, in which order, with options in which order (RM-1), no Django.

The paper is drawn from the exam's sections ("n questions from category C") with a seed stored on
the attempt, so anyone can re-create it from the seed and the pool. The random numbers come from
SHA-256 in counter mode rather than Python's ``random`` so the same seed gives the same paper on
any Python version or machine, for as long as the record is kept.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

ALGORITHM = "sha256-ctr-fisher-yates-v1"


class PaperError(ValueError):
    """The sections ask for more questions than a category holds (the caller words it for people)."""

    def __init__(self, category: int, available: int, needed: int) -> None:
        super().__init__(f"category {category}: {available} questions, {needed} needed")
        self.category, self.available, self.needed = category, available, needed


class Draw:
    """A deterministic stream of integers from a seed (SHA-256 of seed and a counter)."""

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self.counter = 0

    def _word(self) -> int:
        digest = hashlib.sha256(f"{self.seed}:{self.counter}".encode()).digest()
        self.counter += 1
        return int.from_bytes(digest[:8], "big")

    def below(self, n: int) -> int:
        """Uniform in [0, n) by rejection sampling (no modulo bias)."""
        if n <= 0:
            raise ValueError("n must be positive")
        limit = (2**64 // n) * n
        while True:
            word = self._word()
            if word < limit:
                return word % n

    def shuffle(self, items: Sequence[str | int]) -> list[str | int]:
        result = list(items)
        for i in range(len(result) - 1, 0, -1):
            j = self.below(i + 1)
            result[i], result[j] = result[j], result[i]
        return result

    def sample(self, items: Sequence[int], k: int) -> list[int]:
        """k distinct items, in the order drawn (a partial Fisher–Yates)."""
        pool = list(items)
        for i in range(k):
            j = i + self.below(len(pool) - i)
            pool[i], pool[j] = pool[j], pool[i]
        return pool[:k]


@dataclass(frozen=True)
class Section:
    category: int
    count: int


@dataclass(frozen=True)
class PaperItem:
    question: int
    #: Option ids in the order shown (empty for kinds without options).
    options: tuple[str, ...]


def new_seed() -> int:
    """A fresh seed for a new attempt (63 bits, fits a BigIntegerField)."""
    return secrets.randbelow(2**63 - 1) + 1


def build_paper(
    *,
    seed: int,
    sections: Sequence[Section],
    pool: Mapping[int, Sequence[int]],
    options: Mapping[int, Sequence[str]],
    shuffle_questions: bool,
    shuffle_options: bool,
    shufflable: frozenset[int] = frozenset(),
) -> list[PaperItem]:
    """The paper for ``seed``.

    ``pool``: category → its question ids; ``options``: question → its option ids in key order;
    ``shufflable``: the questions whose options may be shown in another order. A section whose
    count is 0 takes the whole category. A question is never drawn twice.
    """
    draw = Draw(seed)
    chosen: list[int] = []
    seen: set[int] = set()
    for section in sections:
        candidates = [q for q in sorted(set(pool.get(section.category, ()))) if q not in seen]
        count = len(candidates) if section.count == 0 else section.count
        if count > len(candidates):
            raise PaperError(section.category, len(candidates), count)
        picked = draw.sample(candidates, count)
        if not shuffle_questions:
            picked.sort()
        chosen.extend(picked)
        seen.update(picked)
    if shuffle_questions:
        chosen = [int(q) for q in draw.shuffle(chosen)]
    paper = []
    for question in chosen:
        ids = [str(o) for o in options.get(question, ())]
        if shuffle_options and question in shufflable:
            ids = [str(o) for o in draw.shuffle(ids)]
        paper.append(PaperItem(question, tuple(ids)))
    return paper


def paper_to_json(paper: Sequence[PaperItem]) -> list[dict[str, object]]:
    return [{"question": item.question, "options": list(item.options)} for item in paper]
