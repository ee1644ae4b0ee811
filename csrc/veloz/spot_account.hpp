// Spot balances: per asset free and locked amounts in 1e-8 units.
//   place an order: a buy locks its quote value at the limit price, a sell locks its base quantity;
//   a fill settles from the lock (buy: quote out, base in; sell: base out, quote in) and charges the
//     commission in Fill.fee_asset (Binance: base for buys, quote for sells);
//   release (cancel, expire, reject) returns what is still locked to free.
// A placement the free balance cannot cover is refused. Every error is thrown before anything changes.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "veloz/contract_value.hpp"
#include "veloz/order_types.hpp"

namespace veloz {

using AssetId = uint32_t;
inline constexpr AssetId kNoAsset = UINT32_MAX;

struct SpotBalance {
  int64_t free_e8 = 0;
  int64_t locked_e8 = 0;
  int64_t fees_e8 = 0;  // commissions charged in this asset so far; rebates are negative
};

// What an open order holds back. The quote value of its fills is kept exact and rounded on the
// running total, so an order's quote amounts add up to its exact total rounded once, and a buy's
// lock always covers its next fill (docs/accounting.md, "spot").
struct SpotOrderLock {
  uint32_t instrument = 0;
  OrderSide side = OrderSide::buy;
  int64_t limit_price = 0;      // ticks; the most a buy can pay
  int64_t remaining_qty = 0;    // lots not yet filled
  int64_t locked_e8 = 0;        // quote asset for a buy, base asset for a sell
  int128 filled_value_num = 0;  // exact quote value of the fills so far, over the instrument's denominator
};

class SpotAccount {
 public:
  AssetId add_asset(std::string_view name);
  AssetId find_asset(std::string_view name) const noexcept;  // kNoAsset when unknown
  std::size_t asset_count() const noexcept { return balances_.size(); }
  const std::string& asset_name(AssetId asset) const;

  // `spec` must be a spot instrument whose lot scale is at most 8 (base amounts stay exact). The
  // assets are registered if new (only once everything else has been checked).
  void add_instrument(uint32_t instrument, const InstrumentSpec& spec, std::string_view base, std::string_view quote);
  bool has_instrument(uint32_t instrument) const noexcept { return markets_.count(instrument) != 0; }

  void deposit(AssetId asset, int64_t amount_e8);
  void withdraw(AssetId asset, int64_t amount_e8);  // from free only

  // Locks what the order may need and returns that amount. `limit_price_ticks` bounds a buy's fills
  // (for a market buy, pass the protection price); it is not used for a sell.
  int64_t place_order(uint64_t order_id, uint32_t instrument, OrderSide side, int64_t limit_price_ticks,
                      int64_t qty_lots);
  // Cancel, expire or reject: returns the amount unlocked.
  int64_t release_order(uint64_t order_id);
  // A fill of a placed order settles from its lock; a fill of an order that holds none (order id
  // never placed) settles from free balances and is refused if they cannot cover it.
  void apply_fill(const Fill& fill);

  const SpotBalance& balance(AssetId asset) const;
  AssetId base_of(uint32_t instrument) const { return market(instrument).base; }
  AssetId quote_of(uint32_t instrument) const { return market(instrument).quote; }
  const SpotOrderLock* find_order(uint64_t order_id) const noexcept;
  std::size_t open_orders() const noexcept { return orders_.size(); }

 private:
  struct Market {
    InstrumentSpec spec;
    AssetId base;
    AssetId quote;
  };

  const Market& market(uint32_t instrument) const;
  void check_asset(AssetId asset) const;

  std::vector<std::string> names_;
  std::vector<SpotBalance> balances_;
  std::unordered_map<uint32_t, Market> markets_;
  std::unordered_map<uint64_t, SpotOrderLock> orders_;
};

}  // namespace veloz
