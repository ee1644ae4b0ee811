// One perpetual futures position and the arithmetic of fills, margin and funding on it, for
// USD-M linear contracts (money in the quote asset) and COIN-M inverse contracts (money in the coin).
//
// A position keeps its cost basis, entry_value_e8: the sum of its opening fills' values
// (linear: price x qty; inverse: contracts x contract_size / price), less the share of it closed.
// The average entry is entry_value / qty (linear, quantity-weighted) or qty x contract_size /
// entry_value (inverse, harmonic). Realized PnL on closing q of Q lots at exit X is
//   side x direction x (value(X, q) - entry_value x q / Q)
// with direction +1 for linear and -1 for inverse. Formulas and roundings: docs/accounting.md.
#pragma once
#include <cstdint>

#include "veloz/contract_value.hpp"

namespace veloz {

enum class MarginType : uint8_t { cross = 0, isolated = 1 };

inline constexpr int32_t kMaxLeverage = 125;  // Binance's highest

// Per-instrument risk settings. One maintenance bracket: MM = value x rate - amount.
struct FuturesRisk {
  int32_t leverage = 20;
  MarginType margin_type = MarginType::cross;
  int64_t maintenance_rate_e8 = 400'000;  // 0.4 %, Binance BTCUSDT's first bracket
  int64_t maintenance_amount_e8 = 0;      // "cum", in the margin asset
};

struct PositionSlot {
  int64_t qty = 0;                 // lots (USD-M) or contracts (COIN-M); + long, - short
  int64_t entry_value_e8 = 0;      // cost basis in the margin asset, >= 0
  int64_t isolated_margin_e8 = 0;  // isolated wallet (isolated margin type only)
  int64_t realized_pnl_e8 = 0;     // accumulated over the slot's life, like Binance's "cr"
  int64_t fees_e8 = 0;
  int64_t funding_e8 = 0;          // received (+) or paid (-)
};

// +1 linear: a long gains when its contracts' value rises. -1 inverse: a long gains when its
// contracts' value in coin falls (the coin got dearer).
inline int pnl_direction(const InstrumentSpec& spec) noexcept { return spec.market == BookMarket::coinm ? -1 : 1; }

struct FillOutcome {
  PositionSlot after;
  int64_t realized_pnl_e8 = 0;
};

// The position after a fill of `fill_qty` (+ buy, - sell) at `price_ticks`: opens or adds; or
// reduces (realizing PnL on the share of the cost basis closed); or closes and opens the rest on
// the other side at the same price (a flip). Isolated margin: an opening adds value / leverage, a
// reduction releases the closed share. Fees and funding are the account's business.
FillOutcome position_after_fill(const PositionSlot& before, const InstrumentSpec& spec, const FuturesRisk& risk,
                                int64_t fill_qty, int64_t price_ticks);

struct PositionRisk {
  int64_t value_e8 = 0;  // |qty| valued at the mark
  int64_t unrealized_pnl_e8 = 0;
  int64_t initial_margin_e8 = 0;      // value / leverage
  int64_t maintenance_margin_e8 = 0;  // value x rate - amount, floored at 0
};

PositionRisk position_risk(const PositionSlot& slot, const InstrumentSpec& spec, const FuturesRisk& risk,
                           int64_t mark_ticks);

// Average entry price in ticks, rounded half to even; 0 when flat.
int64_t entry_price_ticks(const PositionSlot& slot, const InstrumentSpec& spec);

// What the position receives (+) or pays (-) at a funding time: value(mark, |qty|) x rate,
// paid by longs to shorts when the rate is positive.
int64_t funding_payment_e8(const PositionSlot& slot, const InstrumentSpec& spec, int64_t mark_ticks, int64_t rate_e8);

}  // namespace veloz
