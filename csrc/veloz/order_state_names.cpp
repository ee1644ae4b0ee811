// Names of the order state machine's statuses, events and results, as error messages and the
// Python API spell them.
#include "veloz/order_state_machine.hpp"

namespace veloz {

const char* status_name(OrderStatus status) noexcept {
  switch (status) {
    case OrderStatus::new_order: return "NEW";
    case OrderStatus::accepted: return "ACCEPTED";
    case OrderStatus::partially_filled: return "PARTIALLY_FILLED";
    case OrderStatus::filled: return "FILLED";
    case OrderStatus::canceled: return "CANCELED";
    case OrderStatus::rejected: return "REJECTED";
    case OrderStatus::expired: return "EXPIRED";
    case OrderStatus::pending_cancel: return "PENDING_CANCEL";
    case OrderStatus::pending_amend: return "PENDING_AMEND";
  }
  return "?";
}

const char* event_name(OrderEvent event) noexcept {
  switch (event) {
    case OrderEvent::submit: return "submit";
    case OrderEvent::mark_sent: return "mark_sent";
    case OrderEvent::ack: return "ack";
    case OrderEvent::reject: return "reject";
    case OrderEvent::fill: return "fill";
    case OrderEvent::cancel_request: return "cancel_request";
    case OrderEvent::cancel_ack: return "cancel_ack";
    case OrderEvent::cancel_reject: return "cancel_reject";
    case OrderEvent::amend_request: return "amend_request";
    case OrderEvent::amend_ack: return "amend_ack";
    case OrderEvent::amend_reject: return "amend_reject";
    case OrderEvent::expire: return "expire";
  }
  return "?";
}

const char* result_name(OmsResult result) noexcept {
  switch (result) {
    case OmsResult::applied: return "applied";
    case OmsResult::duplicate: return "duplicate";
    case OmsResult::late: return "late";
    case OmsResult::illegal_transition: return "illegal_transition";
    case OmsResult::overfill: return "overfill";
    case OmsResult::invalid_quantity: return "invalid_quantity";
    case OmsResult::invalid_price: return "invalid_price";
    case OmsResult::invalid_request: return "invalid_request";
    case OmsResult::invalid_client_order_id: return "invalid_client_order_id";
    case OmsResult::client_order_id_in_use: return "client_order_id_in_use";
    case OmsResult::unknown_order: return "unknown_order";
  }
  return "?";
}

}  // namespace veloz
