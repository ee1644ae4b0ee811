// Native tests for accounting (spot balances, USD-M and COIN-M positions); main() returns non-zero
// on failure. Run under ASan+UBSan by tests/test_native_sanitizers.py: the overflow cases check that
// absurd amounts throw instead of wrapping, and a refused operation leaves the account unchanged.
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

#include "veloz/account_error.hpp"
#include "veloz/futures_account.hpp"
#include "veloz/spot_account.hpp"

namespace {

using namespace veloz;

int g_failures = 0;

void expect(bool ok, const char* what, int line) {
  if (ok) return;
  ++g_failures;
  std::fprintf(stderr, "test_accounts.cpp:%d: failed: %s\n", line, what);
}

void expect_equal(long long actual, long long expected, const char* what, int line) {
  if (actual == expected) return;
  ++g_failures;
  std::fprintf(stderr, "test_accounts.cpp:%d: %s: got %lld, expected %lld\n", line, what, actual, expected);
}

#define EXPECT(cond) expect((cond), #cond, __LINE__)
#define EXPECT_EQ(actual, expected) expect_equal((actual), (expected), #actual, __LINE__)

// Runs `fn` and reports whether it threw `Error` whose message contains `needle`.
template <typename Error, typename Fn>
bool refuses(Fn&& fn, const char* needle) {
  try {
    fn();
  } catch (const Error& error) {
    if (std::strstr(error.what(), needle) != nullptr) return true;
    std::fprintf(stderr, "  unexpected message: %s\n", error.what());
    return false;
  } catch (const std::exception& error) {
    std::fprintf(stderr, "  unexpected exception: %s\n", error.what());
    return false;
  }
  return false;
}

constexpr int64_t kUnit = 100'000'000;  // 1 asset in 1e-8 units

InstrumentSpec spec(BookMarket market, DecimalGrid price, DecimalGrid qty, int64_t contract_size = 0) {
  InstrumentSpec out;
  out.market = market;
  out.price_grid = price;
  out.qty_grid = qty;
  out.contract_size = contract_size;
  return out;
}

// BTCUSDT spot: tick 0.01, lot 0.00001; USD-M: tick 0.1, lot 0.001; COIN-M: tick 0.1, 1 contract of 100 USD.
const InstrumentSpec kSpot = spec(BookMarket::spot, {2, 1}, {5, 1});
const InstrumentSpec kLinear = spec(BookMarket::usdm, {1, 1}, {3, 1});
const InstrumentSpec kInverse = spec(BookMarket::coinm, {1, 1}, {0, 1}, 100);

Fill fill(uint64_t order, uint32_t instrument, OrderSide side, int64_t price, int64_t qty, int64_t fee,
          FeeAsset fee_asset, PositionSide position_side = PositionSide::both) {
  Fill out;
  out.order_id = order;
  out.trade_id = static_cast<int64_t>(order);
  out.instrument = instrument;
  out.side = side;
  out.position_side = position_side;
  out.price = price;
  out.qty = qty;
  out.fee = fee;
  out.fee_asset = fee_asset;
  return out;
}

bool same(const SpotBalance& a, const SpotBalance& b) {
  return a.free_e8 == b.free_e8 && a.locked_e8 == b.locked_e8 && a.fees_e8 == b.fees_e8;
}

void test_spot_lock_fill_release() {
  SpotAccount account;
  account.add_instrument(0, kSpot, "BTC", "USDT");
  const AssetId btc = account.find_asset("BTC"), usdt = account.find_asset("USDT");
  account.deposit(usdt, 10'000 * kUnit);
  EXPECT_EQ(account.place_order(1, 0, OrderSide::buy, 6'000'000, 10'000), 6'000 * kUnit);  // 0.1 BTC at 60,000
  account.apply_fill(fill(1, 0, OrderSide::buy, 5'999'000, 4'000, 4'000, FeeAsset::base));
  EXPECT_EQ(account.balance(usdt).free_e8, 4'000 * kUnit + 40'000'000);  // 0.40 saved by the better price
  EXPECT_EQ(account.balance(usdt).locked_e8, 3'600 * kUnit);
  EXPECT_EQ(account.balance(btc).free_e8, 3'996'000);
  EXPECT_EQ(account.release_order(1), 3'600 * kUnit);
  EXPECT_EQ(account.balance(usdt).locked_e8, 0);

  const SpotBalance before = account.balance(usdt);
  EXPECT(refuses<AccountError>([&] { account.place_order(2, 0, OrderSide::buy, 6'000'000, 1'000'000); },
                               "insufficient USDT"));
  EXPECT(refuses<AccountError>([&] { account.place_order(2, 0, OrderSide::buy, 6'000'000, 0); }, "positive"));
  EXPECT(refuses<AccountError>([&] { account.release_order(1); }, "holds no lock"));
  EXPECT(refuses<AccountError>([&] { account.apply_fill(fill(3, 9, OrderSide::buy, 1, 1, 0, FeeAsset::base)); },
                               "unknown spot instrument 9"));
  EXPECT(refuses<AccountError>([&] { account.apply_fill(fill(3, 0, OrderSide::buy, 1, 1, 0, FeeAsset::margin)); },
                               "margin asset"));
  EXPECT(refuses<AccountError>([&] { account.balance(77); }, "unknown asset id 77"));
  EXPECT(same(account.balance(usdt), before));
  EXPECT(account.open_orders() == 0);
}

void test_spot_order_rounds_on_its_running_total() {
  SpotAccount account;
  account.add_instrument(0, spec(BookMarket::spot, {2, 1}, {8, 1}), "BTC", "USDT");  // scale 10 > 8
  const AssetId usdt = account.find_asset("USDT");
  account.deposit(usdt, 180'002);
  EXPECT_EQ(account.place_order(1, 0, OrderSide::buy, 6'000'051, 3), 180'002);
  const int64_t expected_paid[] = {60'001, 60'000, 60'001};
  for (int64_t paid : expected_paid) {
    const int64_t locked = account.balance(usdt).locked_e8;
    account.apply_fill(fill(1, 0, OrderSide::buy, 6'000'051, 1, 0, FeeAsset::base));
    EXPECT_EQ(locked - account.balance(usdt).locked_e8, paid);
    EXPECT_EQ(account.balance(usdt).free_e8, 0);
  }
}

void test_spot_overflow_throws_and_changes_nothing() {
  SpotAccount account;
  account.add_instrument(0, kSpot, "BTC", "USDT");
  const AssetId usdt = account.find_asset("USDT");
  account.deposit(usdt, INT64_MAX - 5);
  EXPECT(refuses<std::overflow_error>([&] { account.deposit(usdt, 10); }, "overflows 64 bits"));
  EXPECT(refuses<std::overflow_error>([&] { account.place_order(1, 0, OrderSide::buy, INT64_MAX, INT64_MAX); },
                                      "overflows"));
  EXPECT_EQ(account.balance(usdt).free_e8, INT64_MAX - 5);
  EXPECT(account.open_orders() == 0);
}

FuturesAccount linear_account(PositionMode mode = PositionMode::one_way, MarginType margin = MarginType::cross) {
  FuturesAccount account(BookMarket::usdm, mode);
  FuturesRisk risk;
  risk.leverage = 10;
  risk.margin_type = margin;
  risk.maintenance_rate_e8 = 500'000;       // 0.5 %
  risk.maintenance_amount_e8 = 50 * kUnit;  // cum 50 USDT
  account.add_instrument(0, kLinear, risk);
  account.deposit(10'000 * kUnit);
  return account;
}

void test_linear_one_way_round_trip() {
  FuturesAccount account = linear_account();
  account.apply_fill(fill(1, 0, OrderSide::buy, 600'000, 1'000, 24 * kUnit, FeeAsset::margin));
  account.apply_fill(fill(2, 0, OrderSide::buy, 630'000, 500, 0, FeeAsset::margin));
  EXPECT_EQ(account.position(0, PositionSide::both).entry_price, 610'000);
  EXPECT_EQ(account.apply_fill(fill(3, 0, OrderSide::sell, 640'000, 600, 0, FeeAsset::margin)), 1'800 * kUnit);
  EXPECT_EQ(account.apply_fill(fill(4, 0, OrderSide::sell, 590'000, 1'400, 0, FeeAsset::margin)), -1'800 * kUnit);
  const PositionSnapshot flipped = account.position(0, PositionSide::both);
  EXPECT_EQ(flipped.qty, -500);
  EXPECT_EQ(flipped.entry_value_e8, 29'500 * kUnit);
  EXPECT_EQ(account.apply_fill(fill(5, 0, OrderSide::buy, 580'000, 500, 0, FeeAsset::margin)), 500 * kUnit);
  const FuturesSummary summary = account.summary();
  EXPECT_EQ(summary.wallet_balance_e8, 10'000 * kUnit + 500 * kUnit - 24 * kUnit);
  EXPECT_EQ(summary.unrealized_pnl_e8, 0);

  const FuturesSummary before = account.summary();
  EXPECT(refuses<AccountError>([&] { account.apply_fill(fill(6, 0, OrderSide::buy, 1, 1, 0, FeeAsset::quote)); },
                               "margin asset"));
  EXPECT(refuses<AccountError>(
      [&] { account.apply_fill(fill(6, 0, OrderSide::buy, 1, 1, 0, FeeAsset::margin, PositionSide::long_side)); },
      "one-way mode"));
  EXPECT(refuses<AccountError>([&] { account.set_leverage(0, 0); }, "leverage must be 1 to 125"));
  EXPECT(refuses<std::overflow_error>(
      [&] { account.apply_fill(fill(6, 0, OrderSide::buy, INT64_MAX, INT64_MAX, 0, FeeAsset::margin)); }, "overflows"));
  EXPECT_EQ(account.summary().wallet_balance_e8, before.wallet_balance_e8);
  EXPECT_EQ(account.position(0, PositionSide::both).qty, 0);
}

void test_linear_isolated_liquidation_price() {
  // LP = (WB + cum - side x Q x EP) / (Q x mmr - side x Q) with WB = 6,000 (60,000 / 10), cum 50.
  FuturesAccount long_account = linear_account(PositionMode::one_way, MarginType::isolated);
  long_account.apply_fill(fill(1, 0, OrderSide::buy, 600'000, 1'000, 0, FeeAsset::margin));
  EXPECT_EQ(long_account.position(0, PositionSide::both).isolated_margin_e8, 6'000 * kUnit);
  EXPECT_EQ(long_account.liquidation_price(0, PositionSide::both), 542'211);  // 54,221.1055...
  FuturesAccount short_account = linear_account(PositionMode::one_way, MarginType::isolated);
  short_account.apply_fill(fill(1, 0, OrderSide::sell, 600'000, 1'000, 0, FeeAsset::margin));
  EXPECT_EQ(short_account.liquidation_price(0, PositionSide::both), 657'214);  // 65,721.3930...
}

void test_hedge_refuses_crossing_zero() {
  FuturesAccount account = linear_account(PositionMode::hedge);
  account.apply_fill(fill(1, 0, OrderSide::buy, 600'000, 1'000, 0, FeeAsset::margin, PositionSide::long_side));
  EXPECT(refuses<AccountError>(
      [&] {
        account.apply_fill(fill(2, 0, OrderSide::sell, 600'000, 1'001, 0, FeeAsset::margin, PositionSide::long_side));
      },
      "below zero"));
  EXPECT(refuses<AccountError>([&] { account.set_position_mode(PositionMode::one_way); }, "open position"));
  EXPECT_EQ(account.position(0, PositionSide::long_side).qty, 1'000);
}

void test_inverse_worked_example() {
  FuturesAccount account(BookMarket::coinm);
  account.add_instrument(0, kInverse, FuturesRisk{});
  account.deposit(kUnit);
  account.apply_fill(fill(1, 0, OrderSide::buy, 500'000, 10, 1'000, FeeAsset::margin));  // 0.02 BTC
  account.apply_fill(fill(2, 0, OrderSide::buy, 600'000, 10, 0, FeeAsset::margin));      // 0.0166666.. BTC
  EXPECT_EQ(account.position(0, PositionSide::both).entry_value_e8, 3'666'667);
  EXPECT_EQ(account.position(0, PositionSide::both).entry_price, 545'454);  // harmonic, from the rounded value
  EXPECT_EQ(account.apply_funding(0, 550'000, 10'000, 1), -364);             // 2,000 / 55,000 x 0.0001
  EXPECT(refuses<AccountError>([&] { account.apply_funding(0, 550'000, 10'000, 1); }, "already applied"));
  EXPECT_EQ(account.apply_fill(fill(3, 0, OrderSide::sell, 700'000, 20, 0, FeeAsset::margin)), 809'524);
  EXPECT_EQ(account.summary().wallet_balance_e8, kUnit - 1'000 - 364 + 809'524);
}

// Deterministic random fills on both markets: realized + unrealized must equal the cash flow of
// every fill (each fill's value rounded once) plus the open position valued at the mark.
void test_random_fills_keep_the_identity(BookMarket market) {
  FuturesAccount account(market, PositionMode::one_way);
  const InstrumentSpec& s = market == BookMarket::coinm ? kInverse : kLinear;
  account.add_instrument(0, s, FuturesRisk{});
  account.deposit(kUnit);
  const int direction = market == BookMarket::coinm ? -1 : 1;
  uint64_t state = 0x9E3779B97F4A7C15ull;
  auto next = [&state] {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state;
  };
  int128 cash = 0, fees = 0;
  for (int step = 0; step < 20'000; ++step) {
    const bool buy = (next() & 1) != 0;
    const int64_t price = 100'000 + static_cast<int64_t>(next() % 1'400'000);
    const int64_t qty = 1 + static_cast<int64_t>(next() % 2'000);
    const int64_t fee = static_cast<int64_t>(next() % 1'000);
    account.apply_fill(fill(static_cast<uint64_t>(step), 0, buy ? OrderSide::buy : OrderSide::sell, price, qty, fee,
                            FeeAsset::margin));
    const int64_t value = market == BookMarket::coinm ? inverse_notional_e8(s, price, qty)
                                                       : linear_notional_e8(s, price, qty);
    cash += static_cast<int128>(buy ? -direction : direction) * value;
    fees += fee;
    if (step % 7 == 0) account.set_mark_price(0, 100'000 + static_cast<int64_t>(next() % 1'400'000));
    const PositionSnapshot pos = account.position(0, PositionSide::both);
    int128 position_term = 0;
    if (pos.qty != 0) {
      const int64_t magnitude = pos.qty > 0 ? pos.qty : -pos.qty;
      const int64_t at_mark = market == BookMarket::coinm ? inverse_notional_e8(s, pos.mark_price, magnitude)
                                                          : linear_notional_e8(s, pos.mark_price, magnitude);
      position_term = static_cast<int128>(pos.qty > 0 ? direction : -direction) * at_mark;
    }
    const FuturesSummary summary = account.summary();
    if (static_cast<int128>(summary.realized_pnl_e8) + summary.unrealized_pnl_e8 != cash + position_term) {
      EXPECT(!"realized + unrealized == cash flows + position at mark");
      return;
    }
    if (static_cast<int128>(summary.margin_balance_e8) != kUnit + cash + position_term - fees) {
      EXPECT(!"equity == deposits + cash flows + position at mark - fees");
      return;
    }
  }
}

}  // namespace

int main() {
  test_spot_lock_fill_release();
  test_spot_order_rounds_on_its_running_total();
  test_spot_overflow_throws_and_changes_nothing();
  test_linear_one_way_round_trip();
  test_linear_isolated_liquidation_price();
  test_hedge_refuses_crossing_zero();
  test_inverse_worked_example();
  test_random_fills_keep_the_identity(BookMarket::usdm);
  test_random_fills_keep_the_identity(BookMarket::coinm);
  if (g_failures != 0) {
    std::fprintf(stderr, "test_accounts: %d check(s) failed\n", g_failures);
    return 1;
  }
  std::printf("test_accounts: all checks passed\n");
  return 0;
}
