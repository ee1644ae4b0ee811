"""Incremental indicators: each takes one value (or bar) per ``update`` in O(1), exposes ``value``
(None until warmed up) and ``ready``, and stays exact on integer ticks where that is possible."""

from strategy_sdk.indicators.atr import ATR
from strategy_sdk.indicators.bollinger import BollingerBands
from strategy_sdk.indicators.donchian import DonchianChannel
from strategy_sdk.indicators.ema import EMA
from strategy_sdk.indicators.rsi import RSI
from strategy_sdk.indicators.sma import SMA
from strategy_sdk.indicators.vwap import VWAP

__all__ = ["ATR", "EMA", "RSI", "SMA", "VWAP", "BollingerBands", "DonchianChannel"]
