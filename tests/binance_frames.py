"""Builders for Binance frames in the exact wire layout (tick 0.1, lot 0.001), for tests."""

from __future__ import annotations

import json


def px(ticks: int) -> str:
    return f"{ticks // 10}.{ticks % 10}"


def qty(lots: int) -> str:
    return f"{lots // 1000}.{lots % 1000:03d}"


def levels(side: dict[int, int] | list[tuple[int, int]]) -> list[list[str]]:
    items = side.items() if isinstance(side, dict) else side
    return [[px(p), qty(q)] for p, q in items]


def depth_frame(market: str, symbol: str, U: int, u: int, pu: int, bids, asks) -> bytes:
    data: dict = {"e": "depthUpdate", "E": 1723161256299, "s": symbol, "U": U, "u": u}
    if market != "spot":
        data["T"] = 1723161256298
        data["pu"] = pu
    if market == "coinm":
        data["ps"] = symbol.split("_")[0]
    data["b"] = levels(bids)
    data["a"] = levels(asks)
    stream = f"{symbol.lower()}@depth@{'100ms' if market == 'spot' else '0ms'}"
    return json.dumps({"stream": stream, "data": data}, separators=(",", ":")).encode()


def snapshot_frame(last_update_id: int, bids, asks) -> bytes:
    return json.dumps({"lastUpdateId": last_update_id, "bids": levels(bids), "asks": levels(asks)},
                      separators=(",", ":")).encode()


def book_ticker_frame(symbol: str, u: int, bid: tuple[int, int], ask: tuple[int, int]) -> bytes:
    data = {"u": u, "s": symbol, "b": px(bid[0]), "B": qty(bid[1]), "a": px(ask[0]), "A": qty(ask[1])}
    return json.dumps({"stream": f"{symbol.lower()}@bookTicker", "data": data}, separators=(",", ":")).encode()
