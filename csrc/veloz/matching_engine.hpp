// The simulated venue for one instrument: the same matching for backtests, paper trading and the
// local Binance simulator. It owns an L2 book fed with real market data, works our orders against
// it (walking levels, queue position for resting orders, stops and take-profits, reduce-only,
// IOC/FOK/GTX), charges maker/taker fees, and delays commands and reports by a latency model so a
// strategy never reacts to data it could not yet have seen. Rules: docs/matching.md.
#pragma once
#include <cstddef>
#include <cstdint>
#include <unordered_map>
#include <vector>

#include "veloz/exec_report.hpp"
#include "veloz/instrument_spec.hpp"
#include "veloz/l2_book.hpp"
#include "veloz/latency_model.hpp"
#include "veloz/order_types.hpp"
#include "veloz/queue_model.hpp"

namespace veloz {

enum class EmptyBookPolicy : uint8_t {
  expire = 0,  // a market order meeting an empty side expires unfilled (Binance's behaviour)
  reject = 1,  // it is rejected instead (no_liquidity)
};

struct VenueConfig {
  LatencyConfig order_latency;   // strategy -> venue: submit, cancel, amend
  LatencyConfig report_latency;  // venue -> strategy: every ExecReport
  QueueModelConfig queue;
  EmptyBookPolicy empty_book = EmptyBookPolicy::expire;
  bool hedge_mode = false;  // futures: LONG/SHORT positions instead of one net position
  uint64_t seed = 1;        // latency draws
};

// An order as the venue receives it (the OMS's OrderRequest is what a strategy asks for).
struct VenueOrderRequest {
  uint64_t order_id = 0;  // unique per run, chosen by the caller (the OMS)
  OrderSide side = OrderSide::buy;
  OrderType type = OrderType::limit;
  TimeInForce tif = TimeInForce::gtc;
  PositionSide position_side = PositionSide::both;
  bool reduce_only = false;
  TriggerSource trigger = TriggerSource::last_trade;
  int64_t price = 0;       // ticks; limit price for limit, stop_limit, take_profit
  int64_t stop_price = 0;  // ticks; trigger price for the four conditional types
  int64_t qty = 0;         // lots
};

// Errors found on the strategy side, before anything is sent: nothing changes.
enum class CommandStatus : uint8_t {
  ok = 0,
  invalid_quantity,
  invalid_price,
  invalid_stop_price,
  duplicate_order_id,
  unknown_order,
  invalid_combination,  // e.g. GTX on a market order, reduce-only in hedge mode, wrong position side
  time_went_backwards,
};

const char* describe(CommandStatus status) noexcept;

struct SimOrder {
  VenueOrderRequest request;
  OrderStatus status = OrderStatus::new_order;
  int64_t price = 0;  // current limit price (amend may change it)
  int64_t qty = 0;    // current order quantity (amend may change it)
  int64_t filled = 0;
  int64_t queue_ahead = 0;      // lots displayed ahead of us at our price
  int64_t level_qty = 0;        // displayed quantity at our price when we last looked
  int64_t traded_at_level = 0;  // trades at our price since the level last changed
  bool working = false;         // arrived at the venue and not terminal
  bool resting = false;         // on the book as a limit order
  bool triggered = false;
  int64_t leaves() const noexcept { return qty - filled; }
};

struct EngineCounters {
  uint64_t commands = 0;
  uint64_t fills = 0;
  uint64_t maker_fills = 0;
  uint64_t taker_fills = 0;
  uint64_t reports = 0;
};

class MatchingEngine {
 public:
  MatchingEngine(const InstrumentSpec& spec, const VenueConfig& config, int window_bits = 18);

  // Strategy side (strategy clock `sent_ns`).
  CommandStatus submit(const VenueOrderRequest& request, int64_t sent_ns);
  CommandStatus cancel(uint64_t order_id, int64_t sent_ns);
  CommandStatus amend(uint64_t order_id, int64_t new_price, int64_t new_qty, int64_t sent_ns);

  // Venue side (venue clock). Commands that reached the venue strictly before `ts` act first.
  void on_level(Side side, int64_t price, int64_t qty, int64_t ts);
  void on_trade(int64_t price, int64_t qty, OrderSide aggressor, int64_t ts);
  void on_mark_price(int64_t price, int64_t ts);
  // Processes every command that reached the venue at or before `ts`.
  void advance_to(int64_t ts);

  // Reports the strategy may see by `up_to_ns`, oldest first; returns how many were copied.
  std::size_t drain_reports(int64_t up_to_ns, ExecReport* out, std::size_t max);
  std::size_t pending_reports() const noexcept { return reports_.size() - report_head_; }
  // How many reports drain_reports(up_to_ns, ...) would return (reports are in delivery order).
  std::size_t deliverable_reports(int64_t up_to_ns) const noexcept {
    std::size_t i = report_head_;
    while (i < reports_.size() && reports_[i].deliver_ts <= up_to_ns) ++i;
    return i - report_head_;
  }

  // When the next pending command reaches the venue, and when the next report may be delivered
  // (INT64_MAX when none): the replay driver schedules both between market-data events.
  int64_t next_command_ns() const noexcept {
    return command_head_ < commands_.size() ? commands_[command_head_].arrival_ns : INT64_MAX;
  }
  int64_t next_report_ns() const noexcept {
    return report_head_ < reports_.size() ? reports_[report_head_].deliver_ts : INT64_MAX;
  }
  // Removes every displayed level (a snapshot follows), through on_level so resting orders see it.
  void clear_book(int64_t ts);

  const L2Book& book() const noexcept { return book_; }
  const SimOrder* find(uint64_t order_id) const noexcept;
  // Net position in lots (one-way), or LONG minus SHORT in hedge mode.
  int64_t position() const noexcept { return long_position_ - short_position_; }
  int64_t long_position() const noexcept { return long_position_; }
  int64_t short_position() const noexcept { return short_position_; }
  int64_t last_trade_price() const noexcept { return last_trade_price_; }
  int64_t last_sent_ns() const noexcept { return last_sent_ns_; }
  int64_t mark_price() const noexcept { return mark_price_; }
  const EngineCounters& counters() const noexcept { return counters_; }
  const InstrumentSpec& spec() const noexcept { return spec_; }

 private:
  enum class CommandKind : uint8_t { submit, cancel, amend };
  struct Command {
    CommandKind kind;
    uint64_t order_id;
    int64_t arrival_ns;
    int64_t new_price;
    int64_t new_qty;
  };

  SimOrder* find_mutable(uint64_t order_id) noexcept;
  void process_commands(int64_t ts, bool inclusive);
  void arrive(const Command& command);
  void arrive_submit(SimOrder& order, int64_t ts);
  void arrive_cancel(uint64_t order_id, int64_t ts);
  void arrive_amend(const Command& command, int64_t ts);
  void work(SimOrder& order, int64_t ts);  // take liquidity, then rest or expire
  bool would_take(const SimOrder& order) const noexcept;
  int64_t available_within(const SimOrder& order) const noexcept;
  void take_liquidity(SimOrder& order, int64_t ts);
  void rest(SimOrder& order);
  void fill(SimOrder& order, int64_t price, int64_t qty, bool maker, int64_t ts);
  void finish(SimOrder& order, OrderStatus status, ReportKind kind, RejectReason reason, int64_t ts);
  void report(const SimOrder& order, ReportKind kind, RejectReason reason, int64_t ts);
  void check_resting_crossed(int64_t ts);
  void check_triggers(TriggerSource source, int64_t price, int64_t ts);
  bool trigger_met(const SimOrder& order, int64_t price) const noexcept;
  void enforce_reduce_only(int64_t ts);
  int64_t reducible_qty(const SimOrder& order) const noexcept;
  int64_t fillable(const SimOrder& order) const noexcept;
  bool is_closing(const SimOrder& order) const noexcept;
  int64_t consumed_at(Side side, int64_t price) const noexcept;
  void add_consumed(Side side, int64_t price, int64_t qty);
  void clear_consumed(Side side, int64_t price) noexcept;
  int64_t fee_for(OrderSide side, int64_t price, int64_t qty, bool maker, FeeAsset& asset) const noexcept;

  InstrumentSpec spec_;
  VenueConfig config_;
  L2Book book_;
  LatencyModel order_latency_;
  LatencyModel report_latency_;
  std::vector<SimOrder> orders_;   // every order of the run, in submission order
  std::unordered_map<uint64_t, std::size_t> index_;  // order id -> position in orders_
  std::vector<std::size_t> live_;  // indices of orders working at the venue
  // Copies of live_ to iterate while fills change it: one per loop, since the loops nest
  // (a trade triggers a stop whose fill expires a reduce-only order). Reserved: no allocation.
  std::vector<std::size_t> trade_scan_, cross_scan_, trigger_scan_, reduce_scan_;
  std::vector<Command> commands_;  // in arrival order
  std::size_t command_head_ = 0;
  std::vector<ExecReport> reports_;  // in delivery order
  std::size_t report_head_ = 0;
  std::vector<Level> consumed_[2];  // our taker fills per displayed level, until it changes
  int64_t long_position_ = 0;
  int64_t short_position_ = 0;
  int64_t last_trade_price_ = 0;
  int64_t mark_price_ = 0;
  int64_t last_sent_ns_ = INT64_MIN;
  int64_t clock_ns_ = INT64_MIN;  // venue time of the last event processed
  int64_t next_trade_id_ = 1;
  EngineCounters counters_;
};

}  // namespace veloz
