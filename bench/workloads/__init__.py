"""One module per workload: DEFAULT_N and run(n, seed) -> {"events", "elapsed_s", ...}."""
