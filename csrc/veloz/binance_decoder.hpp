// Decodes one Binance market-data frame (bare payload or combined-stream wrapper) straight from the
// JSON text into integer ticks and lots: depthUpdate, bookTicker, trade and REST depth snapshots,
// for spot, USD-M and COIN-M. Every frame is fully validated before the caller sees it, so a bad
// frame can be rejected without touching any state.
#pragma once
#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

#include "veloz/fixed_point.hpp"
#include "veloz/l2_book.hpp"

namespace veloz {

enum class MessageKind : uint8_t {
  other = 0,          // valid JSON we do not decode (aggTrade, kline, ...)
  depth_update = 1,   // diff depth
  book_ticker = 2,
  trade = 3,
  snapshot = 4,       // REST depth snapshot {lastUpdateId, bids, asks}
  partial_depth = 5,  // @depth5/10/20 top-N stream: not a diff, never applied to the book
};

struct DecodedMessage {
  MessageKind kind = MessageKind::other;
  // Views of the input frame (or, if the JSON escaped them, of the decoder's storage): valid until
  // the frame buffer is released or the decoder decodes again.
  std::string_view stream;    // combined-stream name, empty for a bare payload
  std::string_view symbol;
  int64_t event_time_ms = 0;  // E
  int64_t transaction_time_ms = 0;  // T (futures depth/ticker, trades)
  int64_t first_update_id = 0;      // U
  int64_t last_update_id = 0;       // u, or lastUpdateId for a snapshot
  int64_t prev_update_id = 0;       // pu (futures only)
  bool has_prev_update_id = false;
  // trade
  int64_t trade_id = 0;
  int64_t price = 0;
  int64_t qty = 0;
  bool buyer_is_maker = false;
  // bookTicker
  int64_t bid_price = 0, bid_qty = 0, ask_price = 0, ask_qty = 0;
  // depth_update / snapshot / partial_depth
  std::vector<Level> bids;
  std::vector<Level> asks;
};

struct DecodeError {
  std::string field;   // e.g. "b[3][0]", "s", "u"; empty for syntax errors
  std::string reason;  // human-readable, names the offending value
  std::size_t offset = 0;  // byte offset of the syntax error, when known
};

class BinanceDecoder {
 public:
  // `symbol` (upper case) is checked against every depth/ticker/trade/snapshot; empty = accept any.
  // `futures`: depth updates must carry `pu` (the futures sync chain depends on it).
  BinanceDecoder(DecimalGrid price_grid, DecimalGrid qty_grid, std::string symbol, bool futures = false);

  // Returns false and fills `error` if the frame is malformed, lacks a required field, names
  // another symbol, or holds a negative or off-grid value. Never allocates after warm-up on success.
  bool decode(const char* data, std::size_t size, DecodedMessage& out, DecodeError& error);

  const DecimalGrid& price_grid() const noexcept { return price_grid_; }
  const DecimalGrid& qty_grid() const noexcept { return qty_grid_; }
  const std::string& symbol() const noexcept { return symbol_; }
  bool futures() const noexcept { return futures_; }

 private:
  DecimalGrid price_grid_;
  DecimalGrid qty_grid_;
  std::string symbol_;
  bool futures_;
  std::deque<std::string> unescaped_;  // decoded JSON escapes (rare: Binance never escapes)
};

}  // namespace veloz
