"""VeloZ: a Python trading engine for crypto markets with a compiled C++ core."""

__version__ = "0.1.0"
