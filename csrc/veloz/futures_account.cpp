#include "veloz/futures_account.hpp"

#include <string>

#include "veloz/account_error.hpp"
#include "veloz/liquidation_price.hpp"

namespace veloz {

namespace {

std::string instrument_name(uint32_t id) { return "futures instrument " + std::to_string(id); }

const char* side_name(PositionSide side) {
  switch (side) {
    case PositionSide::both: return "BOTH";
    case PositionSide::long_side: return "LONG";
    case PositionSide::short_side: return "SHORT";
  }
  return "?";
}

void check_risk(const FuturesRisk& risk, const std::string& what) {
  if (risk.leverage <= 0 || risk.leverage > kMaxLeverage)
    throw AccountError(what + ": leverage must be 1 to " + std::to_string(kMaxLeverage) + ", not " +
                       std::to_string(risk.leverage));
  if (risk.margin_type != MarginType::cross && risk.margin_type != MarginType::isolated)
    throw AccountError(what + ": margin type must be cross or isolated");
  if (risk.maintenance_rate_e8 < 0 || risk.maintenance_rate_e8 >= kMoneyUnitsPerAsset)
    throw AccountError(what + ": maintenance rate must be in [0, 1), not " + std::to_string(risk.maintenance_rate_e8) +
                       "e-8");
  if (risk.maintenance_amount_e8 < 0)
    throw AccountError(what + ": maintenance amount must be >= 0, not " + std::to_string(risk.maintenance_amount_e8));
}

}  // namespace

FuturesAccount::FuturesAccount(BookMarket market, PositionMode mode) : market_(market), mode_(mode) {
  if (market != BookMarket::usdm && market != BookMarket::coinm)
    throw AccountError("a futures account is USD-M or COIN-M, not spot");
  if (mode != PositionMode::one_way && mode != PositionMode::hedge)
    throw AccountError("position mode must be one-way or hedge");
}

void FuturesAccount::set_position_mode(PositionMode mode) {
  if (mode != PositionMode::one_way && mode != PositionMode::hedge)
    throw AccountError("position mode must be one-way or hedge");
  for (const Instrument& inst : instruments_)
    if (!flat(inst))
      throw AccountError("cannot change the position mode with an open position on " + instrument_name(inst.id));
  mode_ = mode;
}

void FuturesAccount::add_instrument(uint32_t id, const InstrumentSpec& spec, const FuturesRisk& risk) {
  const std::string what = instrument_name(id);
  if (has_instrument(id)) throw AccountError(what + " is already registered");
  if (spec.market != market_)
    throw AccountError(what + ": its market does not match the account's (" +
                       (market_ == BookMarket::usdm ? "USD-M" : "COIN-M") + ")");
  if (spec.price_grid.step_units <= 0 || spec.qty_grid.step_units <= 0 || spec.price_grid.scale < 0 ||
      spec.qty_grid.scale < 0)
    throw AccountError(what + ": tick and lot steps must be positive");
  if (market_ == BookMarket::coinm && spec.contract_size <= 0)
    throw AccountError(what + ": a COIN-M contract needs a positive contract size");
  check_risk(risk, what);
  Instrument inst{};
  inst.id = id;
  inst.spec = spec;
  inst.risk = risk;
  index_.emplace(id, instruments_.size());
  instruments_.push_back(inst);
}

std::size_t FuturesAccount::index_of(uint32_t id) const {
  const auto found = index_.find(id);
  if (found == index_.end()) throw AccountError("unknown " + instrument_name(id));
  return found->second;
}

FuturesAccount::Instrument& FuturesAccount::instrument(uint32_t id) { return instruments_[index_of(id)]; }

const FuturesAccount::Instrument& FuturesAccount::instrument(uint32_t id) const { return instruments_[index_of(id)]; }

const FuturesRisk& FuturesAccount::risk(uint32_t id) const { return instrument(id).risk; }

bool FuturesAccount::flat(const Instrument& inst) const noexcept {
  return inst.slots[0].qty == 0 && inst.slots[1].qty == 0 && inst.slots[2].qty == 0;
}

int64_t FuturesAccount::mark_of(const Instrument& inst) const noexcept {
  return inst.mark_price != 0 ? inst.mark_price : inst.last_fill_price;
}

PositionSide FuturesAccount::slot_for(const Instrument& inst, PositionSide requested, const char* what) const {
  const bool hedge = mode_ == PositionMode::hedge;
  if (requested != PositionSide::both && requested != PositionSide::long_side && requested != PositionSide::short_side)
    throw AccountError(instrument_name(inst.id) + ": " + what + ": position side must be BOTH, LONG or SHORT");
  if (hedge && requested == PositionSide::both)
    throw AccountError(instrument_name(inst.id) + ": " + what + ": hedge mode needs position side LONG or SHORT");
  if (!hedge && requested != PositionSide::both)
    throw AccountError(instrument_name(inst.id) + ": " + what + ": one-way mode takes position side BOTH, not " +
                       side_name(requested));
  return requested;
}

void FuturesAccount::set_leverage(uint32_t id, int32_t leverage) {
  Instrument& inst = instrument(id);
  FuturesRisk changed = inst.risk;
  changed.leverage = leverage;
  check_risk(changed, instrument_name(id));
  inst.risk = changed;
}

void FuturesAccount::set_margin_type(uint32_t id, MarginType type) {
  Instrument& inst = instrument(id);
  FuturesRisk changed = inst.risk;
  changed.margin_type = type;
  check_risk(changed, instrument_name(id));
  if (type != inst.risk.margin_type && !flat(inst))
    throw AccountError(instrument_name(id) + ": cannot change the margin type of an open position");
  inst.risk = changed;
}

void FuturesAccount::set_maintenance(uint32_t id, int64_t rate_e8, int64_t amount_e8) {
  Instrument& inst = instrument(id);
  FuturesRisk changed = inst.risk;
  changed.maintenance_rate_e8 = rate_e8;
  changed.maintenance_amount_e8 = amount_e8;
  check_risk(changed, instrument_name(id));
  inst.risk = changed;
}

void FuturesAccount::deposit(int64_t amount_e8) {
  if (amount_e8 <= 0) throw AccountError("deposit must be positive, not " + std::to_string(amount_e8));
  const int64_t wallet = add_money(wallet_e8_, amount_e8);
  net_deposits_e8_ = add_money(net_deposits_e8_, amount_e8);
  wallet_e8_ = wallet;
}

void FuturesAccount::withdraw(int64_t amount_e8) {
  if (amount_e8 <= 0) throw AccountError("withdrawal must be positive, not " + std::to_string(amount_e8));
  const int64_t available = summary().available_balance_e8;
  if (amount_e8 > available)
    throw AccountError("withdrawal of " + std::to_string(amount_e8) + " exceeds the available balance " +
                       std::to_string(available));
  wallet_e8_ -= amount_e8;
  net_deposits_e8_ -= amount_e8;
}

void FuturesAccount::adjust_isolated_margin(uint32_t id, PositionSide side, int64_t amount_e8) {
  Instrument& inst = instrument(id);
  const std::string what = instrument_name(id) + " " + side_name(side);
  PositionSlot& slot = inst.slots[static_cast<int>(slot_for(inst, side, "isolated margin"))];
  if (inst.risk.margin_type != MarginType::isolated) throw AccountError(what + ": the position is not isolated");
  if (slot.qty == 0) throw AccountError(what + ": no open position to move margin to or from");
  if (amount_e8 == 0) throw AccountError(what + ": margin change must not be zero");
  const int64_t margin_after = add_money(slot.isolated_margin_e8, amount_e8);
  if (amount_e8 > 0) {
    const int64_t available = summary().available_balance_e8;
    if (amount_e8 > available)
      throw AccountError(what + ": adding " + std::to_string(amount_e8) + " exceeds the available balance " +
                         std::to_string(available));
  } else {
    const int64_t required = position_risk(slot, inst.spec, inst.risk, mark_of(inst)).initial_margin_e8;
    if (margin_after < required)
      throw AccountError(what + ": a change of " + std::to_string(amount_e8) + " leaves " +
                         std::to_string(margin_after) + ", under the initial margin " + std::to_string(required));
  }
  slot.isolated_margin_e8 = margin_after;
}

void FuturesAccount::set_mark_price(uint32_t id, int64_t mark_ticks) {
  Instrument& inst = instrument(id);
  if (mark_ticks <= 0)
    throw AccountError(instrument_name(id) + ": mark price must be positive, not " + std::to_string(mark_ticks));
  inst.mark_price = mark_ticks;
}

int64_t FuturesAccount::apply_fill(const Fill& fill) {
  // Messages are built only on error: this runs once per fill.
  const auto what = [&fill] {
    return instrument_name(fill.instrument) + " order " + std::to_string(fill.order_id) + " trade " +
           std::to_string(fill.trade_id);
  };
  Instrument& inst = instrument(fill.instrument);
  if (fill.side != OrderSide::buy && fill.side != OrderSide::sell) throw AccountError(what() + ": side must be buy or sell");
  if (fill.qty <= 0) throw AccountError(what() + ": fill quantity must be positive, not " + std::to_string(fill.qty));
  if (fill.price <= 0) throw AccountError(what() + ": fill price must be positive, not " + std::to_string(fill.price));
  if (fill.fee_asset != FeeAsset::margin)
    throw AccountError(what() + ": futures commissions are charged in the margin asset (FeeAsset::margin)");
  const PositionSide side = slot_for(inst, fill.position_side, "fill");
  PositionSlot& slot = inst.slots[static_cast<int>(side)];
  const int64_t signed_qty = fill.side == OrderSide::buy ? fill.qty : -fill.qty;
  // Hedge mode: a LONG position is only ever long and a SHORT only short; the venue refuses the rest.
  const int128 qty_after = static_cast<int128>(slot.qty) + signed_qty;
  if (side == PositionSide::long_side && qty_after < 0)
    throw AccountError(what() + ": selling " + std::to_string(fill.qty) + " would take the LONG position of " +
                       std::to_string(slot.qty) + " below zero");
  if (side == PositionSide::short_side && qty_after > 0)
    throw AccountError(what() + ": buying " + std::to_string(fill.qty) + " would take the SHORT position of " +
                       std::to_string(slot.qty) + " above zero");

  FillOutcome outcome = position_after_fill(slot, inst.spec, inst.risk, signed_qty, fill.price);
  outcome.after.fees_e8 = add_money(outcome.after.fees_e8, fill.fee);
  const int64_t wallet = sub_money(add_money(wallet_e8_, outcome.realized_pnl_e8), fill.fee);
  const int64_t realized_total = add_money(realized_e8_, outcome.realized_pnl_e8);
  const int64_t fees_total = add_money(fees_e8_, fill.fee);

  slot = outcome.after;
  wallet_e8_ = wallet;
  realized_e8_ = realized_total;
  fees_e8_ = fees_total;
  inst.last_fill_price = fill.price;
  return outcome.realized_pnl_e8;
}

int64_t FuturesAccount::apply_funding(uint32_t id, int64_t mark_ticks, int64_t rate_e8, int64_t funding_time_ns) {
  Instrument& inst = instrument(id);
  const std::string what = instrument_name(id) + " funding at " + std::to_string(funding_time_ns) + " ns";
  if (mark_ticks <= 0) throw AccountError(what + ": mark price must be positive, not " + std::to_string(mark_ticks));
  if (inst.funded && funding_time_ns <= inst.last_funding_ns)
    throw AccountError(what + ": not after the last funding time " + std::to_string(inst.last_funding_ns) +
                       " (already applied?)");
  PositionSlot after[3] = {inst.slots[0], inst.slots[1], inst.slots[2]};
  int64_t total = 0;
  for (PositionSlot& slot : after) {
    const int64_t payment = funding_payment_e8(slot, inst.spec, mark_ticks, rate_e8);
    slot.funding_e8 = add_money(slot.funding_e8, payment);
    if (inst.risk.margin_type == MarginType::isolated) slot.isolated_margin_e8 = add_money(slot.isolated_margin_e8, payment);
    total = add_money(total, payment);
  }
  const int64_t wallet = add_money(wallet_e8_, total);
  const int64_t funding_total = add_money(funding_e8_, total);

  for (int i = 0; i < 3; ++i) inst.slots[i] = after[i];
  wallet_e8_ = wallet;
  funding_e8_ = funding_total;
  inst.mark_price = mark_ticks;
  inst.funded = true;
  inst.last_funding_ns = funding_time_ns;
  return total;
}

int64_t FuturesAccount::isolated_total() const {
  int128 total = 0;
  for (const Instrument& inst : instruments_)
    for (const PositionSlot& slot : inst.slots) total += slot.isolated_margin_e8;
  return checked_int64(total);
}

FuturesSummary FuturesAccount::summary() const {
  int128 unrealized = 0, initial = 0, maintenance = 0, cross_unrealized = 0, cross_initial = 0;
  for (const Instrument& inst : instruments_) {
    const bool cross = inst.risk.margin_type == MarginType::cross;
    for (const PositionSlot& slot : inst.slots) {
      if (slot.qty == 0) continue;
      const PositionRisk r = position_risk(slot, inst.spec, inst.risk, mark_of(inst));
      unrealized += r.unrealized_pnl_e8;
      initial += r.initial_margin_e8;
      maintenance += r.maintenance_margin_e8;
      if (cross) {
        cross_unrealized += r.unrealized_pnl_e8;
        cross_initial += r.initial_margin_e8;
      }
    }
  }
  FuturesSummary out{};
  out.wallet_balance_e8 = wallet_e8_;
  out.unrealized_pnl_e8 = checked_int64(unrealized);
  out.margin_balance_e8 = checked_int64(wallet_e8_ + unrealized);
  out.isolated_margin_e8 = isolated_total();
  out.cross_wallet_e8 = sub_money(wallet_e8_, out.isolated_margin_e8);
  out.initial_margin_e8 = checked_int64(initial);
  out.maintenance_margin_e8 = checked_int64(maintenance);
  out.available_balance_e8 = checked_int64(out.cross_wallet_e8 + cross_unrealized - cross_initial);
  out.net_deposits_e8 = net_deposits_e8_;
  out.realized_pnl_e8 = realized_e8_;
  out.fees_e8 = fees_e8_;
  out.funding_e8 = funding_e8_;
  return out;
}

int128 FuturesAccount::unrealized_less_maintenance(const Instrument& inst) const {
  if (inst.risk.margin_type != MarginType::cross) return 0;
  int128 total = 0;
  for (const PositionSlot& slot : inst.slots) {
    if (slot.qty == 0) continue;
    const PositionRisk r = position_risk(slot, inst.spec, inst.risk, mark_of(inst));
    total += static_cast<int128>(r.unrealized_pnl_e8) - r.maintenance_margin_e8;
  }
  return total;
}

FuturesAccount::CrossMargin FuturesAccount::cross_margin() const {
  CrossMargin out{sub_money(wallet_e8_, isolated_total()), 0};
  for (const Instrument& inst : instruments_) out.unrealized_less_maintenance += unrealized_less_maintenance(inst);
  return out;
}

int64_t FuturesAccount::liquidation_price(const Instrument& inst, PositionSide side, const CrossMargin& cross) const {
  const PositionSlot& slot = inst.slots[static_cast<int>(side)];
  if (slot.qty == 0) return 0;
  if (inst.risk.margin_type == MarginType::isolated) {
    const LiquidationLeg leg{slot.qty, slot.entry_value_e8};
    return liquidation_price_ticks(inst.spec, inst.risk, slot.isolated_margin_e8, &leg, 1);
  }
  // Cross: the instrument's positions share the cross wallet, so they liquidate together; the
  // other cross positions lend their unrealized PnL and hold back their maintenance margin.
  const int64_t wallet =
      checked_int64(cross.cross_wallet + cross.unrealized_less_maintenance - unrealized_less_maintenance(inst));
  LiquidationLeg legs[3];
  for (int i = 0; i < 3; ++i) legs[i] = {inst.slots[i].qty, inst.slots[i].entry_value_e8};
  return liquidation_price_ticks(inst.spec, inst.risk, wallet, legs, 3);
}

int64_t FuturesAccount::liquidation_price(uint32_t id, PositionSide side) const {
  const Instrument& inst = instrument(id);
  return liquidation_price(inst, slot_for(inst, side, "liquidation price"), cross_margin());
}

PositionSnapshot FuturesAccount::snapshot(const Instrument& inst, PositionSide side, const CrossMargin& cross) const {
  const PositionSlot& slot = inst.slots[static_cast<int>(side)];
  const int64_t mark = mark_of(inst);
  const PositionRisk r = position_risk(slot, inst.spec, inst.risk, mark);
  PositionSnapshot out{};
  out.instrument = inst.id;
  out.position_side = static_cast<int64_t>(side);
  out.margin_type = static_cast<int64_t>(inst.risk.margin_type);
  out.leverage = inst.risk.leverage;
  out.qty = slot.qty;
  out.entry_value_e8 = slot.entry_value_e8;
  out.entry_price = entry_price_ticks(slot, inst.spec);
  out.mark_price = mark;
  out.value_e8 = r.value_e8;
  out.unrealized_pnl_e8 = r.unrealized_pnl_e8;
  out.realized_pnl_e8 = slot.realized_pnl_e8;
  out.fees_e8 = slot.fees_e8;
  out.funding_e8 = slot.funding_e8;
  out.isolated_margin_e8 = slot.isolated_margin_e8;
  out.initial_margin_e8 = r.initial_margin_e8;
  out.maintenance_margin_e8 = r.maintenance_margin_e8;
  out.liquidation_price = liquidation_price(inst, side, cross);
  return out;
}

PositionSnapshot FuturesAccount::position(uint32_t id, PositionSide side) const {
  const Instrument& inst = instrument(id);
  return snapshot(inst, slot_for(inst, side, "position"), cross_margin());
}

void FuturesAccount::positions(std::vector<PositionSnapshot>& out, bool include_flat) const {
  const bool hedge = mode_ == PositionMode::hedge;
  const CrossMargin cross = cross_margin();
  for (const Instrument& inst : instruments_) {
    for (int i = hedge ? 1 : 0; i < (hedge ? 3 : 1); ++i) {
      if (include_flat || inst.slots[i].qty != 0) out.push_back(snapshot(inst, static_cast<PositionSide>(i), cross));
    }
  }
}

}  // namespace veloz
