"""What a data-quality check reports, and small vectorised helpers the checks share.

A check never stops at the first problem: it counts every flagged row (or depth message) and keeps
the first few as examples, so a report says both how bad and where to look.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

CHECK_NAMES = ("gaps", "duplicates", "out_of_order", "crossed", "outliers")

Int64s = npt.NDArray[np.int64]
Flags = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class CheckOptions:
    """``max_jump_pct``: a price move larger than this percentage of the previous price is an
    outlier. ``max_examples``: examples kept per check."""

    max_jump_pct: float = 5.0
    max_examples: int = 5

    def __post_init__(self) -> None:
        if not self.max_jump_pct > 0:
            raise ValueError(f"max_jump_pct must be > 0, not {self.max_jump_pct}")
        if self.max_examples < 0:
            raise ValueError(f"max_examples must be >= 0, not {self.max_examples}")


@dataclass
class Finding:
    """One check over one series: how many rows (or depth messages: ``unit``) it judged and how
    many it flagged, and the first examples, each a dict naming the row, the reason and the values
    involved. ``checked`` can be below the rows read: the depth book judges only messages applied
    while it is synchronised."""

    check: str
    unit: str
    checked: int = 0
    count: int = 0
    examples: list[dict[str, Any]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.count == 0

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "ok": self.ok}


class Findings:
    """The findings of one series, filled batch by batch."""

    def __init__(self, checks: Sequence[str], unit: str, max_examples: int) -> None:
        self.by_check = {name: Finding(name, unit) for name in checks}
        self.max_examples = max_examples

    def flag(self, check: str, mask: Flags, describe: Callable[[int], dict[str, Any]],
             checked: int | None = None) -> None:
        """Counts the True entries of ``mask`` (out of ``checked``, by default all of its entries);
        ``describe(i)`` builds an example for entry i."""
        finding = self.by_check[check]
        finding.checked += len(mask) if checked is None else checked
        flagged = np.flatnonzero(mask)
        if not len(flagged):
            return
        finding.count += len(flagged)
        for index in flagged[: max(0, self.max_examples - len(finding.examples))]:
            finding.examples.append(describe(int(index)))

    def result(self) -> list[Finding]:
        return list(self.by_check.values())


def previous(values: Int64s, carry: int | None) -> tuple[Int64s, Flags]:
    """Each element's predecessor (the carried last value of the previous batch for the first),
    and which elements have one."""
    before = np.empty_like(values)
    has = np.ones(len(values), dtype=bool)
    if len(values):
        before[1:] = values[:-1]
        before[0] = values[0] if carry is None else carry
        has[0] = carry is not None
    return before, has


def highest_before(values: Int64s, carry: int | None) -> Int64s:
    """The highest value seen before each element (for the first of all, one less than itself:
    it has nothing to be compared with)."""
    if not len(values):
        return values
    start = values[0] - 1 if carry is None else carry
    return np.maximum.accumulate(np.concatenate([[start], values]))[:-1]


class JumpDetector:
    """Flags prices that move more than ``pct`` percent from the previous price. A lone print away
    and straight back (the move back lands within ``pct`` of the price before the spike) counts
    once: the return is not a second outlier."""

    def __init__(self, pct: float) -> None:
        self.ratio = pct / 100.0
        self.carry: list[float] = []  # up to the last two prices
        self.last_jumped = False  # whether the last price moved too far from its predecessor

    def _moved(self, price: npt.NDArray[np.float64], reference: npt.NDArray[np.float64]) -> Flags:
        with np.errstate(invalid="ignore"):
            return (reference > 0) & (np.abs(price - reference) > self.ratio * reference)

    def feed(self, prices: Int64s) -> Flags:
        if not len(prices):
            return np.zeros(0, dtype=bool)
        known = len(self.carry)
        extended = np.concatenate([np.asarray(self.carry, dtype=np.float64), prices.astype(np.float64)])
        jump = np.zeros(len(extended), dtype=bool)
        jump[1:] = self._moved(extended[1:], extended[:-1])
        if known:
            jump[known - 1] = self.last_jumped
        back_home = np.zeros(len(extended), dtype=bool)
        back_home[2:] = ~self._moved(extended[2:], extended[:-2])
        flagged = jump.copy()
        flagged[1:] &= ~(jump[:-1] & back_home[1:])
        self.carry = extended[-2:].tolist()
        self.last_jumped = bool(jump[-1])
        return flagged[known:]
