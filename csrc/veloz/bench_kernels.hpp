// Tight C++ loops over the public engine API, timed in C++, so benchmarks can report the cost of
// the core alone next to the same work driven from Python (bench/workloads/).
#pragma once
#include <cstdint>

#include "veloz/matching_engine.hpp"

namespace veloz::bench {

// Each cycle: submit a 1-lot limit buy at the best ask, let it arrive, drain its accepted + fill
// reports. The ask level must be deep enough (our consumption accumulates). Returns elapsed ns.
int64_t order_cycles(MatchingEngine& engine, uint64_t first_order_id, int64_t cycles, int64_t start_ts);

// Each walk: a market buy of `qty` lots, drained; then the walked levels are re-stated so the next
// walk sees the same book. Returns elapsed ns (the re-statement is included: it is real work).
int64_t market_walks(MatchingEngine& engine, uint64_t first_order_id, int64_t walks, int64_t qty, int64_t start_ts);

// The whole simulated order path per cycle: OMS submit -> venue -> accepted + fill reports ->
// OMS ack + fill -> futures account fill, for a 1-lot marketable limit buy. Builds its own OMS,
// venue (a deep 10-level book around 60000.0, tick 0.1, lot 0.001) and account. Returns ns.
int64_t full_order_cycles(int64_t cycles);

// `trades` trades of 1 lot at `price` against a resting order deep in the queue. Returns elapsed ns.
int64_t queue_updates(MatchingEngine& engine, int64_t price, int64_t trades, int64_t start_ts);

}  // namespace veloz::bench
