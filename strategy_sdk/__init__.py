"""VeloZ strategy SDK: write a strategy once, run it in backtest, paper and live trading.

Pure Python (msgspec is its only dependency); it imports nothing from the engine.
"""

from strategy_sdk.context import Balance, BookView, Context, InstrumentInfo, OrderView, Position
from strategy_sdk.enums import OrderStatus, OrderType, PositionSide, Side, TimeInForce, TriggerSource
from strategy_sdk.errors import OrderRejected, ParameterError, StrategyError
from strategy_sdk.events import Bar, BookTop, DepthUpdate, Fill, Funding, MarkPrice, OrderUpdate, TimerEvent, Trade
from strategy_sdk.params import params_to_dict, parse_param_assignments, parse_params
from strategy_sdk.strategy import CALLBACKS, NoParams, Strategy
from strategy_sdk.targets import in_flight_market_lots, trade_to_target

__all__ = [
    "CALLBACKS", "Balance", "Bar", "BookTop", "BookView", "Context", "DepthUpdate", "Fill", "Funding",
    "InstrumentInfo", "MarkPrice", "NoParams", "OrderRejected", "OrderStatus", "OrderType", "OrderUpdate",
    "OrderView", "ParameterError", "Position", "PositionSide", "Side", "Strategy", "StrategyError",
    "TimeInForce", "TimerEvent", "Trade", "TriggerSource", "in_flight_market_lots", "params_to_dict",
    "parse_param_assignments", "parse_params", "trade_to_target",
]
