// One instrument's simulated trading session, owned in one place: OMS, matching engine, account
// and the SimExecution wiring between them. Python drives it with one call per step (submit one
// order; advance the venue and deliver its reports), so a simulated order cycle crosses the
// language boundary twice instead of once per OMS event.
#pragma once
#include <cstdint>
#include <memory>
#include <string>

#include "veloz/futures_account.hpp"
#include "veloz/matching_engine.hpp"
#include "veloz/order_state_machine.hpp"
#include "veloz/sim_execution.hpp"
#include "veloz/spot_account.hpp"

namespace veloz {

struct SimSessionConfig {
  InstrumentSpec spec;
  VenueConfig venue;
  FuturesRisk risk;          // futures only
  bool hedge_mode = false;   // futures only
  int64_t deposit_e8 = 0;    // futures: margin asset; spot: quote asset
  std::string base_asset = "BASE";    // spot only
  std::string quote_asset = "QUOTE";  // spot only
  int window_bits = 18;
};

class SimSession {
 public:
  static constexpr uint32_t kInstrument = 0;

  explicit SimSession(const SimSessionConfig& config);

  OmsResult submit(const OrderRequest& request, uint64_t& order_id) { return execution_->submit(request, order_id); }
  OmsResult cancel(uint64_t order_id, int64_t ts_ns) { return execution_->cancel(order_id, ts_ns); }
  OmsResult amend(uint64_t order_id, int64_t price, int64_t qty, int64_t ts_ns) {
    return execution_->amend(order_id, price, qty, ts_ns);
  }
  // Lets the venue act on commands that reached it by `ts_ns`, then delivers due reports.
  std::size_t advance(int64_t ts_ns) {
    venue_.advance_to(ts_ns);
    return execution_->deliver(ts_ns);
  }

  OrderManager& oms() noexcept { return oms_; }
  MatchingEngine& venue() noexcept { return venue_; }
  FuturesAccount* futures() noexcept { return futures_.get(); }
  SpotAccount* spot() noexcept { return spot_.get(); }
  const SimExecution& execution() const noexcept { return *execution_; }

 private:
  OrderManager oms_;
  MatchingEngine venue_;
  std::unique_ptr<FuturesAccount> futures_;
  std::unique_ptr<SpotAccount> spot_;
  std::unique_ptr<SimExecution> execution_;
};

}  // namespace veloz
