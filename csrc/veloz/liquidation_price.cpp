#include "veloz/liquidation_price.hpp"

namespace veloz {

namespace {

int128 side_of(int64_t qty) { return qty > 0 ? 1 : -1; }

int128 magnitude(int64_t qty) { return qty < 0 ? -static_cast<int128>(qty) : qty; }

// numerator / denominator as a positive tick price, or 0.
int64_t positive_price_or_none(int128 numerator, int128 denominator) {
  if (denominator == 0) return 0;
  if (denominator < 0) {
    numerator = -numerator;
    denominator = -denominator;
  }
  if (numerator <= 0) return 0;
  return round_half_even({numerator, denominator});
}

}  // namespace

int64_t liquidation_price_ticks(const InstrumentSpec& spec, const FuturesRisk& risk, int64_t wallet_e8,
                                const LiquidationLeg* legs, std::size_t leg_count) {
  const int128 rate = risk.maintenance_rate_e8;  // mmr x 1e8
  const int128 one = kMoneyUnitsPerAsset;        // 1 x 1e8
  const int ps = spec.price_grid.scale, qs = spec.qty_grid.scale;
  int128 numerator = 0, denominator = 0;

  if (spec.market == BookMarket::coinm) {
    // LP [USD] = sum(Size x (mmr + side)) / (WB + sum(cum + side x cost)) with Size = N x contract_size;
    // in ticks: x 10^ps / step, with N = lots x lot_step / 10^qs and money in 1e-8 coin.
    int128 coin_e8 = wallet_e8;
    for (std::size_t i = 0; i < leg_count; ++i) {
      if (legs[i].qty == 0) continue;
      const int128 side = side_of(legs[i].qty);
      const int128 usd_units = checked_mul(checked_mul(magnitude(legs[i].qty), spec.qty_grid.step_units),
                                           spec.contract_size);  // Size x 10^qs
      numerator = checked_add(numerator, checked_mul(usd_units, rate + side * one));
      coin_e8 = checked_add(coin_e8, risk.maintenance_amount_e8 + side * legs[i].entry_value_e8);
    }
    numerator = checked_mul(numerator, pow10_checked(ps));
    denominator = checked_mul(checked_mul(coin_e8, spec.price_grid.step_units), pow10_checked(qs));
    return positive_price_or_none(numerator, denominator);
  }

  // LP [quote] = (WB + sum(cum - side x cost)) / sum(Q x (mmr - side)); in ticks: x 10^ps / step,
  // with Q = lots x lot_step / 10^qs and money in 1e-8 quote.
  int128 quote_e8 = wallet_e8;
  int128 lots_rate = 0;  // sum(lots x (mmr - side)) x 1e8
  for (std::size_t i = 0; i < leg_count; ++i) {
    if (legs[i].qty == 0) continue;
    const int128 side = side_of(legs[i].qty);
    quote_e8 = checked_add(quote_e8, risk.maintenance_amount_e8 - side * legs[i].entry_value_e8);
    lots_rate = checked_add(lots_rate, checked_mul(magnitude(legs[i].qty), rate - side * one));
  }
  numerator = checked_mul(quote_e8, pow10_checked(ps + qs));
  denominator = checked_mul(lots_rate, checked_mul(spec.qty_grid.step_units, spec.price_grid.step_units));
  return positive_price_or_none(numerator, denominator);
}

}  // namespace veloz
