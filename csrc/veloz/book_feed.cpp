#include "veloz/book_feed.hpp"

#include <utility>

namespace veloz {

BinanceBookFeed::BinanceBookFeed(BookMarket market, DecimalGrid price_grid, DecimalGrid qty_grid, std::string symbol,
                                 int window_bits)
    : decoder_(price_grid, qty_grid, std::move(symbol), market != BookMarket::spot), sync_(market, window_bits) {
  // Binance snapshots carry up to 5000 levels a side; size once so steady state never allocates.
  for (DecodedMessage& message : messages_) {
    message.bids.reserve(5000);
    message.asks.reserve(5000);
  }
}

bool BinanceBookFeed::on_frame(const char* data, std::size_t size, DecodeError& error) {
  DecodedMessage& incoming = messages_[current_ ^ 1];
  if (!decoder_.decode(data, size, incoming, error)) {
    ++counters_.rejected;
    return false;
  }
  current_ ^= 1;
  top_changed_ = false;
  const DecodedMessage& message = incoming;
  ++counters_.messages;
  switch (message.kind) {
    case MessageKind::depth_update: {
      ++counters_.depth_updates;
      const L2Book& book = sync_.book();
      const int64_t bid = book.best_price(Side::bid), bid_qty = book.best_qty(Side::bid);
      const int64_t ask = book.best_price(Side::ask), ask_qty = book.best_qty(Side::ask);
      last_diff_ = sync_.apply_diff(DiffEvent{message.first_update_id, message.last_update_id,
                                              message.prev_update_id, message.bids.data(), message.bids.size(),
                                              message.asks.data(), message.asks.size()});
      if (last_diff_ == DiffResult::applied) {
        top_changed_ = bid != book.best_price(Side::bid) || bid_qty != book.best_qty(Side::bid) ||
                       ask != book.best_price(Side::ask) || ask_qty != book.best_qty(Side::ask);
        after_book_change();
        check_recent_tickers();
      }
      break;
    }
    case MessageKind::snapshot:
      ++counters_.snapshots;
      if (sync_.apply_snapshot(message.last_update_id, message.bids.data(), message.bids.size(),
                               message.asks.data(), message.asks.size())) {
        top_changed_ = true;
        after_book_change();
      }
      break;
    case MessageKind::book_ticker:
      ++counters_.book_tickers;
      on_book_ticker();
      break;
    case MessageKind::trade:
      ++counters_.trades;
      break;
    case MessageKind::partial_depth:
      ++counters_.partial_depth;
      break;
    case MessageKind::other:
      ++counters_.other;
      break;
  }
  return true;
}

void BinanceBookFeed::after_book_change() {
  if (sync_.book().crossed()) ++counters_.crossed;
}

void BinanceBookFeed::on_book_ticker() {
  const DecodedMessage& message = last();
  const TickerSeen ticker{message.last_update_id, message.bid_price, message.bid_qty, message.ask_price,
                          message.ask_qty};
  recent_[recent_count_++ % kRecentTickers] = ticker;
  if (sync_.state() != SyncState::needs_snapshot && ticker.update_id == sync_.book_update_id()) compare_bbo(ticker);
}

void BinanceBookFeed::check_recent_tickers() {
  // Tickers carry increasing u: scan back from the newest while they are ahead of the book.
  const int64_t book_id = sync_.book_update_id();
  const std::size_t available = recent_count_ < kRecentTickers ? recent_count_ : kRecentTickers;
  for (std::size_t back = 1; back <= available; ++back) {
    const TickerSeen& ticker = recent_[(recent_count_ - back) % kRecentTickers];
    if (ticker.update_id > book_id) continue;
    if (ticker.update_id == book_id) compare_bbo(ticker);
    break;
  }
}

void BinanceBookFeed::compare_bbo(const TickerSeen& ticker) {
  ++counters_.bbo_checks;
  const L2Book& book = sync_.book();
  const BboMismatch seen{ticker.update_id,
                         book.best_price(Side::bid), book.best_qty(Side::bid),
                         book.best_price(Side::ask), book.best_qty(Side::ask),
                         ticker.bid_price, ticker.bid_qty, ticker.ask_price, ticker.ask_qty};
  const bool equal = seen.book_bid_price == seen.ticker_bid_price && seen.book_bid_qty == seen.ticker_bid_qty &&
                     seen.book_ask_price == seen.ticker_ask_price && seen.book_ask_qty == seen.ticker_ask_qty;
  if (!equal) {
    if (counters_.bbo_mismatches == 0) first_mismatch_ = seen;
    ++counters_.bbo_mismatches;
  }
}

}  // namespace veloz
