#include "veloz/sim_session.hpp"

namespace veloz {

SimSession::SimSession(const SimSessionConfig& config)
    : oms_("vz-"), venue_(config.spec, config.venue, config.window_bits) {
  if (config.spec.market == BookMarket::spot) {
    spot_ = std::make_unique<SpotAccount>();
    spot_->add_instrument(kInstrument, config.spec, config.base_asset, config.quote_asset);
    if (config.deposit_e8 > 0) spot_->deposit(spot_->find_asset(config.quote_asset), config.deposit_e8);
  } else {
    futures_ = std::make_unique<FuturesAccount>(config.spec.market,
                                                config.hedge_mode ? PositionMode::hedge : PositionMode::one_way);
    futures_->add_instrument(kInstrument, config.spec, config.risk);
    if (config.deposit_e8 > 0) futures_->deposit(config.deposit_e8);
  }
  execution_ = std::make_unique<SimExecution>(oms_, venue_, kInstrument, futures_.get(), spot_.get());
}

}  // namespace veloz
