// Liquidation price: the mark at which the margin `wallet` leaves for a set of positions (legs) of
// one instrument equals their maintenance margin (Binance's formulas; docs/accounting.md).
//   linear  LP = (WB + sum(cum - side x cost)) / sum(Q x mmr - side x Q)           Q in base, cost in quote
//   inverse LP = sum(Size x mmr + side x Size) / (WB + sum(cum + side x cost))    Size = N x contract_size, cost in coin
// side = +1 long / -1 short; cost = the leg's entry value (Q x EP linear, Size / EP inverse).
// Isolated: one leg and WB = its isolated wallet. Cross: the instrument's legs (BOTH, or LONG and
// SHORT together in hedge mode) and WB = cross wallet - other cross positions' maintenance margin
// + their unrealized PnL.
#pragma once
#include <cstddef>
#include <cstdint>

#include "veloz/futures_position.hpp"

namespace veloz {

struct LiquidationLeg {
  int64_t qty = 0;  // signed: + long, - short
  int64_t entry_value_e8 = 0;
};

// In ticks, rounded half to even; 0 when there is none (the formula gives no positive number of
// ticks, e.g. a long with at least its full value in margin, or an inverse short at 1x).
int64_t liquidation_price_ticks(const InstrumentSpec& spec, const FuturesRisk& risk, int64_t wallet_e8,
                                const LiquidationLeg* legs, std::size_t leg_count);

}  // namespace veloz
