"""Market data: capture readers, the Parquet catalog, importers (captures, data.binance.vision
archives, Tardis CSVs) and data-quality checks (docs/data.md, docs/importers.md)."""
