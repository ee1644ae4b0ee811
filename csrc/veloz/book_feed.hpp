// One instrument's Binance market-data feed: frame -> decoder -> book sync, with the counters a
// replay reports and the bookTicker oracle: whenever a ticker's u equals the u the book reflects
// (the ticker arriving after that depth frame, or just before it), the book's best bid/ask must
// equal the ticker's. Used by capture replay and the live adapter alike.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>

#include "veloz/binance_decoder.hpp"
#include "veloz/book_sync.hpp"

namespace veloz {

struct FeedCounters {
  uint64_t messages = 0;        // frames decoded successfully
  uint64_t depth_updates = 0;   // diff-depth frames seen (applied or not: see SyncCounters)
  uint64_t book_tickers = 0;
  uint64_t trades = 0;
  uint64_t snapshots = 0;
  uint64_t partial_depth = 0;
  uint64_t other = 0;
  uint64_t rejected = 0;        // frames refused by the decoder (state untouched)
  uint64_t bbo_checks = 0;
  uint64_t bbo_mismatches = 0;
  uint64_t crossed = 0;         // book updates after which best bid >= best ask
};

struct BboMismatch {
  int64_t update_id = 0;
  int64_t book_bid_price = 0, book_bid_qty = 0, book_ask_price = 0, book_ask_qty = 0;
  int64_t ticker_bid_price = 0, ticker_bid_qty = 0, ticker_ask_price = 0, ticker_ask_qty = 0;
};

class BinanceBookFeed {
 public:
  BinanceBookFeed(BookMarket market, DecimalGrid price_grid, DecimalGrid qty_grid, std::string symbol,
                  int window_bits = 18);

  // Decodes and applies one frame. On a bad frame returns false, fills `error`, changes nothing
  // but the `rejected` counter.
  bool on_frame(const char* data, std::size_t size, DecodeError& error);

  // The last frame decoded successfully (a rejected frame does not replace it).
  const DecodedMessage& last() const noexcept { return messages_[current_]; }
  DiffResult last_diff_result() const noexcept { return last_diff_; }
  // True when the last frame changed the best bid or ask (price or quantity).
  bool top_changed() const noexcept { return top_changed_; }
  const BookSync& sync() const noexcept { return sync_; }
  BookSync& sync() noexcept { return sync_; }
  const FeedCounters& counters() const noexcept { return counters_; }
  const BboMismatch& first_mismatch() const noexcept { return first_mismatch_; }
  const BinanceDecoder& decoder() const noexcept { return decoder_; }

 private:
  struct TickerSeen {
    int64_t update_id, bid_price, bid_qty, ask_price, ask_qty;
  };
  void after_book_change();
  void compare_bbo(const TickerSeen& ticker);
  void on_book_ticker();
  void check_recent_tickers();

  // Recent bookTickers: a ticker usually arrives before the depth frame that ends at its u.
  static constexpr std::size_t kRecentTickers = 256;
  TickerSeen recent_[kRecentTickers] = {};
  std::size_t recent_count_ = 0;  // total pushed; slot = count % kRecentTickers

  BinanceDecoder decoder_;
  BookSync sync_;
  // Two buffers: a frame is decoded into the spare one and becomes current only on success.
  DecodedMessage messages_[2];
  std::size_t current_ = 0;
  DiffResult last_diff_ = DiffResult::applied;
  bool top_changed_ = false;
  FeedCounters counters_;
  BboMismatch first_mismatch_;
};

}  // namespace veloz
