// The vocabulary of the replay driver: input stream chunks, subscriptions, the events it hands to
// its caller, and the records it keeps for the run's outputs (all int64 so Python reads each
// vector as one numpy array).
#pragma once
#include <cstddef>
#include <cstdint>

#include "veloz/exec_report.hpp"

namespace veloz {

enum class StreamKind : uint8_t { trades = 0, depth = 1, book_ticker = 2, mark_price = 3, funding = 4 };

// One chunk of one stream's columns, borrowed from the caller, who keeps them alive until the
// driver asks for the next chunk. Column meaning per kind (catalog schema, veloz/data/schema.py):
//   trades:      seq = trade_id, v0 = px, v1 = qty, side = +1 buyer aggressor / -1 seller
//   depth:       seq = update_id, v0 = px, v1 = qty (absolute, 0 deletes), side = +1 bid / -1 ask,
//                kind = 0 update / 2 snapshot level
//   book_ticker: seq = update_id, v0 = bid px, v1 = bid qty, v2 = ask px, v3 = ask qty
//   mark_price:  v0 = mark px, v1 = index px, v2 = funding rate e8, v3 = next funding ts
//   funding:     v0 = rate e8, v1 = mark px (0: unknown)
// seq, v*, side and kind may be null where the kind does not use them (read as 0).
struct StreamChunk {
  const int64_t* ts = nullptr;
  const int64_t* local_ts = nullptr;
  const int64_t* seq = nullptr;
  const int64_t* v0 = nullptr;
  const int64_t* v1 = nullptr;
  const int64_t* v2 = nullptr;
  const int64_t* v3 = nullptr;
  const int8_t* side = nullptr;
  const int8_t* kind = nullptr;
  std::size_t size = 0;
};

// What a strategy subscribed to, per instrument: only these events leave the driver.
enum Subscription : uint32_t {
  kSubTrades = 1,
  kSubBook = 2,  // top of book changed
  kSubDepth = 4,
  kSubBars = 8,
  kSubMarkPrice = 16,
  kSubFunding = 32,
};

enum class ReplayEventKind : uint8_t {
  end = 0,        // every stream ended and nothing is pending
  need_data = 1,  // `stream` has used up its chunk: set the next one or end it
  paused = 2,     // the data-event budget of this call is spent (progress reporting)
  trade = 3,
  book = 4,
  depth = 5,
  bar = 6,
  mark_price = 7,
  funding = 8,
  report = 9,  // a venue report was delivered (`report`; a fill also appended a FillRecord)
  timer = 10,
};

// One event for the caller. Payload per kind:
//   trade:      id = trade id, v0 = px, v1 = qty, side
//   book:       v0 = bid px, v1 = bid qty, v2 = ask px, v3 = ask qty (0/0 for an empty side)
//   depth:      id = update id, v0 = px, v1 = qty, side, flag = snapshot level
//   bar:        v0..v3 = open/high/low/close, v4 = volume, v5 = trade count, v6 = open ts, v7 = interval
//   mark_price: v0 = mark px, v1 = index px, v2 = funding rate e8, v3 = next funding ts
//   funding:    v0 = rate e8, v1 = payment e8 (+ received), v2 = mark px used
//   timer:      id = timer id
struct ReplayEvent {
  ReplayEventKind kind = ReplayEventKind::end;
  uint32_t instrument = 0;
  uint32_t stream = 0;
  int8_t side = 0;
  bool flag = false;
  int64_t ts = 0;
  int64_t id = 0;
  int64_t v[8] = {};
  ExecReport report;
};

// One fill of ours as the run's output keeps it.
struct FillRecord {
  int64_t ts;
  int64_t order_id;
  int64_t instrument;
  int64_t side;  // OrderSide
  int64_t px;
  int64_t qty;
  int64_t fee_e8;
  int64_t fee_asset;  // FeeAsset
  int64_t is_maker;
  int64_t trade_id;
  int64_t decision_mid2;  // bid + ask (ticks) when the order was placed; 0 when either was missing
  int64_t realized_e8;    // realized PnL of this fill before fees, account currency
  int64_t position_after;  // lots (spot: holdings), + long
};

// The account, valued in its currency (USD-M: USDT, COIN-M: the coin, spot: the quote asset).
struct EquitySample {
  int64_t ts;
  int64_t equity_e8;
  int64_t wallet_e8;
  int64_t unrealized_e8;
  int64_t realized_e8;  // cumulative, before fees
  int64_t fees_e8;      // cumulative, account currency
  int64_t funding_e8;   // cumulative, + received
  int64_t gross_exposure_e8;
};

struct PositionSample {
  int64_t ts;
  int64_t instrument;
  int64_t position_side;  // PositionSide
  int64_t qty;            // lots, + long
  int64_t entry_px;       // ticks, 0 when flat
  int64_t mark_px;        // ticks
  int64_t unrealized_e8;
  int64_t realized_e8;
};

struct ReplayCounters {
  uint64_t data_events = 0;    // rows consumed from every stream
  uint64_t python_events = 0;  // events handed to the caller (a crossing each)
  uint64_t book_changes = 0;   // top-of-book changes seen (subscribed or not)
  uint64_t reports = 0;
  uint64_t fills = 0;
  uint64_t funding_skipped = 0;  // funding rows with no price to value the position at
};

}  // namespace veloz
