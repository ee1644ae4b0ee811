from typing_extensions import disjoint_base

MARKETS: dict[str, int]
QUEUE_MODELS: dict[str, int]

@disjoint_base
class SimSession:
    """OMS + venue + account for one instrument (docs/matching.md, docs/oms.md, docs/accounting.md)."""

    @property
    def market(self) -> str: ...
    def __init__(
        self,
        market: str,
        tick_size: str,
        lot_size: str,
        *,
        contract_size: int = 0,
        maker_fee_rate: str = "0",
        taker_fee_rate: str = "0",
        deposit: str = "0",
        leverage: int = 20,
        order_latency: tuple[str, int, int, float, float] = ...,
        report_latency: tuple[str, int, int, float, float] = ...,
        queue_model: str = "conservative",
        queue_exponent: float = 1.0,
        hedge_mode: bool = False,
        seed: int = 1,
        window_bits: int = 18,
    ) -> None: ...
    def submit(
        self,
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
    ) -> int: ...
    def cancel(self, order_id: int, *, ts: int) -> None: ...
    def amend(self, order_id: int, price: int, qty: int, *, ts: int) -> None: ...
    def advance(self, ts: int) -> int: ...
    def on_level(self, side: int, price: int, qty: int, ts: int) -> None: ...
    def on_trade(self, price: int, qty: int, aggressor_side: int, ts: int) -> None: ...
    def on_mark_price(self, price: int, ts: int) -> None: ...
    def order(self, order_id: int) -> tuple[int, int, int, int] | None: ...
    @property
    def position(self) -> int: ...
    def summary(self) -> dict[str, int]: ...
    def counters(self) -> dict[str, int]: ...
