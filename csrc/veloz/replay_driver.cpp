#include "veloz/replay_driver.hpp"

#include <algorithm>
#include <stdexcept>

#include "veloz/contract_value.hpp"

namespace veloz {

namespace {

// A trades-only replay has no book: one is kept at a one-tick spread around the last trade, deep
// enough that a market order fills at the touch (docs/backtest.md, "data tiers").
constexpr int64_t kSyntheticQty = int64_t{1} << 40;

int64_t floor_mod(int64_t a, int64_t b) noexcept {
  const int64_t r = a % b;
  return r < 0 ? r + b : r;
}

Side book_side(int8_t side) noexcept { return side > 0 ? Side::bid : Side::ask; }

// value_e8 x price: what a base amount is worth in the quote asset, rounded once.
int64_t base_value_e8(const InstrumentSpec& spec, int64_t base_e8, int64_t price_ticks) {
  const int128 num = checked_mul(checked_mul(base_e8, price_ticks), spec.price_grid.step_units);
  return round_half_even(ExactAmount{num, pow10_checked(spec.price_grid.scale)});
}

}  // namespace

ReplayDriver::ReplayDriver(const ReplayConfig& config, const std::vector<ReplayInstrument>& instruments)
    : config_(config), oms_(config.client_id_prefix) {
  if (instruments.empty()) throw std::invalid_argument("a replay needs at least one instrument");
  if (config.market == BookMarket::spot) {
    spot_ = std::make_unique<SpotAccount>();
    spot_->add_asset(config.account_asset);
    if (config.deposit_e8 > 0) spot_->deposit(spot_->find_asset(config.account_asset), config.deposit_e8);
  } else {
    futures_ = std::make_unique<FuturesAccount>(config.market,
                                                config.hedge_mode ? PositionMode::hedge : PositionMode::one_way);
    if (config.deposit_e8 > 0) futures_->deposit(config.deposit_e8);
  }
  for (auto& levels : snapshot_levels_) levels.reserve(1024);
  stale_levels_.reserve(1024);
  instruments_.resize(instruments.size());
  VenueConfig venue = config.venue;
  venue.hedge_mode = config.hedge_mode;
  for (uint32_t i = 0; i < instruments.size(); ++i) {
    const ReplayInstrument& source = instruments[i];
    if (source.spec.market != config.market) throw std::invalid_argument("every instrument must be of the run's market");
    InstrumentState& inst = instruments_[i];
    inst.spec = source.spec;
    inst.base_asset = source.base_asset;
    venue.seed = config.venue.seed + i;  // independent latency draws per instrument, still seeded
    inst.venue = std::make_unique<MatchingEngine>(source.spec, venue, config.window_bits);
    if (spot_) {
      spot_->add_instrument(i, source.spec, source.base_asset, config.account_asset);
    } else {
      futures_->add_instrument(i, source.spec, source.risk);
    }
    inst.execution = std::make_unique<SimExecution>(oms_, *inst.venue, i, futures_.get(), spot_.get());
    inst.execution->set_margin_check(config.check_margin);
  }
}

uint32_t ReplayDriver::add_stream(uint32_t instrument, StreamKind kind) {
  InstrumentState& inst = state(instrument);
  if (kind == StreamKind::depth) inst.has_depth = true;
  if (kind == StreamKind::book_ticker) inst.has_ticker = true;
  if (kind == StreamKind::mark_price) inst.has_mark = true;
  Stream stream{};
  stream.kind = kind;
  stream.instrument = instrument;
  streams_.push_back(stream);
  return static_cast<uint32_t>(streams_.size() - 1);
}

void ReplayDriver::set_bar_interval(uint32_t instrument, int64_t interval_ns) {
  if (interval_ns <= 0) throw std::invalid_argument("a bar interval must be positive");
  InstrumentState& inst = state(instrument);
  if (inst.bars.enabled() && inst.bars.interval() != interval_ns) {
    throw std::invalid_argument("one bar interval per instrument");
  }
  inst.bars.set_interval(interval_ns);
  inst.subscriptions |= kSubBars;
}

void ReplayDriver::set_chunk(uint32_t stream, const StreamChunk& chunk) {
  Stream& s = streams_.at(stream);
  if (s.ended) throw std::invalid_argument("the stream has ended");
  if (chunk.size > 0 && (chunk.ts == nullptr || chunk.local_ts == nullptr)) {
    throw std::invalid_argument("a chunk needs ts and local_ts columns");
  }
  s.chunk = chunk;
  s.pos = 0;
}

void ReplayDriver::end_stream(uint32_t stream) {
  Stream& s = streams_.at(stream);
  s.ended = true;
  s.chunk = StreamChunk{};
  s.pos = 0;
}

int64_t ReplayDriver::start_ns() const noexcept {
  int64_t start = INT64_MAX;
  for (const Stream& s : streams_) {
    if (s.pos < s.chunk.size) {
      start = std::min(start, s.chunk.ts[s.pos]);
    } else if (!s.ended) {
      return INT64_MIN;  // its next rows may come first
    }
  }
  return start == INT64_MAX ? INT64_MIN : start;
}

bool ReplayDriver::row_before(const Stream& a, const Stream& b) const noexcept {
  const int64_t ta = a.chunk.ts[a.pos], tb = b.chunk.ts[b.pos];
  if (ta != tb) return ta < tb;
  const int64_t la = a.chunk.local_ts[a.pos], lb = b.chunk.local_ts[b.pos];
  if (la != lb) return la < lb;
  const int64_t sa = a.chunk.seq ? a.chunk.seq[a.pos] : 0, sb = b.chunk.seq ? b.chunk.seq[b.pos] : 0;
  return sa < sb;  // equal keys: the earlier stream (strict: the caller keeps the first found)
}

ReplayEventKind ReplayDriver::next(ReplayEvent& out, uint64_t budget) {
  uint64_t rows = 0;
  for (;;) {
    // The next data row over every stream; a used-up chunk must be refilled first.
    Stream* best = nullptr;
    uint32_t best_index = 0;
    for (uint32_t s = 0; s < streams_.size(); ++s) {
      Stream& stream = streams_[s];
      if (stream.pos >= stream.chunk.size) {
        if (stream.ended) continue;
        out.kind = ReplayEventKind::need_data;
        out.stream = s;
        return out.kind;
      }
      if (best == nullptr || row_before(stream, *best)) {
        best = &stream;
        best_index = s;
      }
    }
    const int64_t t_data = best != nullptr ? best->chunk.ts[best->pos] : INT64_MAX;

    // A depth message's rows apply together; its top-of-book check follows its last row.
    bool continues_message = false;
    if (dirty_instrument_ >= 0) {
      continues_message = best != nullptr && best_index == dirty_stream_ && t_data == dirty_key_[0] &&
                          best->chunk.local_ts[best->pos] == dirty_key_[1] &&
                          (best->chunk.seq ? best->chunk.seq[best->pos] : 0) == dirty_key_[2];
      if (!continues_message) {
        const uint32_t i = static_cast<uint32_t>(dirty_instrument_);
        dirty_instrument_ = -1;
        if (snapshot_pending_) finish_snapshot();
        InstrumentState& inst = instruments_[i];
        if (top_changed(inst) && (inst.subscriptions & kSubBook) != 0) {
          fill_book_event(i, out);
          ++counters_.python_events;
          return out.kind;
        }
      }
    }

    if (!continues_message) {
      // Events of our own making: commands reaching a venue, reports, bar closes, timers. After the
      // last data row, only those up to the last data time happen.
      const int64_t horizon = best != nullptr ? t_data : now_ns_;
      int64_t t_cmd = INT64_MAX, t_rep = INT64_MAX, t_bar = INT64_MAX;
      uint32_t i_cmd = 0, i_rep = 0, i_bar = 0;
      for (uint32_t i = 0; i < instruments_.size(); ++i) {
        const InstrumentState& inst = instruments_[i];
        const int64_t c = inst.venue->next_command_ns(), r = inst.venue->next_report_ns(), b = inst.bars.due_ns();
        if (c < t_cmd) { t_cmd = c; i_cmd = i; }
        if (r < t_rep) { t_rep = r; i_rep = i; }
        if (b < t_bar) { t_bar = b; i_bar = i; }
      }
      const int64_t t_timer = timers_.next_due();
      // The venue acts on a command arriving at the data row's time only after that row.
      if (t_cmd < t_data && t_cmd <= horizon && t_cmd <= t_rep && t_cmd <= t_bar && t_cmd <= t_timer) {
        now_ns_ = std::max(now_ns_, t_cmd);
        instruments_[i_cmd].venue->advance_to(t_cmd);
        continue;
      }
      if (t_rep <= horizon && t_rep <= t_bar && t_rep <= t_timer) {
        now_ns_ = std::max(now_ns_, t_rep);
        if (deliver_report(i_rep, t_rep, out)) {
          ++counters_.python_events;
          return out.kind;
        }
        continue;
      }
      if (t_bar <= horizon && t_bar <= t_timer) {
        now_ns_ = std::max(now_ns_, t_bar);
        InstrumentState& inst = instruments_[i_bar];
        const Bar bar = inst.bars.close();
        out.kind = ReplayEventKind::bar;
        out.instrument = i_bar;
        out.ts = t_bar;
        out.v[0] = bar.open;
        out.v[1] = bar.high;
        out.v[2] = bar.low;
        out.v[3] = bar.close;
        out.v[4] = bar.volume;
        out.v[5] = bar.trades;
        out.v[6] = bar.open_ts;
        out.v[7] = inst.bars.interval();
        ++counters_.python_events;
        return out.kind;
      }
      if (t_timer <= horizon && t_timer != INT64_MAX) {
        int64_t due = 0;
        out.id = static_cast<int64_t>(timers_.pop(due));
        now_ns_ = std::max(now_ns_, due);
        out.kind = ReplayEventKind::timer;
        out.ts = due;
        ++counters_.python_events;
        return out.kind;
      }
    }

    if (best == nullptr) {
      out.kind = ReplayEventKind::end;
      return out.kind;
    }
    if (rows == budget) {
      out.kind = ReplayEventKind::paused;
      return out.kind;
    }
    ++rows;
    if (t_data > now_ns_) {
      if (config_.sample_interval_ns > 0 && t_data >= next_sample_ns_) {
        const int64_t boundary = t_data - floor_mod(t_data, config_.sample_interval_ns);
        sample(std::max(boundary, now_ns_));
        next_sample_ns_ = boundary + config_.sample_interval_ns;
      }
      now_ns_ = t_data;
    }
    bool emit = false;
    apply_row(*best, out, emit);
    if (best->kind == StreamKind::depth) {
      dirty_instrument_ = best->instrument;
      dirty_stream_ = best_index;
      dirty_key_[0] = t_data;
      dirty_key_[1] = best->chunk.local_ts[best->pos];
      dirty_key_[2] = best->chunk.seq ? best->chunk.seq[best->pos] : 0;
    }
    ++best->pos;
    ++counters_.data_events;
    if (emit) {
      out.stream = best_index;
      ++counters_.python_events;
      return out.kind;
    }
  }
}

void ReplayDriver::apply_row(Stream& stream, ReplayEvent& out, bool& emit) {
  const StreamChunk& c = stream.chunk;
  const std::size_t i = stream.pos;
  const uint32_t id = stream.instrument;
  InstrumentState& inst = instruments_[id];
  const int64_t ts = c.ts[i];
  const int64_t v0 = c.v0 ? c.v0[i] : 0, v1 = c.v1 ? c.v1[i] : 0;
  switch (stream.kind) {
    case StreamKind::trades: {
      const int8_t side = c.side ? c.side[i] : 0;
      apply_trade(inst, ts, v0, v1, side);
      if ((inst.subscriptions & kSubTrades) != 0) {
        emit = true;
        out.kind = ReplayEventKind::trade;
        out.instrument = id;
        out.ts = ts;
        out.id = c.seq ? c.seq[i] : 0;
        out.v[0] = v0;
        out.v[1] = v1;
        out.side = side;
      }
      break;
    }
    case StreamKind::depth: {
      const bool snapshot = c.kind != nullptr && c.kind[i] == 2;
      const int64_t seq = c.seq ? c.seq[i] : 0;
      const int8_t side = c.side ? c.side[i] : 0;
      if (snapshot) {
        // The rows of one snapshot share its times and update id. A row of another snapshot
        // starts a new one (sources without ids, like Tardis, still separate by time): forget
        // what the last one stated.
        const int64_t local = c.local_ts[i];
        const bool same = stream.in_snapshot && seq == stream.snapshot_key[2] && ts == stream.snapshot_key[0] &&
                          local == stream.snapshot_key[1];
        if (!same) {
          for (auto& levels : snapshot_levels_) levels.clear();
        }
        snapshot_levels_[static_cast<std::size_t>(book_side(side))].push_back(v0);
        snapshot_pending_ = true;
        snapshot_instrument_ = id;
        snapshot_ts_ = ts;
        stream.snapshot_key[0] = ts;
        stream.snapshot_key[1] = local;
        stream.snapshot_key[2] = seq;
      }
      stream.in_snapshot = snapshot;
      inst.venue->on_level(book_side(side), v0, v1, ts);
      if ((inst.subscriptions & kSubDepth) != 0) {
        emit = true;
        out.kind = ReplayEventKind::depth;
        out.instrument = id;
        out.ts = ts;
        out.id = c.seq ? c.seq[i] : 0;
        out.v[0] = v0;
        out.v[1] = v1;
        out.side = side;
        out.flag = snapshot;
      }
      break;
    }
    case StreamKind::book_ticker: {
      if (inst.has_depth) break;  // the depth stream is the book; tickers would fight it
      apply_ticker(inst, c, i, ts);
      if (top_changed(inst) && (inst.subscriptions & kSubBook) != 0) {
        emit = true;
        fill_book_event(id, out);
      }
      break;
    }
    case StreamKind::mark_price: {
      if (v0 <= 0) break;
      inst.venue->on_mark_price(v0, ts);
      inst.mark_px = v0;
      if (futures_) futures_->set_mark_price(id, v0);
      if ((inst.subscriptions & kSubMarkPrice) != 0) {
        emit = true;
        out.kind = ReplayEventKind::mark_price;
        out.instrument = id;
        out.ts = ts;
        out.v[0] = v0;
        out.v[1] = v1;
        out.v[2] = c.v2 ? c.v2[i] : 0;
        out.v[3] = c.v3 ? c.v3[i] : 0;
      }
      break;
    }
    case StreamKind::funding: {
      if (!futures_) break;  // spot has no funding
      const int64_t mark = v1 > 0 ? v1 : (inst.mark_px > 0 ? inst.mark_px : mid_or_last(inst));
      int64_t payment = 0;
      if (mark <= 0) {
        ++counters_.funding_skipped;
        break;
      }
      try {
        payment = futures_->apply_funding(id, mark, v0, ts);
      } catch (const std::invalid_argument&) {
        ++counters_.funding_skipped;  // a repeated funding time: paid once
        break;
      }
      if ((inst.subscriptions & kSubFunding) != 0) {
        emit = true;
        out.kind = ReplayEventKind::funding;
        out.instrument = id;
        out.ts = ts;
        out.v[0] = v0;
        out.v[1] = payment;
        out.v[2] = mark;
      }
      break;
    }
  }
}

void ReplayDriver::finish_snapshot() {
  snapshot_pending_ = false;
  MatchingEngine& venue = *instruments_[snapshot_instrument_].venue;
  for (Side side : {Side::bid, Side::ask}) {
    std::vector<int64_t>& stated = snapshot_levels_[static_cast<std::size_t>(side)];
    std::sort(stated.begin(), stated.end());
    stale_levels_.clear();
    const L2Book& book = venue.book();
    for (int64_t price = book.best_price(side); price != kNoPrice; price = book.next_level(side, price)) {
      if (!std::binary_search(stated.begin(), stated.end(), price)) stale_levels_.push_back(price);
    }
    for (int64_t price : stale_levels_) venue.on_level(side, price, 0, snapshot_ts_);
  }
}

void ReplayDriver::apply_trade(InstrumentState& inst, int64_t ts, int64_t price, int64_t qty, int8_t side) {
  if (inst.bars.enabled()) inst.bars.on_trade(ts, price, qty);
  // Trades only: the book is where the trade says it is before the venue sees the trade, so that
  // an order the trade triggers meets that book, not the last trade's.
  if (!inst.has_depth && !inst.has_ticker) set_synthetic_book(inst, price, side, ts);
  inst.venue->on_trade(price, qty, side >= 0 ? OrderSide::buy : OrderSide::sell, ts);
}

void ReplayDriver::set_synthetic_book(InstrumentState& inst, int64_t price, int8_t side, int64_t ts) {
  // A buyer took the ask at `price`, a seller hit the bid there.
  const int64_t bid = side > 0 ? price - 1 : price, ask = side > 0 ? price : price + 1;
  if (inst.synthetic[0] == bid && inst.synthetic[1] == ask) return;
  if (inst.synthetic[0] != 0) inst.venue->on_level(Side::bid, inst.synthetic[0], 0, ts);
  if (inst.synthetic[1] != 0) inst.venue->on_level(Side::ask, inst.synthetic[1], 0, ts);
  if (bid > 0) inst.venue->on_level(Side::bid, bid, kSyntheticQty, ts);
  inst.venue->on_level(Side::ask, ask, kSyntheticQty, ts);
  inst.synthetic[0] = bid > 0 ? bid : 0;
  inst.synthetic[1] = ask;
  // Let the top-of-book check run after this row, as after a depth message.
  const auto index = static_cast<int64_t>(&inst - instruments_.data());
  dirty_instrument_ = index;
  dirty_stream_ = UINT32_MAX;  // no later row continues it
}

void ReplayDriver::apply_ticker(InstrumentState& inst, const StreamChunk& c, std::size_t i, int64_t ts) {
  const int64_t bid = c.v0 ? c.v0[i] : 0, bid_qty = c.v1 ? c.v1[i] : 0;
  const int64_t ask = c.v2 ? c.v2[i] : 0, ask_qty = c.v3 ? c.v3[i] : 0;
  // Old levels go first so the book never crosses in between.
  if (inst.ticker_levels[0] != 0 && inst.ticker_levels[0] != bid) inst.venue->on_level(Side::bid, inst.ticker_levels[0], 0, ts);
  if (inst.ticker_levels[1] != 0 && inst.ticker_levels[1] != ask) inst.venue->on_level(Side::ask, inst.ticker_levels[1], 0, ts);
  if (bid > 0) inst.venue->on_level(Side::bid, bid, bid_qty, ts);
  if (ask > 0) inst.venue->on_level(Side::ask, ask, ask_qty, ts);
  inst.ticker_levels[0] = bid > 0 && bid_qty > 0 ? bid : 0;
  inst.ticker_levels[1] = ask > 0 && ask_qty > 0 ? ask : 0;
}

bool ReplayDriver::top_changed(InstrumentState& inst) noexcept {
  const L2Book& book = inst.venue->book();
  const int64_t bid = book.best_price(Side::bid), ask = book.best_price(Side::ask);
  const int64_t now[4] = {bid == kNoPrice ? 0 : bid, bid == kNoPrice ? 0 : book.best_qty(Side::bid),
                          ask == kNoPrice ? 0 : ask, ask == kNoPrice ? 0 : book.best_qty(Side::ask)};
  if (now[0] == inst.top[0] && now[1] == inst.top[1] && now[2] == inst.top[2] && now[3] == inst.top[3]) return false;
  std::copy(now, now + 4, inst.top);
  ++counters_.book_changes;
  return true;
}

void ReplayDriver::fill_book_event(uint32_t instrument, ReplayEvent& out) const {
  const InstrumentState& inst = instruments_[instrument];
  out.kind = ReplayEventKind::book;
  out.instrument = instrument;
  out.ts = now_ns_;
  std::copy(inst.top, inst.top + 4, out.v);
}

bool ReplayDriver::deliver_report(uint32_t instrument, int64_t ts, ReplayEvent& out) {
  InstrumentState& inst = instruments_[instrument];
  if (!inst.execution->deliver_one(ts, out.report)) return false;
  ++counters_.reports;
  out.flag = out.report.kind == ReportKind::fill && inst.execution->last_fill_applied();
  if (out.flag) record_fill(instrument, out.report);
  forget_if_finished(out.report.order_id);
  if (!report_events_) return false;
  out.kind = ReplayEventKind::report;
  out.instrument = instrument;
  out.ts = ts;
  return true;
}

void ReplayDriver::forget_if_finished(uint64_t order_id) {
  const Order* order = oms_.find(order_id);
  if (order == nullptr || !is_terminal(order->status)) return;
  auto it = std::find(open_orders_.begin(), open_orders_.end(), order_id);
  if (it != open_orders_.end()) open_orders_.erase(it);
}

void ReplayDriver::record_fill(uint32_t instrument, const ExecReport& report) {
  InstrumentState& inst = instruments_[instrument];
  const Order* order = oms_.find(report.order_id);
  FillRecord record{};
  record.ts = report.deliver_ts;
  record.order_id = static_cast<int64_t>(report.order_id);
  record.instrument = instrument;
  record.side = static_cast<int64_t>(order->side);
  record.px = report.price;
  record.qty = report.qty;
  record.fee_e8 = report.fee;
  record.fee_asset = static_cast<int64_t>(report.fee_asset);
  record.is_maker = report.is_maker ? 1 : 0;
  record.trade_id = report.trade_id;
  record.decision_mid2 = report.order_id - 1 < decision_mid2_.size() ? decision_mid2_[report.order_id - 1] : 0;
  if (futures_) {
    record.realized_e8 = inst.execution->last_fill_realized_e8();
    if (config_.hedge_mode) {
      record.position_after = futures_->position(instrument, PositionSide::long_side).qty +
                              futures_->position(instrument, PositionSide::short_side).qty;
    } else {
      record.position_after = futures_->position(instrument, PositionSide::both).qty;
    }
  } else {
    // Spot: average cost of the holdings, so a sale realizes price minus that cost.
    const int64_t value = linear_notional_e8(inst.spec, report.price, report.qty);
    if (order->side == OrderSide::buy) {
      inst.spot_qty += report.qty;
      inst.spot_cost_e8 += value;
    } else {
      const int64_t sold = std::min(report.qty, inst.spot_qty);
      const int64_t cost =
          inst.spot_qty > 0 ? round_half_even(ExactAmount{checked_mul(inst.spot_cost_e8, sold), inst.spot_qty}) : 0;
      record.realized_e8 = linear_notional_e8(inst.spec, report.price, sold) - cost;
      inst.spot_realized_e8 += record.realized_e8;
      inst.spot_qty -= sold;
      inst.spot_cost_e8 -= cost;
    }
    const int64_t fee_quote =
        report.fee_asset == FeeAsset::base ? base_value_e8(inst.spec, report.fee, report.price) : report.fee;
    spot_fees_e8_ += fee_quote;
    record.position_after = inst.spot_qty;
  }
  fills_.push_back(record);
  ++counters_.fills;
  sample(record.ts);
}

int64_t ReplayDriver::spot_unrealized_e8(const InstrumentState& inst, int64_t price) const noexcept {
  if (inst.spot_qty <= 0 || price <= 0) return 0;
  return linear_notional_e8(inst.spec, price, inst.spot_qty) - inst.spot_cost_e8;
}

int64_t ReplayDriver::mid_or_last(const InstrumentState& inst) const noexcept {
  const L2Book& book = inst.venue->book();
  const int64_t bid = book.best_price(Side::bid), ask = book.best_price(Side::ask);
  if (bid != kNoPrice && ask != kNoPrice) return bid + (ask - bid) / 2;
  return inst.venue->last_trade_price();
}

void ReplayDriver::update_marks() {
  if (!futures_) return;
  for (uint32_t i = 0; i < instruments_.size(); ++i) {
    const InstrumentState& inst = instruments_[i];
    if (inst.has_mark) continue;
    const int64_t mark = mid_or_last(inst);
    if (mark > 0) futures_->set_mark_price(i, mark);
  }
}

EquitySample ReplayDriver::equity_now() {
  EquitySample s{};
  s.ts = now();
  if (futures_) {
    update_marks();
    const FuturesSummary summary = futures_->summary();
    s.equity_e8 = summary.margin_balance_e8;
    s.wallet_e8 = summary.wallet_balance_e8;
    s.unrealized_e8 = summary.unrealized_pnl_e8;
    s.realized_e8 = summary.realized_pnl_e8;
    s.fees_e8 = summary.fees_e8;
    s.funding_e8 = summary.funding_e8;
    snapshot_scratch_.clear();
    futures_->positions(snapshot_scratch_, false);
    for (const PositionSnapshot& p : snapshot_scratch_) s.gross_exposure_e8 += p.value_e8;
    return s;
  }
  const SpotBalance& cash = spot_->balance(spot_->find_asset(config_.account_asset));
  s.wallet_e8 = cash.free_e8 + cash.locked_e8;
  int64_t holdings_value = 0, unrealized = 0, realized = 0;
  for (uint32_t i = 0; i < instruments_.size(); ++i) {
    const InstrumentState& inst = instruments_[i];
    realized += inst.spot_realized_e8;
    const int64_t price = mid_or_last(inst);
    const SpotBalance& base = spot_->balance(spot_->find_asset(inst.base_asset));
    if (price > 0) holdings_value += base_value_e8(inst.spec, base.free_e8 + base.locked_e8, price);
    // PnL before fees, as realized: the position bought, not the base held after commissions paid
    // in it (those are in fees_e8). The same figure as the position sample's.
    unrealized += spot_unrealized_e8(inst, price);
  }
  s.equity_e8 = s.wallet_e8 + holdings_value;  // what the account really holds
  s.unrealized_e8 = unrealized;
  s.realized_e8 = realized;
  s.fees_e8 = spot_fees_e8_;
  s.gross_exposure_e8 = holdings_value;
  return s;
}

void ReplayDriver::sample(int64_t ts) {
  EquitySample s = equity_now();
  s.ts = ts;
  equity_.push_back(s);
  if (futures_) {
    snapshot_scratch_.clear();
    futures_->positions(snapshot_scratch_, true);
    for (const PositionSnapshot& p : snapshot_scratch_) {
      positions_.push_back(PositionSample{ts, p.instrument, p.position_side, p.qty, p.entry_price, p.mark_price,
                                          p.unrealized_pnl_e8, p.realized_pnl_e8});
    }
    return;
  }
  for (uint32_t i = 0; i < instruments_.size(); ++i) positions_.push_back(spot_position_now(i, ts));
}

PositionSample ReplayDriver::spot_position_now(uint32_t instrument, int64_t ts) const {
  const InstrumentState& inst = instruments_.at(instrument);
  const int64_t mark = mid_or_last(inst);
  int64_t entry = 0;
  if (inst.spot_qty > 0) {
    // average cost per lot, in ticks: cost / value of one lot at one tick
    const ExactAmount one = linear_value_exact(inst.spec, 1, 1);
    entry = round_half_even(ExactAmount{checked_mul(inst.spot_cost_e8, one.den), checked_mul(one.num, inst.spot_qty)});
  }
  return PositionSample{ts, instrument, 0, inst.spot_qty, entry, mark, spot_unrealized_e8(inst, mark),
                        inst.spot_realized_e8};
}

void ReplayDriver::finish() {
  if (dirty_instrument_ >= 0) {
    if (snapshot_pending_) finish_snapshot();
    top_changed(instruments_[static_cast<uint32_t>(dirty_instrument_)]);
    dirty_instrument_ = -1;
  }
  sample(now());
}

OmsResult ReplayDriver::submit(OrderRequest request, uint64_t& order_id) {
  const uint32_t instrument = request.instrument;
  InstrumentState& inst = state(instrument);
  request.ts_ns = now();
  update_marks();  // the margin check values positions at the current books, not the last sample's
  const OmsResult result = inst.execution->submit(request, order_id);
  if (order_id != 0) {
    if (decision_mid2_.size() < order_id) decision_mid2_.resize(order_id, 0);
    const L2Book& book = inst.venue->book();
    const int64_t bid = book.best_price(Side::bid), ask = book.best_price(Side::ask);
    decision_mid2_[order_id - 1] = bid != kNoPrice && ask != kNoPrice ? bid + ask : 0;
    const Order* order = oms_.find(order_id);
    if (order != nullptr && !is_terminal(order->status)) open_orders_.push_back(order_id);
  }
  return result;
}

OmsResult ReplayDriver::cancel(uint64_t order_id) {
  const Order* order = oms_.find(order_id);
  if (order == nullptr) return OmsResult::unknown_order;
  return instruments_.at(order->instrument).execution->cancel(order_id, now());
}

OmsResult ReplayDriver::amend(uint64_t order_id, int64_t price, int64_t qty) {
  const Order* order = oms_.find(order_id);
  if (order == nullptr) return OmsResult::unknown_order;
  return instruments_.at(order->instrument).execution->amend(order_id, price, qty, now());
}

}  // namespace veloz
