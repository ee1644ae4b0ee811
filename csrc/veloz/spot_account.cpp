#include "veloz/spot_account.hpp"

#include <string>

#include "veloz/account_error.hpp"

namespace veloz {

namespace {

std::string order_name(uint64_t order_id) { return "spot order " + std::to_string(order_id); }

const char* side_name(OrderSide side) { return side == OrderSide::buy ? "buy" : "sell"; }

bool valid_side(OrderSide side) { return side == OrderSide::buy || side == OrderSide::sell; }

// The quote a buy must still hold: the cost of its remaining quantity at the limit price, rounded
// on top of the running total of its fills, H(C + P*R) - H(C). Rounding the sum, not each part, is
// what lets this lock cover the next fill's H(C') - H(C) for any fill price at or under the limit.
int64_t buy_lock_e8(const InstrumentSpec& spec, int128 filled_value_num, int64_t limit_price, int64_t remaining_qty) {
  if (remaining_qty == 0) return 0;
  const ExactAmount rest = linear_value_exact(spec, limit_price, remaining_qty);
  return checked_int64(static_cast<int128>(round_half_even({checked_add(filled_value_num, rest.num), rest.den})) -
                       round_half_even({filled_value_num, rest.den}));
}

}  // namespace

AssetId SpotAccount::add_asset(std::string_view name) {
  if (name.empty()) throw AccountError("asset name must not be empty");
  if (find_asset(name) != kNoAsset) throw AccountError("asset " + std::string(name) + " already exists");
  names_.emplace_back(name);
  balances_.emplace_back();
  return static_cast<AssetId>(balances_.size() - 1);
}

AssetId SpotAccount::find_asset(std::string_view name) const noexcept {
  for (std::size_t i = 0; i < names_.size(); ++i)
    if (names_[i] == name) return static_cast<AssetId>(i);
  return kNoAsset;
}

const std::string& SpotAccount::asset_name(AssetId asset) const {
  check_asset(asset);
  return names_[asset];
}

void SpotAccount::check_asset(AssetId asset) const {
  if (asset >= balances_.size()) throw AccountError("unknown asset id " + std::to_string(asset));
}

void SpotAccount::add_instrument(uint32_t instrument, const InstrumentSpec& spec, std::string_view base,
                                 std::string_view quote) {
  const std::string what = "spot instrument " + std::to_string(instrument);
  if (has_instrument(instrument)) throw AccountError(what + " is already registered");
  if (spec.market != BookMarket::spot) throw AccountError(what + ": the spec is not a spot market");
  if (spec.qty_grid.scale > 8 || spec.qty_grid.scale < 0)
    throw AccountError(what + ": lot scale " + std::to_string(spec.qty_grid.scale) +
                       " is finer than 1e-8, so base amounts would not be exact");
  if (spec.price_grid.step_units <= 0 || spec.qty_grid.step_units <= 0 || spec.price_grid.scale < 0)
    throw AccountError(what + ": tick and lot steps must be positive");
  if (base.empty() || quote.empty()) throw AccountError(what + ": asset names must not be empty");
  if (base == quote) throw AccountError(what + ": base and quote must be different assets");
  const AssetId base_id = find_asset(base) != kNoAsset ? find_asset(base) : add_asset(base);
  const AssetId quote_id = find_asset(quote) != kNoAsset ? find_asset(quote) : add_asset(quote);
  markets_.emplace(instrument, Market{spec, base_id, quote_id});
}

const SpotAccount::Market& SpotAccount::market(uint32_t instrument) const {
  const auto found = markets_.find(instrument);
  if (found == markets_.end()) throw AccountError("unknown spot instrument " + std::to_string(instrument));
  return found->second;
}

void SpotAccount::deposit(AssetId asset, int64_t amount_e8) {
  check_asset(asset);
  if (amount_e8 <= 0) throw AccountError("deposit of " + names_[asset] + " must be positive");
  balances_[asset].free_e8 = add_money(balances_[asset].free_e8, amount_e8);
}

void SpotAccount::withdraw(AssetId asset, int64_t amount_e8) {
  check_asset(asset);
  if (amount_e8 <= 0) throw AccountError("withdrawal of " + names_[asset] + " must be positive");
  if (amount_e8 > balances_[asset].free_e8)
    throw AccountError("withdrawal of " + std::to_string(amount_e8) + " " + names_[asset] + " exceeds free " +
                       std::to_string(balances_[asset].free_e8));
  balances_[asset].free_e8 -= amount_e8;
}

int64_t SpotAccount::place_order(uint64_t order_id, uint32_t instrument, OrderSide side, int64_t limit_price_ticks,
                                 int64_t qty_lots) {
  // Messages are built only on error: this runs once per order.
  const auto what = [order_id] { return order_name(order_id); };
  if (!valid_side(side)) throw AccountError(what() + ": side must be buy or sell");
  const Market& m = market(instrument);
  if (orders_.count(order_id) != 0) throw AccountError(what() + " already holds a lock");
  if (qty_lots <= 0) throw AccountError(what() + ": quantity must be positive, not " + std::to_string(qty_lots));
  if (side == OrderSide::buy && limit_price_ticks <= 0)
    throw AccountError(what() + ": a buy needs a positive limit price, not " + std::to_string(limit_price_ticks));

  const bool buy = side == OrderSide::buy;
  const AssetId asset = buy ? m.quote : m.base;
  const int64_t needed = buy ? buy_lock_e8(m.spec, 0, limit_price_ticks, qty_lots) : base_amount_e8(m.spec, qty_lots);
  SpotBalance& balance = balances_[asset];
  if (needed > balance.free_e8)
    throw AccountError(what() + ": insufficient " + names_[asset] + ": needs " + std::to_string(needed) +
                       ", free " + std::to_string(balance.free_e8));
  const int64_t locked_after = add_money(balance.locked_e8, needed);
  orders_.emplace(order_id, SpotOrderLock{instrument, side, buy ? limit_price_ticks : 0, qty_lots, needed, 0});
  balance.free_e8 -= needed;
  balance.locked_e8 = locked_after;
  return needed;
}

int64_t SpotAccount::release_order(uint64_t order_id) {
  const auto found = orders_.find(order_id);
  if (found == orders_.end()) throw AccountError(order_name(order_id) + " holds no lock");
  const SpotOrderLock& lock = found->second;
  const Market& m = market(lock.instrument);
  SpotBalance& balance = balances_[lock.side == OrderSide::buy ? m.quote : m.base];
  const int64_t released = lock.locked_e8;
  balance.locked_e8 -= released;
  balance.free_e8 += released;  // cannot overflow: it was free before it was locked
  orders_.erase(found);
  return released;
}

void SpotAccount::apply_fill(const Fill& fill) {
  // Messages are built only on error: this runs once per fill.
  const auto what = [&fill] { return order_name(fill.order_id) + " trade " + std::to_string(fill.trade_id); };
  if (!valid_side(fill.side)) throw AccountError(what() + ": side must be buy or sell");
  if (fill.qty <= 0) throw AccountError(what() + ": fill quantity must be positive, not " + std::to_string(fill.qty));
  if (fill.price <= 0) throw AccountError(what() + ": fill price must be positive, not " + std::to_string(fill.price));
  if (fill.fee_asset != FeeAsset::base && fill.fee_asset != FeeAsset::quote)
    throw AccountError(what() + ": a spot commission is charged in the base or the quote asset, not the margin asset");
  const Market& m = market(fill.instrument);

  const auto found = orders_.find(fill.order_id);
  SpotOrderLock* lock = found == orders_.end() ? nullptr : &found->second;
  if (lock != nullptr) {
    if (lock->instrument != fill.instrument)
      throw AccountError(what() + ": the order is on instrument " + std::to_string(lock->instrument) + ", the fill on " +
                         std::to_string(fill.instrument));
    if (lock->side != fill.side)
      throw AccountError(what() + ": a " + side_name(fill.side) + " fill of a " + side_name(lock->side) + " order");
    if (fill.qty > lock->remaining_qty)
      throw AccountError(what() + ": overfill: " + std::to_string(fill.qty) + " lots against " +
                         std::to_string(lock->remaining_qty) + " still open");
    if (fill.side == OrderSide::buy && fill.price > lock->limit_price)
      throw AccountError(what() + ": buy fill at " + std::to_string(fill.price) + " ticks is above the limit " +
                         std::to_string(lock->limit_price));
  }

  // Work out every change first; commit only when all of them are valid.
  const ExactAmount value = linear_value_exact(m.spec, fill.price, fill.qty);
  const int64_t base_e8 = base_amount_e8(m.spec, fill.qty);
  int128 filled_after = 0;
  int64_t quote_e8 = 0;  // quote paid (buy) or received (sell)
  if (lock != nullptr) {
    filled_after = checked_add(lock->filled_value_num, value.num);
    quote_e8 = checked_int64(static_cast<int128>(round_half_even({filled_after, value.den})) -
                             round_half_even({lock->filled_value_num, value.den}));
  } else {
    quote_e8 = round_half_even(value);
  }
  const int64_t remaining_after = lock != nullptr ? lock->remaining_qty - fill.qty : 0;

  SpotBalance base = balances_[m.base];
  SpotBalance quote = balances_[m.quote];
  int64_t lock_after = 0;
  if (fill.side == OrderSide::buy) {
    base.free_e8 = add_money(base.free_e8, base_e8);
    if (lock != nullptr) {
      lock_after = buy_lock_e8(m.spec, filled_after, lock->limit_price, remaining_after);
      const int64_t unlocked = lock->locked_e8 - lock_after;
      quote.locked_e8 -= unlocked;
      quote.free_e8 = add_money(quote.free_e8, unlocked - quote_e8);  // >= 0: the lock covered the cost
    } else {
      quote.free_e8 = sub_money(quote.free_e8, quote_e8);
    }
  } else {
    quote.free_e8 = add_money(quote.free_e8, quote_e8);
    if (lock != nullptr) {
      lock_after = lock->locked_e8 - base_e8;
      base.locked_e8 -= base_e8;
    } else {
      base.free_e8 = sub_money(base.free_e8, base_e8);
    }
  }
  SpotBalance& charged = fill.fee_asset == FeeAsset::base ? base : quote;
  charged.free_e8 = sub_money(charged.free_e8, fill.fee);
  charged.fees_e8 = add_money(charged.fees_e8, fill.fee);

  const SpotBalance& base_before = balances_[m.base];
  const SpotBalance& quote_before = balances_[m.quote];
  if ((base.free_e8 < 0 && base.free_e8 < base_before.free_e8) ||
      (quote.free_e8 < 0 && quote.free_e8 < quote_before.free_e8)) {
    const bool base_short = base.free_e8 < 0 && base.free_e8 < base_before.free_e8;
    throw AccountError(what() + ": insufficient free " + names_[base_short ? m.base : m.quote] + " to settle the fill");
  }

  balances_[m.base] = base;
  balances_[m.quote] = quote;
  if (lock != nullptr) {
    if (remaining_after == 0) {
      orders_.erase(found);
    } else {
      lock->remaining_qty = remaining_after;
      lock->locked_e8 = lock_after;
      lock->filled_value_num = filled_after;
    }
  }
}

const SpotBalance& SpotAccount::balance(AssetId asset) const {
  check_asset(asset);
  return balances_[asset];
}

const SpotOrderLock* SpotAccount::find_order(uint64_t order_id) const noexcept {
  const auto found = orders_.find(order_id);
  return found == orders_.end() ? nullptr : &found->second;
}

}  // namespace veloz
