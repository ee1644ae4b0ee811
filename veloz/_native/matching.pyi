import numpy as np
import numpy.typing as npt
from typing_extensions import disjoint_base

MARKETS: dict[str, int]
LATENCY_KINDS: dict[str, int]
QUEUE_MODELS: dict[str, int]
EMPTY_BOOK_POLICIES: dict[str, int]
REPORT_DTYPE: np.dtype[np.void]

@disjoint_base
class MatchingEngine:
    """One instrument's simulated venue. See veloz.matching for the typed API and docs/matching.md."""

    def __init__(
        self,
        market: str,
        tick_size: str,
        step_size: str,
        *,
        contract_size: int = 0,
        maker_fee_rate: str = "0",
        taker_fee_rate: str = "0",
        order_latency: tuple[str, int, int, float, float] = ...,
        report_latency: tuple[str, int, int, float, float] = ...,
        queue_model: str = "conservative",
        queue_exponent: float = 1.0,
        empty_book: str = "expire",
        hedge_mode: bool = False,
        seed: int = 1,
        window_bits: int = 18,
    ) -> None: ...
    def submit(
        self,
        order_id: int,
        side: int,
        order_type: int,
        qty: int,
        price: int = 0,
        *,
        ts: int,
        tif: int = 0,
        stop_price: int = 0,
        reduce_only: bool = False,
        position_side: int = 0,
        trigger: int = 0,
    ) -> None: ...
    def cancel(self, order_id: int, *, ts: int) -> None: ...
    def amend(self, order_id: int, price: int, qty: int, *, ts: int) -> None: ...
    def on_level(self, side: int, price: int, qty: int, ts: int) -> None: ...
    def on_trade(self, price: int, qty: int, aggressor_side: int, ts: int) -> None: ...
    def on_mark_price(self, price: int, ts: int) -> None: ...
    def advance_to(self, ts: int) -> None: ...
    def drain_reports(self, up_to_ts: int, max_reports: int = 65536) -> npt.NDArray[np.void]: ...
    @property
    def pending_reports(self) -> int: ...
    def order(self, order_id: int) -> tuple[int, int, int, int, int, bool, bool, bool] | None: ...
    @property
    def position(self) -> int: ...
    @property
    def long_position(self) -> int: ...
    @property
    def short_position(self) -> int: ...
    @property
    def last_trade_price(self) -> int: ...
    @property
    def mark_price(self) -> int: ...
    def best_bid(self) -> tuple[int, int] | None: ...
    def best_ask(self) -> tuple[int, int] | None: ...
    def counters(self) -> dict[str, int]: ...

def bench_order_cycles(engine: MatchingEngine, first_order_id: int, cycles: int, start_ts: int) -> int: ...
def bench_market_walks(engine: MatchingEngine, first_order_id: int, walks: int, qty: int, start_ts: int) -> int: ...
def bench_queue_updates(engine: MatchingEngine, price: int, trades: int, start_ts: int) -> int: ...
