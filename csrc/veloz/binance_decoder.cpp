#include "veloz/binance_decoder.hpp"

#include <cstdio>
#include <utility>

#include "veloz/json_scanner.hpp"

namespace veloz {

namespace {

// Fields seen in one payload, before we know which message it is.
struct RawFields {
  std::string_view e, s, symbol;
  std::string_view b_text, a_text, B_text, A_text, p_text, q_text;
  bool has_E = false, has_T = false, has_U = false, has_u = false, has_pu = false, has_t = false;
  bool has_m = false, has_last_update_id = false;
  bool b_levels = false, a_levels = false, bids_levels = false, asks_levels = false;
  bool b_mistyped = false;  // "b" present as neither array nor string
};

bool key_is(std::string_view key, std::string_view name) noexcept { return key == name; }

class PayloadReader {
 public:
  PayloadReader(JsonScanner& js, const BinanceDecoder& decoder, DecodedMessage& out, DecodeError& error,
                const char* begin, std::deque<std::string>& decoded)
      : js_(js), decoder_(decoder), out_(out), error_(error), begin_(begin), decoded_(decoded) {}

  bool syntax_error() {
    error_.field.clear();
    error_.reason = std::string("malformed JSON: ") + (js_.error() ? js_.error() : "syntax error");
    error_.offset = js_.offset(begin_);
    return false;
  }

  bool field_error(std::string_view field, std::string reason) {
    error_.field = std::string(field);  // not assign(): GCC 12 -Wrestrict false positive
    error_.reason = std::move(reason);
    return false;
  }

  // Converts a decimal string on a grid; `what` is "price" or "quantity".
  bool convert(std::string_view text, const DecimalGrid& grid, std::string_view field, const char* what,
               bool allow_zero, int64_t& out) {
    const DecimalStatus status = parse_steps(text, grid, out);
    if (status != DecimalStatus::ok) {
      // Built with append(): GCC 12 reports a false -Wrestrict on chained operator+ here.
      std::string reason(what);
      reason.append(" '").append(text).append("' of ").append(decoder_.symbol()).append(" is ");
      reason.append(describe(status));
      if (status == DecimalStatus::off_grid) {
        char step[32];
        const std::size_t n = format_steps(1, grid, step);
        reason.append(" ").append(step, n);
      }
      return field_error(field, std::move(reason));
    }
    if (out > kMaxAbsPrice) {
      return field_error(field, std::string(what) + " '" + std::string(text) + "' is too large for the book");
    }
    if (out < 0 || text[0] == '-' || (!allow_zero && out == 0)) {
      return field_error(field, std::string(out != 0 || text[0] == '-' ? "negative " : "zero ") + what + " '" +
                                    std::string(text) + "'");
    }
    return true;
  }

  static std::string level_field(std::string_view name, std::size_t index, int element) {
    char field[48];
    if (element < 0) {
      std::snprintf(field, sizeof field, "%.*s[%zu]", static_cast<int>(name.size()), name.data(), index);
    } else {
      std::snprintf(field, sizeof field, "%.*s[%zu][%d]", static_cast<int>(name.size()), name.data(), index, element);
    }
    return field;
  }

  // Reads level element `element` (0 price, 1 quantity) as a string; valid JSON of another type,
  // or a missing element, is a field error. Field names are formatted only on failure.
  bool read_level_text(std::string_view name, std::size_t index, int element, std::string_view& out) {
    const char next = js_.peek();
    if (next == '"') {
      if (!js_.read_string(out)) return syntax_error();
      out = unescaped(out);
      return true;
    }
    const char* what = element == 0 ? "price" : "quantity";
    if (next == ']') return field_error(level_field(name, index, -1), std::string("a level must be [price, quantity]: no ") + what);
    if (!js_.skip_value()) return syntax_error();
    return field_error(level_field(name, index, element), std::string("expected a decimal string for the ") + what);
  }

  bool read_levels(std::string_view name, std::vector<Level>& levels) {
    if (!js_.expect('[')) return syntax_error();
    std::size_t i = 0;
    for (bool first = true; js_.more(']', first); first = false, ++i) {
      if (js_.peek() != '[') {
        if (!js_.skip_value()) return syntax_error();
        return field_error(level_field(name, i, -1), "a level must be [price, quantity]");
      }
      js_.expect('[');
      std::string_view price_text, qty_text;
      if (!read_level_text(name, i, 0, price_text)) return false;
      if (js_.peek() != ']' && !js_.more(']', false)) return syntax_error();
      if (!read_level_text(name, i, 1, qty_text)) return false;
      while (js_.more(']', false)) {  // tolerate extra elements (old spot snapshots carried [])
        if (!js_.skip_value()) return syntax_error();
      }
      if (js_.error()) return syntax_error();
      Level level{};
      // Field names are only formatted on failure: this loop runs for every level of every frame.
      if (parse_steps(price_text, decoder_.price_grid(), level.price) != DecimalStatus::ok || level.price <= 0 ||
          level.price > kMaxAbsPrice) {
        return convert(price_text, decoder_.price_grid(), level_field(name, i, 0), "price", false, level.price);
      }
      if (parse_steps(qty_text, decoder_.qty_grid(), level.qty) != DecimalStatus::ok || qty_text[0] == '-') {
        return convert(qty_text, decoder_.qty_grid(), level_field(name, i, 1), "quantity", true, level.qty);
      }
      levels.push_back(level);
    }
    return js_.error() == nullptr ? true : syntax_error();
  }

  bool read_int_field(std::string_view key, int64_t& out, bool& seen) {
    const char next = js_.peek();
    if (next != '-' && (next < '0' || next > '9')) {
      if (!js_.skip_value()) return syntax_error();
      return field_error(key, "expected an integer");
    }
    const char* start = js_.position();
    if (!js_.read_int(out)) {
      // A well-formed number that is not an int64 (1.5, 1e3, too large) is a field error.
      js_.rewind(start);
      if (!js_.skip_value()) return syntax_error();
      return field_error(key, "expected a 64-bit integer");
    }
    if (out < 0) return field_error(key, "negative id or time " + std::to_string(out));
    seen = true;
    return true;
  }

  bool read_string_field(std::string_view key, std::string_view& out) {
    if (js_.peek() != '"') {
      if (!js_.skip_value()) return syntax_error();
      return field_error(key, "expected a string");
    }
    if (!js_.read_string(out)) return syntax_error();
    out = unescaped(out);
    return true;
  }

  // The text a JSON string stands for. Binance never escapes, so this is the raw view unless a
  // backslash shows up; then it is decoded into storage that lives as long as this reader.
  std::string_view unescaped(std::string_view raw) {
    if (raw.find('\\') == std::string_view::npos) return raw;
    decoded_.emplace_back();
    json_unescape(raw, decoded_.back());
    return decoded_.back();  // lives in the decoder until its next decode()
  }

  // Reads one object's members into `raw` / `out`. `allow_wrapper` accepts "stream" and "data".
  bool read_object(RawFields& raw, bool allow_wrapper) {
    if (!js_.expect('{')) return syntax_error();
    for (bool first = true; js_.more('}', first); first = false) {
      std::string_view key;
      if (!js_.read_string(key) || !js_.expect(':')) return syntax_error();
      if (!read_member(raw, unescaped(key), allow_wrapper)) return false;
    }
    return js_.error() == nullptr ? true : syntax_error();
  }

  bool read_member(RawFields& raw, std::string_view key, bool allow_wrapper) {
    const char next = js_.peek();
    switch (key.size()) {
      case 1:
        switch (key[0]) {
          case 'e': return read_string_field(key, raw.e);
          case 's': return read_string_field(key, raw.s);
          case 'E': return read_int_field(key, out_.event_time_ms, raw.has_E);
          case 'T': return read_int_field(key, out_.transaction_time_ms, raw.has_T);
          case 'U': return read_int_field(key, out_.first_update_id, raw.has_U);
          case 'u': return read_int_field(key, out_.last_update_id, raw.has_u);
          case 't': return read_int_field(key, out_.trade_id, raw.has_t);
          case 'm':
            if (!js_.read_bool(out_.buyer_is_maker)) return field_error(key, "expected true or false");
            raw.has_m = true;
            return true;
          case 'b':
            if (next == '[') return (raw.b_levels = true, read_levels(key, out_.bids));
            if (next == '"') return read_string_field(key, raw.b_text);
            raw.b_mistyped = true;
            break;
          case 'a':
            if (next == '[') return (raw.a_levels = true, read_levels(key, out_.asks));
            if (next == '"') return read_string_field(key, raw.a_text);
            break;  // aggTrade id: an integer we do not use
          case 'B':
            if (next == '"') return read_string_field(key, raw.B_text);
            break;
          case 'A':
            if (next == '"') return read_string_field(key, raw.A_text);
            break;
          case 'p':
            if (next == '"') return read_string_field(key, raw.p_text);
            break;
          case 'q':
            if (next == '"') return read_string_field(key, raw.q_text);
            break;
          default:
            break;
        }
        break;
      case 2:
        if (key_is(key, "pu")) return read_int_field(key, out_.prev_update_id, raw.has_pu);
        break;
      case 4:
        if (key_is(key, "bids")) return (raw.bids_levels = true, read_levels(key, out_.bids));
        if (key_is(key, "asks")) return (raw.asks_levels = true, read_levels(key, out_.asks));
        if (allow_wrapper && key_is(key, "data")) {
          if (next != '{') return field_error(key, "expected an object");
          return read_object(raw, false);
        }
        break;
      case 6:
        if (key_is(key, "symbol")) return read_string_field(key, raw.symbol);
        if (allow_wrapper && key_is(key, "stream")) return read_string_field(key, out_.stream);
        break;
      case 12:
        if (key_is(key, "lastUpdateId")) return read_int_field(key, out_.last_update_id, raw.has_last_update_id);
        break;
      default:
        break;
    }
    return js_.skip_value() ? true : syntax_error();
  }

  bool require(bool present, std::string_view field) {
    return present ? true : field_error(field, "required field is missing");
  }

  bool check_symbol(std::string_view field, std::string_view symbol) {
    if (decoder_.symbol().empty() || symbol == decoder_.symbol()) return true;
    return field_error(field, "symbol '" + std::string(symbol) + "' does not match " + decoder_.symbol());
  }

  bool classify(RawFields& raw) {
    const bool partial_stream = is_partial_depth_stream(out_.stream);
    if (raw.e == "depthUpdate") {
      out_.kind = partial_stream ? MessageKind::partial_depth : MessageKind::depth_update;
      if (!require(!raw.s.empty(), "s") || !require(raw.has_U, "U") || !require(raw.has_u, "u") ||
          !require(raw.b_levels, "b") || !require(raw.a_levels, "a") ||
          !require(raw.has_pu || !decoder_.futures() || out_.kind == MessageKind::partial_depth, "pu")) {
        return false;
      }
      out_.has_prev_update_id = raw.has_pu;
      out_.symbol = raw.s;
      return check_symbol("s", raw.s);
    }
    if (raw.e == "bookTicker" || (raw.e.empty() && raw.has_u && (!raw.b_text.empty() || raw.b_mistyped))) {
      out_.kind = MessageKind::book_ticker;
      if (raw.b_mistyped) return field_error("b", "expected a decimal string");
      if (!require(!raw.s.empty(), "s") || !require(raw.has_u, "u") || !require(!raw.b_text.empty(), "b") ||
          !require(!raw.B_text.empty(), "B") || !require(!raw.a_text.empty(), "a") ||
          !require(!raw.A_text.empty(), "A") || !check_symbol("s", raw.s)) {
        return false;
      }
      out_.symbol = raw.s;
      return convert(raw.b_text, decoder_.price_grid(), "b", "price", true, out_.bid_price) &&
             convert(raw.B_text, decoder_.qty_grid(), "B", "quantity", true, out_.bid_qty) &&
             convert(raw.a_text, decoder_.price_grid(), "a", "price", true, out_.ask_price) &&
             convert(raw.A_text, decoder_.qty_grid(), "A", "quantity", true, out_.ask_qty);
    }
    if (raw.e == "trade") {
      out_.kind = MessageKind::trade;
      if (!require(!raw.s.empty(), "s") || !require(raw.has_t, "t") || !require(!raw.p_text.empty(), "p") ||
          !require(!raw.q_text.empty(), "q") || !require(raw.has_T, "T") || !require(raw.has_m, "m") ||
          !check_symbol("s", raw.s)) {
        return false;
      }
      out_.symbol = raw.s;
      return convert(raw.p_text, decoder_.price_grid(), "p", "price", false, out_.price) &&
             convert(raw.q_text, decoder_.qty_grid(), "q", "quantity", true, out_.qty);
    }
    if (raw.e.empty() && raw.has_last_update_id) {
      out_.kind = partial_stream ? MessageKind::partial_depth : MessageKind::snapshot;
      if (!require(raw.bids_levels, "bids") || !require(raw.asks_levels, "asks")) return false;
      out_.symbol = raw.symbol;
      return raw.symbol.empty() ? true : check_symbol("symbol", raw.symbol);
    }
    out_.kind = MessageKind::other;
    return true;
  }

  static bool is_partial_depth_stream(std::string_view stream) noexcept {
    const std::size_t at = stream.find("@depth");
    if (at == std::string_view::npos) return false;
    const std::size_t next = at + 6;
    return next < stream.size() && stream[next] >= '0' && stream[next] <= '9';
  }

 private:
  JsonScanner& js_;
  const BinanceDecoder& decoder_;
  DecodedMessage& out_;
  DecodeError& error_;
  const char* begin_;
  std::deque<std::string>& decoded_;  // unescaped strings; a deque keeps earlier views valid
};

}  // namespace

BinanceDecoder::BinanceDecoder(DecimalGrid price_grid, DecimalGrid qty_grid, std::string symbol, bool futures)
    : price_grid_(price_grid), qty_grid_(qty_grid), symbol_(std::move(symbol)), futures_(futures) {}

bool BinanceDecoder::decode(const char* data, std::size_t size, DecodedMessage& out, DecodeError& error) {
  out.kind = MessageKind::other;
  out.stream = {};
  out.symbol = {};
  out.event_time_ms = out.transaction_time_ms = 0;
  out.first_update_id = out.last_update_id = out.prev_update_id = 0;
  out.has_prev_update_id = false;
  out.bids.clear();
  out.asks.clear();
  JsonScanner js(data, size);
  unescaped_.clear();
  PayloadReader reader(js, *this, out, error, data, unescaped_);
  RawFields raw;
  if (!reader.read_object(raw, true)) return false;
  if (!js.at_end()) {
    js.fail("trailing characters after the message");
    return reader.syntax_error();
  }
  return reader.classify(raw);
}

}  // namespace veloz
