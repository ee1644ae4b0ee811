#include "veloz/sim_execution.hpp"

#include <cstdlib>
#include <stdexcept>

#include "veloz/contract_value.hpp"

namespace veloz {

namespace {

// Binance error codes for the venue's reject reasons, as the OMS records them.
int32_t venue_code(RejectReason reason) noexcept {
  switch (reason) {
    case RejectReason::post_only_would_take: return -5022;
    case RejectReason::reduce_only_rejected: return -2022;
    case RejectReason::stop_would_trigger: return -2021;
    case RejectReason::unknown_order: return -2011;
    case RejectReason::no_liquidity: return -2010;
    default: return 0;
  }
}

constexpr int32_t kInsufficientBalance = -2019;  // Binance "Margin is insufficient"

}  // namespace

SimExecution::SimExecution(OrderManager& oms, MatchingEngine& venue, uint32_t instrument, FuturesAccount* futures,
                           SpotAccount* spot)
    : oms_(oms), venue_(venue), instrument_(instrument), futures_(futures), spot_(spot) {
  if ((futures == nullptr) == (spot == nullptr)) {
    throw std::invalid_argument("SimExecution needs exactly one account: futures or spot");
  }
}

OmsResult SimExecution::submit(const OrderRequest& request, uint64_t& order_id) {
  OrderRequest routed = request;
  routed.instrument = instrument_;
  const OmsResult created = oms_.submit(routed, order_id);
  if (is_error(created)) return created;
  const bool limit_priced = routed.type == OrderType::limit || routed.type == OrderType::stop_limit ||
                            routed.type == OrderType::take_profit;
  if (spot_ != nullptr) {
    try {
      // Only a limit price bounds what a buy can cost; market-like orders settle from free balance.
      if (limit_priced) spot_->place_order(order_id, instrument_, routed.side, routed.price, routed.qty);
    } catch (const std::invalid_argument&) {
      ++counters_.local_rejects;
      return oms_.reject(order_id, kInsufficientBalance, routed.ts_ns);
    }
  }
  if (spot_ != nullptr && margin_check_ && routed.type == OrderType::market && !spot_market_covered(routed)) {
    ++counters_.local_rejects;
    return oms_.reject(order_id, kInsufficientBalance, routed.ts_ns);
  }
  if (futures_ != nullptr && margin_check_ && !margin_covers(routed)) {
    ++counters_.local_rejects;
    return oms_.reject(order_id, kInsufficientBalance, routed.ts_ns);
  }
  VenueOrderRequest venue_request;
  venue_request.order_id = order_id;
  venue_request.side = routed.side;
  venue_request.type = routed.type;
  venue_request.tif = routed.time_in_force;
  venue_request.position_side = routed.position_side;
  venue_request.reduce_only = routed.reduce_only;
  venue_request.trigger = routed.trigger_source;
  venue_request.price = routed.price;
  venue_request.stop_price = routed.stop_price;
  venue_request.qty = routed.qty;
  if (venue_.submit(venue_request, routed.ts_ns) != CommandStatus::ok) {
    // The OMS validated the same fields, so this is a time or mode mismatch: never sent.
    ++counters_.local_rejects;
    const OmsResult rejected = oms_.reject(order_id, 0, routed.ts_ns);
    release_if_finished(order_id);  // after the reject: only a finished order gives its lock back
    return rejected;
  }
  return oms_.mark_sent(order_id, routed.ts_ns);
}

// A spot market order is not locked (it has no price), so it is checked against the free balance
// when it is sent: a sell needs its base quantity, a buy the quote value of the asks it would take.
bool SimExecution::spot_market_covered(const OrderRequest& request) const {
  if (request.side == OrderSide::sell) {
    return base_amount_e8(venue_.spec(), request.qty) <= spot_->balance(spot_->base_of(instrument_)).free_e8;
  }
  const WalkResult walk = venue_.book().walk(Side::ask, request.qty);
  if (walk.filled_qty == 0) return true;  // nothing to take: the venue expires it
  const int64_t cost = linear_notional_e8(venue_.spec(), walk.worst_price, walk.filled_qty);  // an upper bound
  return cost <= spot_->balance(spot_->quote_of(instrument_)).free_e8;
}

bool SimExecution::margin_covers(const OrderRequest& request) const {
  if (request.reduce_only) return true;
  const bool hedge = futures_->position_mode() == PositionMode::hedge;
  if (hedge == (request.position_side == PositionSide::both)) return true;  // the venue refuses the mode mismatch
  const bool buy = request.side == OrderSide::buy;
  int64_t opening = request.qty;
  if (request.position_side == PositionSide::both) {
    const int64_t position = futures_->position(instrument_, PositionSide::both).qty;
    if ((position > 0 && !buy) || (position < 0 && buy)) opening = std::max<int64_t>(0, request.qty - std::llabs(position));
  } else if ((request.position_side == PositionSide::long_side) != buy) {
    opening = 0;  // hedge mode: selling LONG or buying SHORT closes
  }
  if (opening == 0) return true;
  int64_t price = 0;
  switch (request.type) {
    case OrderType::limit:
    case OrderType::stop_limit:
    case OrderType::take_profit:
      price = request.price;
      break;
    case OrderType::stop_market:
    case OrderType::take_profit_market:
      price = request.stop_price;
      break;
    case OrderType::market: {
      const int64_t touch = venue_.book().best_price(buy ? Side::ask : Side::bid);
      price = touch != kNoPrice ? touch : venue_.last_trade_price();
      break;
    }
  }
  if (price <= 0) return true;  // nothing to value it at: the venue will expire it anyway
  const ExactAmount value = contract_value_exact(venue_.spec(), price, opening);
  const int64_t leverage = futures_->risk(instrument_).leverage;
  const int64_t required = round_half_even(ExactAmount{value.num, checked_mul(value.den, leverage)});
  return required <= futures_->summary().available_balance_e8;
}

OmsResult SimExecution::cancel(uint64_t order_id, int64_t ts_ns) {
  // Checked first so the venue cannot refuse what the OMS already recorded as pending.
  if (ts_ns < venue_.last_sent_ns()) return OmsResult::invalid_request;
  const OmsResult requested = oms_.cancel_request(order_id, ts_ns);
  if (!is_error(requested)) venue_.cancel(order_id, ts_ns);
  return requested;
}

OmsResult SimExecution::amend(uint64_t order_id, int64_t price, int64_t qty, int64_t ts_ns) {
  if (spot_ != nullptr || ts_ns < venue_.last_sent_ns()) return OmsResult::invalid_request;
  const OmsResult requested = oms_.amend_request(order_id, price, qty, ts_ns);
  if (!is_error(requested)) venue_.amend(order_id, price, qty, ts_ns);
  return requested;
}

std::size_t SimExecution::deliver(int64_t up_to_ns) {
  std::size_t total = 0;
  std::size_t n;
  while ((n = venue_.drain_reports(up_to_ns, batch_, 64)) > 0) {
    for (std::size_t i = 0; i < n; ++i) on_report(batch_[i]);
    total += n;
  }
  return total;
}

bool SimExecution::deliver_one(int64_t up_to_ns, ExecReport& out) {
  if (venue_.drain_reports(up_to_ns, &out, 1) == 0) return false;
  on_report(out);
  return true;
}

void SimExecution::release_if_finished(uint64_t order_id) {
  if (spot_ == nullptr || spot_->find_order(order_id) == nullptr) return;
  const Order* order = oms_.find(order_id);
  if (order != nullptr && is_terminal(order->status)) spot_->release_order(order_id);
}

void SimExecution::on_report(const ExecReport& report) {
  ++counters_.reports;
  last_fill_applied_ = false;
  last_fill_realized_e8_ = 0;
  const uint64_t id = report.order_id;
  const int64_t ts = report.deliver_ts;
  OmsResult result = OmsResult::applied;
  switch (report.kind) {
    case ReportKind::accepted: result = oms_.ack(id, ts); break;
    case ReportKind::rejected: result = oms_.reject(id, venue_code(report.reason), ts); break;
    case ReportKind::canceled: result = oms_.cancel_ack(id, ts); break;
    case ReportKind::expired: result = oms_.expire(id, ts); break;
    case ReportKind::amended: result = oms_.amend_ack(id, report.price, report.qty, ts); break;
    case ReportKind::cancel_rejected: result = oms_.cancel_reject(id, venue_code(report.reason), ts); break;
    case ReportKind::amend_rejected: result = oms_.amend_reject(id, venue_code(report.reason), ts); break;
    case ReportKind::triggered: return;  // informational: the order keeps its state
    case ReportKind::fill: {
      result = oms_.fill(id, report.trade_id, report.price, report.qty, ts);
      if (is_error(result) || result != OmsResult::applied) break;  // duplicates never reach the account
      const Order* order = oms_.find(id);
      Fill fill;
      fill.order_id = id;
      fill.trade_id = report.trade_id;
      fill.instrument = instrument_;
      fill.side = order->side;
      fill.position_side = order->position_side;
      fill.price = report.price;
      fill.qty = report.qty;
      fill.is_maker = report.is_maker;
      fill.fee = report.fee;
      fill.fee_asset = report.fee_asset;
      fill.ts_ns = report.venue_ts;
      try {
        if (futures_ != nullptr) {
          last_fill_realized_e8_ = futures_->apply_fill(fill);
        } else {
          spot_->apply_fill(fill);
        }
        ++counters_.fills;
        last_fill_applied_ = true;
      } catch (const std::exception&) {
        // The account refused (and is unchanged); the OMS keeps the venue's fact. Counted, and the
        // rest of the batch is still delivered.
        ++counters_.account_refusals;
      }
      break;
    }
  }
  if (is_error(result)) ++counters_.oms_refusals;
  release_if_finished(id);
}

}  // namespace veloz
