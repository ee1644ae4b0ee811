#include "veloz/order_cycle_bench.hpp"

namespace veloz {

uint64_t run_order_cycles(OrderManager& manager, uint64_t cycles, int64_t ts_ns) {
  OrderRequest request;
  request.type = OrderType::limit;
  request.price = 1000;
  request.qty = 10;
  uint64_t unexpected = 0;
  for (uint64_t i = 0; i < cycles; ++i) {
    request.ts_ns = ts_ns;
    uint64_t order_id = 0;
    unexpected += manager.submit(request, order_id) != OmsResult::applied;
    unexpected += manager.mark_sent(order_id, ts_ns + 1) != OmsResult::applied;
    unexpected += manager.ack(order_id, ts_ns + 2) != OmsResult::applied;
    unexpected += manager.fill(order_id, static_cast<int64_t>(order_id), 1000, 10, ts_ns + 3) != OmsResult::applied;
    ts_ns += 4;
  }
  return unexpected;
}

}  // namespace veloz
