"""Order books: the compiled L2 book and the Binance feed that keeps one in sync.

Prices are integer ticks and quantities integer lots of an :class:`~veloz.instruments.Instrument`.
Queries are O(1) for the best levels; ``top(side, n)`` returns numpy arrays, never a Python
object per level.

    feed = feed_for(instrument)
    feed.apply(frame_bytes)                # one call per frame, straight from the socket or a file
    feed.book.best_bid()                   # (ticks, lots) or None
    prices, qtys = feed.book.top(Side.ASK, 5)
"""

from __future__ import annotations

from enum import IntEnum

from veloz._native.book import (
    KIND_BOOK_TICKER,
    KIND_DEPTH_UPDATE,
    KIND_OTHER,
    KIND_PARTIAL_DEPTH,
    KIND_SNAPSHOT,
    KIND_TRADE,
    BinanceBookFeed,
    L2Book,
)
from veloz._types import MarketImpact
from veloz.instruments import Instrument

__all__ = ["BinanceBookFeed", "L2Book", "MarketImpact", "MessageKind", "Side", "feed_for"]


class Side(IntEnum):
    """Book side. For ``market_impact`` the argument is the order side instead: 0 buy, 1 sell."""

    BID = 0
    ASK = 1


class MessageKind(IntEnum):
    """What ``BinanceBookFeed.apply`` decoded."""

    OTHER = KIND_OTHER
    DEPTH_UPDATE = KIND_DEPTH_UPDATE
    BOOK_TICKER = KIND_BOOK_TICKER
    TRADE = KIND_TRADE
    SNAPSHOT = KIND_SNAPSHOT
    PARTIAL_DEPTH = KIND_PARTIAL_DEPTH


def feed_for(instrument: Instrument, window_bits: int = 18) -> BinanceBookFeed:
    """A feed for one instrument; its book uses the instrument's tick and lot grids."""
    return BinanceBookFeed(instrument.market, instrument.symbol, instrument.tick_size, instrument.lot_size,
                           window_bits)
