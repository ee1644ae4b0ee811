"""Market-data files: capture readers (and, later, the catalog and importers)."""
