// A perpetual futures account in one margin asset: USDT for USD-M linear contracts, or one coin
// for COIN-M inverse contracts (Binance keeps a separate COIN-M wallet per coin; so does VeloZ: one
// account each). It holds the wallet balance, the positions (one-way: one BOTH position per
// instrument; hedge mode: LONG and SHORT independently), per-instrument leverage, margin type and
// maintenance bracket, and the last mark price of each instrument.
//
//   wallet balance = net deposits + realized PnL - commissions + funding
//   margin balance (equity) = wallet balance + unrealized PnL at the mark
// Isolated margin is an allocation of the wallet to one position (docs/accounting.md).
// Every error is thrown before anything changes.
#pragma once
#include <cstddef>
#include <cstdint>
#include <unordered_map>
#include <vector>

#include "veloz/futures_position.hpp"
#include "veloz/order_types.hpp"

namespace veloz {

enum class PositionMode : uint8_t { one_way = 0, hedge = 1 };

// Everything about one position, flattened to int64 so Python reads many as one numpy array.
struct PositionSnapshot {
  int64_t instrument;
  int64_t position_side;  // PositionSide
  int64_t margin_type;    // MarginType
  int64_t leverage;
  int64_t qty;  // + long, - short
  int64_t entry_value_e8;
  int64_t entry_price;  // ticks, rounded; 0 when flat
  int64_t mark_price;   // ticks; 0 when no mark and no fill yet
  int64_t value_e8;     // |qty| at the mark
  int64_t unrealized_pnl_e8;
  int64_t realized_pnl_e8;
  int64_t fees_e8;
  int64_t funding_e8;
  int64_t isolated_margin_e8;
  int64_t initial_margin_e8;
  int64_t maintenance_margin_e8;
  int64_t liquidation_price;  // ticks; 0 when none
};

struct FuturesSummary {
  int64_t wallet_balance_e8;
  int64_t unrealized_pnl_e8;
  int64_t margin_balance_e8;    // wallet + unrealized
  int64_t cross_wallet_e8;      // wallet - isolated margins
  int64_t isolated_margin_e8;   // sum of isolated wallets
  int64_t initial_margin_e8;    // all positions, at the mark
  int64_t maintenance_margin_e8;
  int64_t available_balance_e8;  // cross wallet + cross unrealized - cross initial margin
  int64_t net_deposits_e8;
  int64_t realized_pnl_e8;
  int64_t fees_e8;
  int64_t funding_e8;
};

class FuturesAccount {
 public:
  explicit FuturesAccount(BookMarket market, PositionMode mode = PositionMode::one_way);

  BookMarket market() const noexcept { return market_; }
  PositionMode position_mode() const noexcept { return mode_; }
  void set_position_mode(PositionMode mode);  // only with no open position, as on Binance

  void add_instrument(uint32_t instrument, const InstrumentSpec& spec, const FuturesRisk& risk);
  bool has_instrument(uint32_t instrument) const noexcept { return index_.count(instrument) != 0; }
  const FuturesRisk& risk(uint32_t instrument) const;
  void set_leverage(uint32_t instrument, int32_t leverage);
  void set_margin_type(uint32_t instrument, MarginType type);  // only while the instrument is flat
  void set_maintenance(uint32_t instrument, int64_t rate_e8, int64_t amount_e8);

  void deposit(int64_t amount_e8);
  void withdraw(int64_t amount_e8);  // up to the available balance
  // Moves margin between the cross wallet and an open isolated position (+ adds, - removes; what
  // stays must cover the position's initial margin).
  void adjust_isolated_margin(uint32_t instrument, PositionSide side, int64_t amount_e8);

  void set_mark_price(uint32_t instrument, int64_t mark_ticks);
  // Returns the realized PnL of the fill. Fees must be in the margin asset (FeeAsset::margin).
  int64_t apply_fill(const Fill& fill);
  // Pays or charges every position of the instrument value(mark, |qty|) x rate (longs pay when the
  // rate is positive) and records `mark_ticks` as the mark. Funding times of an instrument must
  // increase: a repeated or earlier time is refused. Returns the total received (+) or paid (-).
  int64_t apply_funding(uint32_t instrument, int64_t mark_ticks, int64_t rate_e8, int64_t funding_time_ns);

  PositionSnapshot position(uint32_t instrument, PositionSide side) const;
  // Appends the snapshot of every open position (or every slot of the mode, flat included).
  void positions(std::vector<PositionSnapshot>& out, bool include_flat) const;
  FuturesSummary summary() const;
  int64_t liquidation_price(uint32_t instrument, PositionSide side) const;

 private:
  struct Instrument {
    uint32_t id;
    InstrumentSpec spec;
    FuturesRisk risk;
    int64_t mark_price = 0;  // 0 until set
    int64_t last_fill_price = 0;
    bool funded = false;
    int64_t last_funding_ns = 0;
    PositionSlot slots[3];  // indexed by PositionSide: BOTH, LONG, SHORT
  };

  std::size_t index_of(uint32_t id) const;
  Instrument& instrument(uint32_t id);
  const Instrument& instrument(uint32_t id) const;
  int64_t mark_of(const Instrument& inst) const noexcept;  // the mark, or the last fill price before one is set
  PositionSide slot_for(const Instrument& inst, PositionSide requested, const char* what) const;
  bool flat(const Instrument& inst) const noexcept;
  int64_t isolated_total() const;
  // What cross liquidation prices need from the whole account, computed once per read.
  struct CrossMargin {
    int64_t cross_wallet;
    int128 unrealized_less_maintenance;  // over every cross position
  };
  CrossMargin cross_margin() const;
  // Unrealized PnL less maintenance margin of the instrument's positions (0 if isolated).
  int128 unrealized_less_maintenance(const Instrument& inst) const;
  int64_t liquidation_price(const Instrument& inst, PositionSide side, const CrossMargin& cross) const;
  PositionSnapshot snapshot(const Instrument& inst, PositionSide side, const CrossMargin& cross) const;

  BookMarket market_;
  PositionMode mode_;
  int64_t wallet_e8_ = 0;
  int64_t net_deposits_e8_ = 0;
  int64_t realized_e8_ = 0;
  int64_t fees_e8_ = 0;
  int64_t funding_e8_ = 0;
  std::vector<Instrument> instruments_;
  std::unordered_map<uint32_t, std::size_t> index_;
};

}  // namespace veloz
