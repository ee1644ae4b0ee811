// The order path of a simulated run, wired once: a strategy's order goes through the OMS to the
// matching engine; the engine's reports, when delivered, drive the OMS state machine and the
// account. Backtests and paper trading use this; live trading swaps the engine for a venue adapter
// that produces the same reports.
#pragma once
#include <cstddef>
#include <cstdint>

#include "veloz/futures_account.hpp"
#include "veloz/matching_engine.hpp"
#include "veloz/order_state_machine.hpp"
#include "veloz/spot_account.hpp"

namespace veloz {

struct SimExecutionCounters {
  uint64_t reports = 0;        // venue reports delivered
  uint64_t fills = 0;          // fills applied to the OMS and the account
  uint64_t oms_refusals = 0;      // reports the OMS refused: a disagreement, never expected
  uint64_t account_refusals = 0;  // fills the account could not settle (e.g. an unlocked spot
                                  // market order whose funds were gone): counted, never lost
  uint64_t local_rejects = 0;     // orders rejected before sending (e.g. balance could not cover)
};

class SimExecution {
 public:
  // One instrument on one venue; exactly one of `futures` / `spot` is set (the other nullptr).
  SimExecution(OrderManager& oms, MatchingEngine& venue, uint32_t instrument, FuturesAccount* futures,
               SpotAccount* spot);

  // Creates the order in the OMS and sends it (at request.ts_ns). A spot order's funds are locked
  // first; if they cannot be, the order is rejected locally and never sent. Returns the OMS result.
  OmsResult submit(const OrderRequest& request, uint64_t& order_id);
  // Cancel/amend: refused (invalid_request) without touching the OMS when `ts_ns` is earlier than
  // the last command sent. Amend is refused on spot: the funds lock cannot follow a new size.
  OmsResult cancel(uint64_t order_id, int64_t ts_ns);
  OmsResult amend(uint64_t order_id, int64_t price, int64_t qty, int64_t ts_ns);

  // Delivers every venue report due by `up_to_ns` to the OMS and the account. Returns how many.
  std::size_t deliver(int64_t up_to_ns);
  // Delivers the next report due by `up_to_ns`, if any, and copies it to `out`.
  bool deliver_one(int64_t up_to_ns, ExecReport& out);
  // What the last delivered report did: a fill applied to the OMS and the account, and the
  // realized PnL the account booked for it (futures; 0 on spot).
  bool last_fill_applied() const noexcept { return last_fill_applied_; }
  int64_t last_fill_realized_e8() const noexcept { return last_fill_realized_e8_; }

  const SimExecutionCounters& counters() const noexcept { return counters_; }

  // Futures: refuse (locally, Binance -2019) an order whose opening part needs more initial margin
  // than the account has available, valued at its limit or stop price, or for a market order at
  // the touch it would take. Margin of other open orders is not reserved (docs/backtest.md).
  void set_margin_check(bool on) noexcept { margin_check_ = on; }

 private:
  void on_report(const ExecReport& report);
  void release_if_finished(uint64_t order_id);
  bool margin_covers(const OrderRequest& request) const;
  bool spot_market_covered(const OrderRequest& request) const;

  OrderManager& oms_;
  MatchingEngine& venue_;
  uint32_t instrument_;
  FuturesAccount* futures_;
  SpotAccount* spot_;
  SimExecutionCounters counters_;
  ExecReport batch_[64];
  bool margin_check_ = false;
  bool last_fill_applied_ = false;
  int64_t last_fill_realized_e8_ = 0;
};

}  // namespace veloz
