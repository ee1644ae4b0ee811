#include "veloz/matching_engine.hpp"

#include <algorithm>

namespace veloz {

namespace {

bool is_conditional(OrderType type) noexcept {
  return type == OrderType::stop_market || type == OrderType::stop_limit || type == OrderType::take_profit ||
         type == OrderType::take_profit_market;
}

bool has_limit_price(OrderType type) noexcept {
  return type == OrderType::limit || type == OrderType::stop_limit || type == OrderType::take_profit;
}

// Market-like once working: market, and the triggered *_MARKET conditionals.
bool is_market_like(OrderType type) noexcept {
  return type == OrderType::market || type == OrderType::stop_market || type == OrderType::take_profit_market;
}

Side opposite_book(OrderSide side) noexcept { return side == OrderSide::buy ? Side::ask : Side::bid; }
Side own_book(OrderSide side) noexcept { return side == OrderSide::buy ? Side::bid : Side::ask; }

// Would a buy (sell) at `limit` trade against a level at `level`?
bool crosses(OrderSide side, int64_t limit, int64_t level) noexcept {
  return side == OrderSide::buy ? level <= limit : level >= limit;
}

}  // namespace

const char* describe(CommandStatus status) noexcept {
  switch (status) {
    case CommandStatus::ok: return "ok";
    case CommandStatus::invalid_quantity: return "quantity must be positive";
    case CommandStatus::invalid_price: return "this order type needs a positive limit price";
    case CommandStatus::invalid_stop_price: return "this order type needs a positive stop price";
    case CommandStatus::duplicate_order_id: return "order id already used in this run";
    case CommandStatus::unknown_order: return "unknown order id";
    case CommandStatus::invalid_combination: return "invalid combination of order parameters";
    case CommandStatus::time_went_backwards: return "command time is earlier than a previous command";
  }
  return "unknown";
}

MatchingEngine::MatchingEngine(const InstrumentSpec& spec, const VenueConfig& config, int window_bits)
    : spec_(spec),
      config_(config),
      book_(window_bits),
      order_latency_(config.order_latency, config.seed),
      report_latency_(config.report_latency, config.seed ^ 0xA5A5A5A5A5A5A5A5ULL) {
  orders_.reserve(1024);
  live_.reserve(256);
  commands_.reserve(1024);
  reports_.reserve(4096);
  index_.reserve(1024);
  for (auto& consumed : consumed_) consumed.reserve(64);
  for (auto* scan : {&trade_scan_, &cross_scan_, &trigger_scan_, &reduce_scan_}) scan->reserve(256);
}

// ---- strategy side ----------------------------------------------------------------------------

CommandStatus MatchingEngine::submit(const VenueOrderRequest& request, int64_t sent_ns) {
  if (sent_ns < last_sent_ns_) return CommandStatus::time_went_backwards;
  if (request.qty <= 0) return CommandStatus::invalid_quantity;
  if (has_limit_price(request.type) && request.price <= 0) return CommandStatus::invalid_price;
  if (is_conditional(request.type) && request.stop_price <= 0) return CommandStatus::invalid_stop_price;
  if (request.tif == TimeInForce::gtx && request.type != OrderType::limit) return CommandStatus::invalid_combination;
  const bool futures = spec_.market != BookMarket::spot;
  if (config_.hedge_mode && (request.reduce_only || request.position_side == PositionSide::both)) {
    return CommandStatus::invalid_combination;  // Binance: hedge mode needs LONG/SHORT, no reduceOnly
  }
  if (!config_.hedge_mode && request.position_side != PositionSide::both) return CommandStatus::invalid_combination;
  if (!futures && request.reduce_only) return CommandStatus::invalid_combination;
  if (index_.count(request.order_id) != 0) return CommandStatus::duplicate_order_id;

  SimOrder order;
  order.request = request;
  order.price = request.price;
  order.qty = request.qty;
  index_.emplace(request.order_id, orders_.size());
  orders_.push_back(order);
  commands_.push_back(Command{CommandKind::submit, request.order_id, order_latency_.arrival(sent_ns), 0, 0});
  last_sent_ns_ = sent_ns;
  ++counters_.commands;
  return CommandStatus::ok;
}

CommandStatus MatchingEngine::cancel(uint64_t order_id, int64_t sent_ns) {
  if (sent_ns < last_sent_ns_) return CommandStatus::time_went_backwards;
  if (index_.count(order_id) == 0) return CommandStatus::unknown_order;
  commands_.push_back(Command{CommandKind::cancel, order_id, order_latency_.arrival(sent_ns), 0, 0});
  last_sent_ns_ = sent_ns;
  ++counters_.commands;
  return CommandStatus::ok;
}

CommandStatus MatchingEngine::amend(uint64_t order_id, int64_t new_price, int64_t new_qty, int64_t sent_ns) {
  if (sent_ns < last_sent_ns_) return CommandStatus::time_went_backwards;
  const SimOrder* order = find(order_id);
  if (order == nullptr) return CommandStatus::unknown_order;
  if (new_qty <= 0) return CommandStatus::invalid_quantity;
  if (new_price <= 0) return CommandStatus::invalid_price;
  if (order->request.type != OrderType::limit) return CommandStatus::invalid_combination;  // Binance: LIMIT only
  commands_.push_back(Command{CommandKind::amend, order_id, order_latency_.arrival(sent_ns), new_price, new_qty});
  last_sent_ns_ = sent_ns;
  ++counters_.commands;
  return CommandStatus::ok;
}

// ---- venue side: commands -----------------------------------------------------------------------

const SimOrder* MatchingEngine::find(uint64_t order_id) const noexcept {
  auto it = index_.find(order_id);
  return it == index_.end() ? nullptr : &orders_[it->second];
}

SimOrder* MatchingEngine::find_mutable(uint64_t order_id) noexcept {
  auto it = index_.find(order_id);
  return it == index_.end() ? nullptr : &orders_[it->second];
}

void MatchingEngine::process_commands(int64_t ts, bool inclusive) {
  while (command_head_ < commands_.size()) {
    const Command& command = commands_[command_head_];
    if (inclusive ? command.arrival_ns > ts : command.arrival_ns >= ts) break;
    const Command current = command;  // arrive() may grow commands_? no, but copy keeps it simple
    ++command_head_;
    if (current.arrival_ns > clock_ns_) clock_ns_ = current.arrival_ns;
    arrive(current);
  }
  if (command_head_ == commands_.size()) {
    commands_.clear();
    command_head_ = 0;
  }
}

void MatchingEngine::advance_to(int64_t ts) {
  process_commands(ts, true);
  if (ts > clock_ns_) clock_ns_ = ts;
}

void MatchingEngine::arrive(const Command& command) {
  switch (command.kind) {
    case CommandKind::submit:
      arrive_submit(*find_mutable(command.order_id), command.arrival_ns);
      break;
    case CommandKind::cancel:
      arrive_cancel(command.order_id, command.arrival_ns);
      break;
    case CommandKind::amend:
      arrive_amend(command, command.arrival_ns);
      break;
  }
}

void MatchingEngine::arrive_submit(SimOrder& order, int64_t ts) {
  const VenueOrderRequest& request = order.request;
  if (is_closing(order) && reducible_qty(order) == 0) {
    finish(order, OrderStatus::rejected, ReportKind::rejected, RejectReason::reduce_only_rejected, ts);
    return;
  }
  if (is_conditional(request.type)) {
    const int64_t reference = request.trigger == TriggerSource::mark_price ? mark_price_ : last_trade_price_;
    if (reference != 0 && trigger_met(order, reference)) {
      finish(order, OrderStatus::rejected, ReportKind::rejected, RejectReason::stop_would_trigger, ts);
      return;
    }
    order.status = OrderStatus::accepted;
    order.working = true;
    live_.push_back(static_cast<std::size_t>(&order - orders_.data()));
    report(order, ReportKind::accepted, RejectReason::none, ts);
    return;
  }
  if (request.tif == TimeInForce::gtx && would_take(order)) {
    finish(order, OrderStatus::rejected, ReportKind::rejected, RejectReason::post_only_would_take, ts);
    return;
  }
  if (is_market_like(request.type) && book_.best_price(opposite_book(request.side)) == kNoPrice &&
      config_.empty_book == EmptyBookPolicy::reject) {
    finish(order, OrderStatus::rejected, ReportKind::rejected, RejectReason::no_liquidity, ts);
    return;
  }
  order.status = OrderStatus::accepted;
  order.working = true;
  live_.push_back(static_cast<std::size_t>(&order - orders_.data()));
  report(order, ReportKind::accepted, RejectReason::none, ts);
  work(order, ts);
}

void MatchingEngine::arrive_cancel(uint64_t order_id, int64_t ts) {
  SimOrder* order = find_mutable(order_id);
  if (order == nullptr || !order->working) {
    // Not (or no longer) at the venue: already filled, expired, canceled or rejected (-2011).
    SimOrder ghost;
    ghost.request.order_id = order_id;
    ghost.status = order != nullptr ? order->status : OrderStatus::rejected;
    if (order != nullptr) {
      ghost.qty = order->qty;
      ghost.filled = order->filled;
    }
    report(ghost, ReportKind::cancel_rejected, RejectReason::unknown_order, ts);
    return;
  }
  finish(*order, OrderStatus::canceled, ReportKind::canceled, RejectReason::none, ts);
}

void MatchingEngine::arrive_amend(const Command& command, int64_t ts) {
  SimOrder* order = find_mutable(command.order_id);
  if (order == nullptr || !order->working || command.new_qty <= order->filled) {
    SimOrder ghost = order != nullptr ? *order : SimOrder{};
    ghost.request.order_id = command.order_id;
    report(ghost, ReportKind::amend_rejected, RejectReason::unknown_order, ts);
    return;
  }
  SimOrder candidate = *order;
  candidate.price = command.new_price;
  if (candidate.request.tif == TimeInForce::gtx && would_take(candidate)) {
    report(*order, ReportKind::amend_rejected, RejectReason::post_only_would_take, ts);
    return;
  }
  // Priority is kept only by a pure size decrease; a new price or a larger size re-queues.
  const bool keeps_priority = command.new_price == order->price && command.new_qty < order->qty;
  order->price = command.new_price;
  order->qty = command.new_qty;
  report(*order, ReportKind::amended, RejectReason::none, ts);
  if (!keeps_priority) {
    // live_ order is our queue order at a level: re-queued, it goes behind our other orders there.
    const std::size_t index = static_cast<std::size_t>(order - orders_.data());
    live_.erase(std::find(live_.begin(), live_.end(), index));
    live_.push_back(index);
    order->resting = false;
    work(*order, ts);
  }
}

// ---- matching -----------------------------------------------------------------------------------

int64_t MatchingEngine::consumed_at(Side side, int64_t price) const noexcept {
  for (const Level& level : consumed_[static_cast<std::size_t>(side)]) {
    if (level.price == price) return level.qty;
  }
  return 0;
}

void MatchingEngine::add_consumed(Side side, int64_t price, int64_t qty) {
  for (Level& level : consumed_[static_cast<std::size_t>(side)]) {
    if (level.price == price) {
      level.qty += qty;
      return;
    }
  }
  consumed_[static_cast<std::size_t>(side)].push_back(Level{price, qty});
}

void MatchingEngine::clear_consumed(Side side, int64_t price) noexcept {
  auto& levels = consumed_[static_cast<std::size_t>(side)];
  for (std::size_t i = 0; i < levels.size(); ++i) {
    if (levels[i].price == price) {
      levels[i] = levels.back();
      levels.pop_back();
      return;
    }
  }
}

bool MatchingEngine::would_take(const SimOrder& order) const noexcept {
  const Side book_side = opposite_book(order.request.side);
  for (int64_t level = book_.best_price(book_side); level != kNoPrice && crosses(order.request.side, order.price, level);
       level = book_.next_level(book_side, level)) {
    if (book_.qty_at(book_side, level) - consumed_at(book_side, level) > 0) return true;
  }
  return false;
}

// Displayed quantity we could take within the order's limit (no limit for market-like orders).
int64_t MatchingEngine::available_within(const SimOrder& order) const noexcept {
  const Side book_side = opposite_book(order.request.side);
  const bool limited = !is_market_like(order.request.type);
  int64_t total = 0;
  for (int64_t level = book_.best_price(book_side); level != kNoPrice; level = book_.next_level(book_side, level)) {
    if (limited && !crosses(order.request.side, order.price, level)) break;
    total += std::max<int64_t>(0, book_.qty_at(book_side, level) - consumed_at(book_side, level));
    if (total >= order.leaves()) break;
  }
  return total;
}

void MatchingEngine::take_liquidity(SimOrder& order, int64_t ts) {
  const Side book_side = opposite_book(order.request.side);
  const bool limited = !is_market_like(order.request.type);
  int64_t level = book_.best_price(book_side);
  while (level != kNoPrice && order.leaves() > 0 && order.working) {
    if (limited && !crosses(order.request.side, order.price, level)) break;
    const int64_t available = book_.qty_at(book_side, level) - consumed_at(book_side, level);
    const int64_t next = book_.next_level(book_side, level);
    if (available > 0) {
      const int64_t take = std::min(available, order.leaves());
      if (is_closing(order)) {
        const int64_t cap = reducible_qty(order);
        if (cap == 0) break;
        add_consumed(book_side, level, std::min(take, cap));
        fill(order, level, std::min(take, cap), false, ts);
      } else {
        add_consumed(book_side, level, take);
        fill(order, level, take, false, ts);
      }
    }
    level = next;
  }
}

void MatchingEngine::work(SimOrder& order, int64_t ts) {
  const VenueOrderRequest& request = order.request;
  if (request.tif == TimeInForce::fok && !is_market_like(request.type) &&
      (available_within(order) < order.leaves() || fillable(order) < order.leaves())) {
    finish(order, OrderStatus::expired, ReportKind::expired, RejectReason::fok_not_fillable, ts);
    return;
  }
  if (is_market_like(request.type) && book_.best_price(opposite_book(request.side)) == kNoPrice) {
    finish(order, OrderStatus::expired, ReportKind::expired, RejectReason::no_liquidity, ts);
    return;
  }
  take_liquidity(order, ts);
  if (!order.working) return;  // filled, or reduce-only closed it
  if (order.leaves() == 0) return;
  if (is_market_like(request.type) || request.tif == TimeInForce::ioc || request.tif == TimeInForce::fok) {
    finish(order, OrderStatus::expired, ReportKind::expired, RejectReason::ioc_remainder, ts);
    return;
  }
  rest(order);
}

void MatchingEngine::rest(SimOrder& order) {
  const Side side = own_book(order.request.side);
  order.resting = true;
  order.level_qty = book_.qty_at(side, order.price);
  order.queue_ahead = order.level_qty;  // we join behind everything displayed at our price
  order.traded_at_level = 0;
}

int64_t MatchingEngine::fee_for(OrderSide side, int64_t price, int64_t qty, bool maker, FeeAsset& asset) const noexcept {
  // Every fee is the exact notional x rate, rounded once (half to even) to 1e-8 of the fee asset.
  const int128 rate = maker ? spec_.maker_fee_rate_e8 : spec_.taker_fee_rate_e8;
  const int128 qty_units = static_cast<int128>(qty) * spec_.qty_grid.step_units;      // 10^-qty_scale
  const int128 price_units = static_cast<int128>(price) * spec_.price_grid.step_units;  // 10^-price_scale
  switch (spec_.market) {
    case BookMarket::spot:
      if (side == OrderSide::buy) {  // paid in the base asset received: qty x rate
        asset = FeeAsset::base;
        return divide_round_half_even(qty_units * rate, pow10_i128(spec_.qty_grid.scale));
      }
      asset = FeeAsset::quote;  // price x qty x rate
      return divide_round_half_even(price_units * qty_units * rate,
                                    pow10_i128(spec_.price_grid.scale + spec_.qty_grid.scale));
    case BookMarket::usdm:
      asset = FeeAsset::margin;
      return divide_round_half_even(price_units * qty_units * rate,
                                    pow10_i128(spec_.price_grid.scale + spec_.qty_grid.scale));
    case BookMarket::coinm:
      // Coin notional = qty x contract_size / price.
      asset = FeeAsset::margin;
      return divide_round_half_even(qty_units * spec_.contract_size * rate * pow10_i128(spec_.price_grid.scale),
                                    price_units * pow10_i128(spec_.qty_grid.scale));
  }
  return 0;
}

void MatchingEngine::fill(SimOrder& order, int64_t price, int64_t qty, bool maker, int64_t ts) {
  order.filled += qty;
  const int64_t signed_qty = order.request.side == OrderSide::buy ? qty : -qty;
  if (order.request.position_side == PositionSide::short_side) {
    short_position_ -= signed_qty;  // buying back a short reduces it
  } else {
    long_position_ += signed_qty;  // one-way net position lives in long_position_
  }
  ++counters_.fills;
  ++(maker ? counters_.maker_fills : counters_.taker_fills);
  order.status = order.leaves() == 0 ? OrderStatus::filled : OrderStatus::partially_filled;
  ExecReport out;
  out.order_id = order.request.order_id;
  out.kind = ReportKind::fill;
  out.status = order.status;
  out.is_maker = maker;
  out.price = price;
  out.qty = qty;
  out.cum_qty = order.filled;
  out.leaves_qty = order.leaves();
  out.fee = fee_for(order.request.side, price, qty, maker, out.fee_asset);
  out.trade_id = next_trade_id_++;
  out.venue_ts = ts;
  out.deliver_ts = report_latency_.arrival(ts);
  reports_.push_back(out);
  ++counters_.reports;
  if (order.leaves() == 0) {
    order.working = false;
    order.resting = false;
    live_.erase(std::find(live_.begin(), live_.end(), static_cast<std::size_t>(&order - orders_.data())));
  }
  enforce_reduce_only(ts);
}

void MatchingEngine::finish(SimOrder& order, OrderStatus status, ReportKind kind, RejectReason reason, int64_t ts) {
  order.status = status;
  if (order.working) {
    order.working = false;
    order.resting = false;
    live_.erase(std::find(live_.begin(), live_.end(), static_cast<std::size_t>(&order - orders_.data())));
  }
  report(order, kind, reason, ts);
}

void MatchingEngine::report(const SimOrder& order, ReportKind kind, RejectReason reason, int64_t ts) {
  ExecReport out;
  out.order_id = order.request.order_id;
  out.kind = kind;
  out.reason = reason;
  out.status = order.status;
  out.price = order.price;
  out.qty = order.qty;
  out.cum_qty = order.filled;
  out.leaves_qty = order.working ? order.leaves() : 0;
  out.venue_ts = ts;
  out.deliver_ts = report_latency_.arrival(ts);
  reports_.push_back(out);
  ++counters_.reports;
}

// ---- reduce-only ------------------------------------------------------------------------------

// Orders that may only reduce a position: reduce-only (one-way), and in hedge mode a SELL of LONG
// or a BUY of SHORT (Binance rejects a close larger than the position there).
bool MatchingEngine::is_closing(const SimOrder& order) const noexcept {
  if (order.request.reduce_only) return true;
  const PositionSide side = order.request.position_side;
  return (side == PositionSide::long_side && order.request.side == OrderSide::sell) ||
         (side == PositionSide::short_side && order.request.side == OrderSide::buy);
}

// What the order may fill now: its remainder, capped for closing orders at what still closes.
int64_t MatchingEngine::fillable(const SimOrder& order) const noexcept {
  return is_closing(order) ? std::min(order.leaves(), reducible_qty(order)) : order.leaves();
}

// Lots a closing order may still trade without opening or flipping a position.
int64_t MatchingEngine::reducible_qty(const SimOrder& order) const noexcept {
  switch (order.request.position_side) {
    case PositionSide::long_side: return long_position_;
    case PositionSide::short_side: return short_position_;
    case PositionSide::both: break;
  }
  const int64_t position = long_position_;  // one-way: the net position
  if (order.request.side == OrderSide::sell) return position > 0 ? position : 0;
  return position < 0 ? -position : 0;
}

void MatchingEngine::enforce_reduce_only(int64_t ts) {
  reduce_scan_.assign(live_.begin(), live_.end());
  for (std::size_t index : reduce_scan_) {
    SimOrder& order = orders_[index];
    if (!order.working || !is_closing(order)) continue;
    // The order keeps its quantity (as Binance shows origQty); fills are capped at what still
    // reduces the position (fillable()), and once nothing does, the remainder expires.
    if (reducible_qty(order) == 0) {
      finish(order, OrderStatus::expired, ReportKind::expired, RejectReason::reduce_only_closed, ts);
    }
  }
}

// ---- venue side: market data ----------------------------------------------------------------------

void MatchingEngine::on_level(Side side, int64_t price, int64_t qty, int64_t ts) {
  process_commands(ts, false);
  if (ts > clock_ns_) clock_ns_ = ts;
  book_.set_level(side, price, qty);
  clear_consumed(side, price);  // the venue's new quantity supersedes our own consumption
  for (std::size_t index : live_) {
    SimOrder& order = orders_[index];
    if (!order.resting || own_book(order.request.side) != side || order.price != price) continue;
    order.queue_ahead =
        queue_after_level_change(config_.queue, order.queue_ahead, order.level_qty, qty, order.traded_at_level);
    order.level_qty = qty;
    order.traded_at_level = 0;
  }
  check_resting_crossed(ts);
}

void MatchingEngine::clear_book(int64_t ts) {
  for (Side side : {Side::bid, Side::ask}) {
    for (int64_t price = book_.best_price(side); price != kNoPrice; price = book_.best_price(side)) {
      on_level(side, price, 0, ts);
    }
  }
}

// The opposite side moved through a resting order's price: the aggressor that did it traded with us.
void MatchingEngine::check_resting_crossed(int64_t ts) {
  cross_scan_.assign(live_.begin(), live_.end());
  for (std::size_t index : cross_scan_) {
    SimOrder& order = orders_[index];
    if (order.working && order.resting) {
      const Side book_side = opposite_book(order.request.side);
      const int64_t best = book_.best_price(book_side);
      // Each crossing level's unconsumed quantity traded with us, at our price, as maker.
      int64_t qty = 0;
      const int64_t most = fillable(order);
      for (int64_t level = best; level != kNoPrice && crosses(order.request.side, order.price, level) && qty < most;
           level = book_.next_level(book_side, level)) {
        const int64_t take = std::min(most - qty,
                                      std::max<int64_t>(0, book_.qty_at(book_side, level) - consumed_at(book_side, level)));
        add_consumed(book_side, level, take);
        qty += take;
      }
      if (qty > 0) fill(order, order.price, qty, true, ts);
    }
  }
}

void MatchingEngine::on_trade(int64_t price, int64_t qty, OrderSide aggressor, int64_t ts) {
  process_commands(ts, false);
  if (ts > clock_ns_) clock_ns_ = ts;
  last_trade_price_ = price;
  int64_t used_at_price = 0;  // our fills from this trade's quantity at our price
  trade_scan_.assign(live_.begin(), live_.end());
  for (std::size_t index : trade_scan_) {
    SimOrder& order = orders_[index];
    // A resting order is hit by the opposite aggressor at or through its price.
    if (order.working && order.resting && order.request.side != aggressor) {
      const bool through = order.request.side == OrderSide::buy ? price < order.price : price > order.price;
      if (through) {
        const int64_t take = fillable(order);  // everything at our price was taken
        if (take > 0) fill(order, order.price, take, true, ts);
      } else if (price == order.price) {
        const int64_t reach = qty - order.queue_ahead - used_at_price;
        order.traded_at_level += qty;
        order.queue_ahead = std::max<int64_t>(0, order.queue_ahead - qty);
        const int64_t take = std::min(reach, fillable(order));
        if (take > 0) {
          used_at_price += take;
          fill(order, order.price, take, true, ts);
        }
      }
    }
  }
  check_triggers(TriggerSource::last_trade, price, ts);
}

void MatchingEngine::on_mark_price(int64_t price, int64_t ts) {
  process_commands(ts, false);
  if (ts > clock_ns_) clock_ns_ = ts;
  mark_price_ = price;
  check_triggers(TriggerSource::mark_price, price, ts);
}

bool MatchingEngine::trigger_met(const SimOrder& order, int64_t price) const noexcept {
  const bool buy = order.request.side == OrderSide::buy;
  const int64_t stop = order.request.stop_price;
  switch (order.request.type) {
    case OrderType::stop_market:
    case OrderType::stop_limit:
      return buy ? price >= stop : price <= stop;  // a stop buys a rise, sells a fall
    case OrderType::take_profit:
    case OrderType::take_profit_market:
      return buy ? price <= stop : price >= stop;  // a take-profit buys a fall, sells a rise
    default:
      return false;
  }
}

void MatchingEngine::check_triggers(TriggerSource source, int64_t price, int64_t ts) {
  trigger_scan_.assign(live_.begin(), live_.end());
  for (std::size_t index : trigger_scan_) {
    SimOrder& order = orders_[index];
    if (order.working && is_conditional(order.request.type) && !order.triggered && order.request.trigger == source &&
        trigger_met(order, price)) {
      order.triggered = true;
      report(order, ReportKind::triggered, RejectReason::none, ts);
      // From here it works as the market or limit order it converts to.
      const OrderType converted = has_limit_price(order.request.type) ? OrderType::limit : OrderType::market;
      const OrderType original = order.request.type;
      order.request.type = converted;
      work(order, ts);
      order.request.type = original;
    }
  }
}

// ---- reports ------------------------------------------------------------------------------------

std::size_t MatchingEngine::drain_reports(int64_t up_to_ns, ExecReport* out, std::size_t max) {
  std::size_t copied = 0;
  while (report_head_ < reports_.size() && copied < max && reports_[report_head_].deliver_ts <= up_to_ns) {
    out[copied++] = reports_[report_head_++];
  }
  if (report_head_ == reports_.size()) {
    reports_.clear();
    report_head_ = 0;
  }
  return copied;
}

}  // namespace veloz
