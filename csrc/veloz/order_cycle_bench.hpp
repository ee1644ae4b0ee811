// The order state machine's share of an order's life, timed without Python: submit, mark sent,
// ack and one full fill per cycle (the bench/workloads/oms_cycle.py C++ figure).
#pragma once
#include <cstdint>

#include "veloz/order_state_machine.hpp"

namespace veloz {

// Runs `cycles` LIMIT buy orders of 10 lots at 1000 ticks through the full cycle, with generated
// client ids and timestamps from ts_ns on. Returns how many events did not return `applied`
// (0 unless the state machine is broken).
uint64_t run_order_cycles(OrderManager& manager, uint64_t cycles, int64_t ts_ns);

}  // namespace veloz
