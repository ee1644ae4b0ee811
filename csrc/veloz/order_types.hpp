// The vocabulary shared by the order state machine, the matching engine and accounting:
// order enums as Binance defines them, and the fill record that flows between them.
// Prices are ticks, quantities lots, times int64 ns; money is int64 in units of 1e-8 of an asset.
#pragma once
#include <cstdint>

namespace veloz {

enum class OrderSide : uint8_t { buy = 0, sell = 1 };

// Binance names: MARKET, LIMIT, STOP_MARKET, STOP (stop-limit), TAKE_PROFIT (limit), TAKE_PROFIT_MARKET.
enum class OrderType : uint8_t {
  market = 0,
  limit = 1,
  stop_market = 2,
  stop_limit = 3,
  take_profit = 4,
  take_profit_market = 5,
};

enum class TimeInForce : uint8_t { gtc = 0, ioc = 1, fok = 2, gtx = 3 };  // gtx = post-only

enum class PositionSide : uint8_t { both = 0, long_side = 1, short_side = 2 };  // hedge mode: long/short

enum class TriggerSource : uint8_t { last_trade = 0, mark_price = 1 };

enum class OrderStatus : uint8_t {
  new_order = 0,  // created locally, not yet acknowledged by the venue
  accepted = 1,
  partially_filled = 2,
  filled = 3,
  canceled = 4,
  rejected = 5,
  expired = 6,
  pending_cancel = 7,
  pending_amend = 8,
};

inline constexpr bool is_terminal(OrderStatus status) noexcept {
  return status == OrderStatus::filled || status == OrderStatus::canceled || status == OrderStatus::rejected ||
         status == OrderStatus::expired;
}

// Which asset a commission is charged in (Binance: spot buys pay in base, spot sells in quote;
// futures pay in the margin asset: USDT for USD-M, the coin for COIN-M).
enum class FeeAsset : uint8_t { base = 0, quote = 1, margin = 2 };

// One execution of one of our orders.
struct Fill {
  uint64_t order_id = 0;
  int64_t trade_id = 0;     // unique per venue and instrument; a repeated id is the same fill
  uint32_t instrument = 0;  // index into the engine's instrument table
  OrderSide side = OrderSide::buy;
  PositionSide position_side = PositionSide::both;
  int64_t price = 0;  // ticks
  int64_t qty = 0;    // lots
  bool is_maker = false;
  int64_t fee = 0;  // units of 1e-8 of fee_asset; negative = rebate
  FeeAsset fee_asset = FeeAsset::quote;
  int64_t ts_ns = 0;  // venue time of the fill
};

}  // namespace veloz
