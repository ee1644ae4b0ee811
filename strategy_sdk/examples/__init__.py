"""Example strategies, each runnable as it is and written only against the SDK:

    veloz backtest --strategy strategy_sdk.examples.ma_cross:MovingAverageCross --param fast=20 ...

ma_cross.MovingAverageCross, mean_reversion.MeanReversion, breakout.Breakout, grid.Grid,
market_maker.MarketMaker.
"""
