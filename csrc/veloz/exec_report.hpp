// What the simulated venue tells the strategy about its orders: one record per event, delivered
// after the report latency.
#pragma once
#include <cstdint>

#include "veloz/order_types.hpp"

namespace veloz {

enum class ReportKind : uint8_t {
  accepted = 0,
  rejected = 1,
  fill = 2,
  canceled = 3,
  expired = 4,
  amended = 5,
  cancel_rejected = 6,
  amend_rejected = 7,
  triggered = 8,  // a stop / take-profit order's condition was met; it now works as market/limit
};

enum class RejectReason : uint8_t {
  none = 0,
  post_only_would_take = 1,   // GTX (Binance futures -5022; spot LIMIT_MAKER -2010)
  reduce_only_rejected = 2,   // would increase the position (-2022)
  stop_would_trigger = 3,     // stop/TP already triggered on arrival (-2021)
  unknown_order = 4,          // cancel/amend of an order the venue no longer has (-2011)
  no_liquidity = 5,           // market order on an empty side (expired, nothing filled)
  fok_not_fillable = 6,       // FOK could not be filled entirely (expired)
  ioc_remainder = 7,          // IOC / market remainder expired after taking what it could
  reduce_only_closed = 8,     // reduce-only remainder expired: the position is flat
};

struct ExecReport {
  uint64_t order_id = 0;
  ReportKind kind = ReportKind::accepted;
  RejectReason reason = RejectReason::none;
  OrderStatus status = OrderStatus::new_order;  // venue-side status after this event
  bool is_maker = false;
  FeeAsset fee_asset = FeeAsset::quote;
  int64_t price = 0;       // fill price (ticks); for amended: the new limit price
  int64_t qty = 0;         // fill qty (lots); for amended: the new order qty
  int64_t cum_qty = 0;     // filled so far
  int64_t leaves_qty = 0;  // still working
  int64_t fee = 0;         // 1e-8 units of fee_asset
  int64_t trade_id = 0;
  int64_t venue_ts = 0;    // when it happened at the venue
  int64_t deliver_ts = 0;  // when the strategy may see it
};

}  // namespace veloz
