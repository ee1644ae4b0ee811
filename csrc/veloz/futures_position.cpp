#include "veloz/futures_position.hpp"

namespace veloz {

namespace {

int64_t magnitude(int64_t qty) { return qty < 0 ? -qty : qty; }

int sign_of(int64_t qty) { return qty > 0 ? 1 : -1; }

// part x numerator / denominator rounded once: the share of a cost basis or margin that goes with
// closing `numerator` of `denominator` lots.
int64_t pro_rata(int64_t amount, int64_t numerator, int64_t denominator) {
  return round_half_even({checked_mul(amount, numerator), denominator});
}

int64_t opening_margin_e8(const InstrumentSpec& spec, const FuturesRisk& risk, int64_t price, int64_t qty) {
  return round_half_even(scaled(contract_value_exact(spec, price, qty), 1, risk.leverage));
}

}  // namespace

FillOutcome position_after_fill(const PositionSlot& before, const InstrumentSpec& spec, const FuturesRisk& risk,
                                int64_t fill_qty, int64_t price_ticks) {
  FillOutcome out{before, 0};
  PositionSlot& after = out.after;
  const bool isolated = risk.margin_type == MarginType::isolated;
  const int64_t fill_abs = magnitude(fill_qty);
  const int64_t fill_value = round_half_even(contract_value_exact(spec, price_ticks, fill_abs));

  if (before.qty == 0 || (before.qty > 0) == (fill_qty > 0)) {  // open or add
    after.qty = add_money(before.qty, fill_qty);
    after.entry_value_e8 = add_money(before.entry_value_e8, fill_value);
    if (isolated)
      after.isolated_margin_e8 =
          add_money(before.isolated_margin_e8, opening_margin_e8(spec, risk, price_ticks, fill_abs));
    return out;
  }

  const int64_t held = magnitude(before.qty);
  const int64_t closed_qty = fill_abs < held ? fill_abs : held;
  const bool closes_all = closed_qty == held;
  const int64_t closed_cost = closes_all ? before.entry_value_e8 : pro_rata(before.entry_value_e8, closed_qty, held);
  // The whole fill's value is rounded once; a flip's opening part gets what the closing part leaves,
  // so the two parts add up to the fill's value exactly.
  const int64_t closed_value =
      closed_qty == fill_abs ? fill_value : round_half_even(contract_value_exact(spec, price_ticks, closed_qty));
  out.realized_pnl_e8 = checked_int64(static_cast<int128>(sign_of(before.qty) * pnl_direction(spec)) *
                                      (static_cast<int128>(closed_value) - closed_cost));
  after.realized_pnl_e8 = add_money(before.realized_pnl_e8, out.realized_pnl_e8);
  after.entry_value_e8 = before.entry_value_e8 - closed_cost;
  after.qty = before.qty + (fill_qty > 0 ? closed_qty : -closed_qty);
  if (isolated)
    after.isolated_margin_e8 -=
        closes_all ? before.isolated_margin_e8 : pro_rata(before.isolated_margin_e8, closed_qty, held);

  const int64_t opened_qty = fill_abs - closed_qty;
  if (opened_qty > 0) {  // flip: the rest opens on the other side at the fill price
    after.qty = fill_qty > 0 ? opened_qty : -opened_qty;
    after.entry_value_e8 = fill_value - closed_value;
    if (isolated) after.isolated_margin_e8 = opening_margin_e8(spec, risk, price_ticks, opened_qty);
  }
  return out;
}

PositionRisk position_risk(const PositionSlot& slot, const InstrumentSpec& spec, const FuturesRisk& risk,
                           int64_t mark_ticks) {
  PositionRisk out;
  if (slot.qty == 0) return out;
  const ExactAmount value = contract_value_exact(spec, mark_ticks, magnitude(slot.qty));
  out.value_e8 = round_half_even(value);
  out.unrealized_pnl_e8 = checked_int64(static_cast<int128>(sign_of(slot.qty) * pnl_direction(spec)) *
                                        (static_cast<int128>(out.value_e8) - slot.entry_value_e8));
  out.initial_margin_e8 = round_half_even(scaled(value, 1, risk.leverage));
  const int64_t maintenance =
      sub_money(round_half_even(scaled(value, risk.maintenance_rate_e8, kMoneyUnitsPerAsset)), risk.maintenance_amount_e8);
  out.maintenance_margin_e8 = maintenance > 0 ? maintenance : 0;
  return out;
}

int64_t entry_price_ticks(const PositionSlot& slot, const InstrumentSpec& spec) {
  if (slot.qty == 0 || slot.entry_value_e8 == 0) return 0;
  const int128 grid_units = checked_mul(spec.price_grid.step_units, spec.qty_grid.step_units);
  const int128 qty = magnitude(slot.qty);
  if (spec.market == BookMarket::coinm) {
    // EP = qty x contract_size / entry_value (harmonic mean of the opening prices)
    const int128 usd = checked_mul(checked_mul(qty, spec.qty_grid.step_units), spec.contract_size);
    return round_half_even({checked_mul(usd, pow10_checked(8 + spec.price_grid.scale)),
                            checked_mul(checked_mul(slot.entry_value_e8, spec.price_grid.step_units),
                                        pow10_checked(spec.qty_grid.scale))});
  }
  // EP = entry_value / qty (quantity-weighted mean of the opening prices)
  return round_half_even(
      {checked_mul(slot.entry_value_e8, pow10_checked(spec.price_grid.scale + spec.qty_grid.scale)),
       checked_mul(checked_mul(qty, grid_units), kMoneyUnitsPerAsset)});
}

int64_t funding_payment_e8(const PositionSlot& slot, const InstrumentSpec& spec, int64_t mark_ticks, int64_t rate_e8) {
  if (slot.qty == 0) return 0;
  const int64_t paid_by_holder =
      round_half_even(scaled(contract_value_exact(spec, mark_ticks, magnitude(slot.qty)), rate_e8, kMoneyUnitsPerAsset));
  return slot.qty > 0 ? -paid_by_holder : paid_by_holder;
}

}  // namespace veloz
