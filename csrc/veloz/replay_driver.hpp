// The tick-replay driver: merges the recorded streams of one or more instruments in a
// deterministic order, feeds each row to that instrument's simulated venue (book + matching),
// delivers the venue's reports to the OMS and the account, fires timers and bar closes, and stops
// only for events a strategy subscribed to. The caller (the Cython binding) loops:
//
//   while ((kind = driver.next(event, budget)) != end) { need_data -> set_chunk/end_stream;
//                                                         otherwise -> one Python callback }
//
// so Python is entered once per subscribed event and never for the rest.
//
// Order of events (docs/performance.md, "replay"): rows by (exchange time, receive time, sequence,
// stream index). At equal times: a command reaching the venue acts after the data row of that
// time (the venue's rule), then due reports, bar closes and timers come before the data row.
//
// Books: a depth message (rows sharing ts, receive time and update id) applies whole before the
// top-of-book check. A snapshot (kind 2 rows of one update id) is laid over the book and, when its
// message ends, the levels it did not state are removed, so a level it restates keeps the queue
// places of resting orders. Ticker-only: the last ticker's two levels. Trades only: a one-tick
// book around each trade, moved before the venue sees the trade.
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "veloz/bar_builder.hpp"
#include "veloz/futures_account.hpp"
#include "veloz/matching_engine.hpp"
#include "veloz/order_state_machine.hpp"
#include "veloz/replay_types.hpp"
#include "veloz/sim_execution.hpp"
#include "veloz/spot_account.hpp"
#include "veloz/timer_queue.hpp"

namespace veloz {

struct ReplayInstrument {
  InstrumentSpec spec;     // every instrument of a run is of the config's market
  FuturesRisk risk;        // futures only
  std::string base_asset;  // spot only; the quote asset is the config's account asset
};

struct ReplayConfig {
  BookMarket market = BookMarket::usdm;
  VenueConfig venue;
  bool hedge_mode = false;
  int64_t deposit_e8 = 0;
  std::string account_asset = "USDT";  // spot: the quote asset of every instrument
  int window_bits = 18;
  bool check_margin = true;  // futures: refuse orders the available margin cannot cover
  int64_t sample_interval_ns = 1'000'000'000;  // equity and position samples; 0: only at fills
  std::string client_id_prefix = "vz-";
};

class ReplayDriver {
 public:
  ReplayDriver(const ReplayConfig& config, const std::vector<ReplayInstrument>& instruments);

  // ---- setup
  uint32_t add_stream(uint32_t instrument, StreamKind kind);
  void subscribe(uint32_t instrument, uint32_t mask) { state(instrument).subscriptions |= mask; }
  void set_bar_interval(uint32_t instrument, int64_t interval_ns);
  // Whether venue reports are handed to the caller (a strategy with on_order / on_fill).
  void set_report_events(bool on) noexcept { report_events_ = on; }

  // ---- input
  void set_chunk(uint32_t stream, const StreamChunk& chunk);
  void end_stream(uint32_t stream);

  // ---- the loop: runs until an event for the caller; `budget` caps the data rows per call.
  ReplayEventKind next(ReplayEvent& out, uint64_t budget);
  // The closing equity and position sample (call once, after `end` or when stopping early).
  void finish();

  // ---- strategy commands, at the driver's clock
  OmsResult submit(OrderRequest request, uint64_t& order_id);
  OmsResult cancel(uint64_t order_id);
  OmsResult amend(uint64_t order_id, int64_t price, int64_t qty);
  uint64_t add_timer(int64_t due_ns, int64_t interval_ns) { return timers_.add(due_ns, interval_ns); }
  bool cancel_timer(uint64_t id) noexcept { return timers_.cancel(id); }

  // ---- state
  // The driver's clock: the time of the event being handled. Before the first row it reads the
  // time of the first row, once every stream has its first chunk (INT64_MIN until then), so that
  // timers and orders set up before the data (a strategy's on_start) count from its start.
  int64_t now() const noexcept { return now_ns_ != INT64_MIN ? now_ns_ : start_ns(); }
  std::size_t instrument_count() const noexcept { return instruments_.size(); }
  const MatchingEngine& venue(uint32_t instrument) const { return *instruments_.at(instrument).venue; }
  const OrderManager& oms() const noexcept { return oms_; }
  const FuturesAccount* futures() const noexcept { return futures_.get(); }
  const SpotAccount* spot() const noexcept { return spot_.get(); }
  EquitySample equity_now();  // the account valued now (updates marks from the books)
  // Spot: holdings in lots and the average cost of them (e8 of the quote asset).
  int64_t spot_position(uint32_t instrument) const { return instruments_.at(instrument).spot_qty; }
  int64_t spot_cost_e8(uint32_t instrument) const { return instruments_.at(instrument).spot_cost_e8; }
  int64_t spot_realized_e8(uint32_t instrument) const { return instruments_.at(instrument).spot_realized_e8; }
  // Spot: the position as the samples record it (lots bought minus sold, average entry, PnL at the mid).
  PositionSample spot_position_now(uint32_t instrument, int64_t ts) const;

  const std::vector<FillRecord>& fills() const noexcept { return fills_; }
  const std::vector<EquitySample>& equity() const noexcept { return equity_; }
  const std::vector<PositionSample>& positions() const noexcept { return positions_; }
  const std::vector<int64_t>& decision_mid2() const noexcept { return decision_mid2_; }
  // Orders not yet in a final state, in submission order.
  const std::vector<uint64_t>& open_orders() const noexcept { return open_orders_; }
  const ReplayCounters& counters() const noexcept { return counters_; }
  const SimExecutionCounters& execution_counters(uint32_t instrument) const {
    return instruments_.at(instrument).execution->counters();
  }

 private:
  struct Stream {
    StreamKind kind;
    uint32_t instrument;
    StreamChunk chunk;
    std::size_t pos = 0;
    bool ended = false;
    bool in_snapshot = false;            // depth: the last row was a snapshot row ...
    int64_t snapshot_key[3] = {0, 0, 0};  // ... with this ts, local_ts and update id
  };
  struct InstrumentState {
    InstrumentSpec spec;
    std::string base_asset;  // spot
    std::unique_ptr<MatchingEngine> venue;
    std::unique_ptr<SimExecution> execution;
    uint32_t subscriptions = 0;
    bool has_depth = false, has_ticker = false, has_mark = false;
    int64_t top[4] = {0, 0, 0, 0};       // last top of book seen: bid px, bid qty, ask px, ask qty
    int64_t synthetic[2] = {0, 0};       // trades-only book: the bid and ask prices set
    int64_t ticker_levels[2] = {0, 0};   // ticker-only book: the bid and ask prices set
    int64_t mark_px = 0;                 // last mark (stream or funding row)
    BarBuilder bars;
    int64_t spot_qty = 0, spot_cost_e8 = 0, spot_realized_e8 = 0;  // spot average-cost basis
  };

  InstrumentState& state(uint32_t instrument) { return instruments_.at(instrument); }
  int64_t start_ns() const noexcept;  // the earliest row waiting, or INT64_MIN if a stream has none yet
  bool row_before(const Stream& a, const Stream& b) const noexcept;
  void apply_row(Stream& stream, ReplayEvent& out, bool& emit);
  void apply_trade(InstrumentState& inst, int64_t ts, int64_t price, int64_t qty, int8_t side);
  void set_synthetic_book(InstrumentState& inst, int64_t price, int8_t side, int64_t ts);
  void apply_ticker(InstrumentState& inst, const StreamChunk& c, std::size_t i, int64_t ts);
  bool top_changed(InstrumentState& inst) noexcept;
  void finish_snapshot();  // removes the levels the snapshot being loaded did not state
  void fill_book_event(uint32_t instrument, ReplayEvent& out) const;
  bool deliver_report(uint32_t instrument, int64_t ts, ReplayEvent& out);
  void record_fill(uint32_t instrument, const ExecReport& report);
  void forget_if_finished(uint64_t order_id);
  int64_t mid_or_last(const InstrumentState& inst) const noexcept;  // ticks, 0 when unknown
  // Spot: the holdings (lots bought less lots sold) at `price` less their average cost; 0 when
  // flat or the price is unknown.
  int64_t spot_unrealized_e8(const InstrumentState& inst, int64_t price) const noexcept;
  void update_marks();
  void sample(int64_t ts);

  ReplayConfig config_;
  OrderManager oms_;
  std::unique_ptr<FuturesAccount> futures_;
  std::unique_ptr<SpotAccount> spot_;
  std::vector<InstrumentState> instruments_;
  std::vector<Stream> streams_;
  TimerQueue timers_;
  bool report_events_ = false;
  int64_t now_ns_ = INT64_MIN;
  int64_t next_sample_ns_ = INT64_MIN;
  // A depth message in progress: its top-of-book check waits until the message's last row.
  int64_t dirty_instrument_ = -1;
  uint32_t dirty_stream_ = 0;
  int64_t dirty_key_[3] = {0, 0, 0};
  // A snapshot is laid over the book, and the levels it did not state are removed when its message
  // ends: a level it restates never goes through 0, so resting orders keep their queue places.
  bool snapshot_pending_ = false;
  uint32_t snapshot_instrument_ = 0;
  int64_t snapshot_ts_ = 0;
  std::vector<int64_t> snapshot_levels_[2];  // prices the snapshot stated, by Side
  std::vector<int64_t> stale_levels_;
  std::vector<FillRecord> fills_;
  std::vector<EquitySample> equity_;
  std::vector<PositionSample> positions_;
  std::vector<int64_t> decision_mid2_;  // by order id - 1
  std::vector<uint64_t> open_orders_;
  std::vector<PositionSnapshot> snapshot_scratch_;
  int64_t spot_fees_e8_ = 0;  // spot commissions so far, valued in the quote asset at fill prices
  ReplayCounters counters_;
};

}  // namespace veloz
