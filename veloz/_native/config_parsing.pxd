# Turning the Python-side configuration (decimal strings, latency tuples) into core structs, shared
# by the binding modules.
from libc.stdint cimport int64_t, uint8_t

from core_decl cimport DecimalGrid, DecimalStatus, LatencyConfig, LatencyKind, make_grid, parse_steps, string_view


cdef inline DecimalGrid grid_from(str step, str what) except *:
    """A tick or lot grid from a step string such as "0.10"."""
    cdef DecimalGrid grid
    cdef bytes raw = step.encode("ascii", "replace")
    if make_grid(string_view(raw, len(raw)), grid) != DecimalStatus.ok:
        raise ValueError(f"{what} '{step}' is not a valid step")
    return grid


cdef inline int64_t decimal_e8(str amount, str what) except? -1:
    """An exact decimal with at most 8 decimals, in 1e-8 units: '0.0002' -> 20000 (may be negative)."""
    cdef DecimalGrid grid
    grid.scale = 8
    grid.step_units = 1
    cdef bytes raw = amount.encode("ascii", "replace")
    cdef int64_t out = 0
    if parse_steps(string_view(raw, len(raw)), grid, out) != DecimalStatus.ok:
        raise ValueError(f"{what} '{amount}' is not a decimal with at most 8 decimals")
    return out


cdef inline LatencyConfig latency_from(tuple spec, str what) except *:
    """A latency from (kind, base_ns, spread_ns, mu, sigma); see veloz.matching.Latency."""
    cdef LatencyConfig config
    kind, base_ns, spread_ns, mu, sigma = spec
    kinds = {"constant": 0, "uniform": 1, "lognormal": 2}
    if kind not in kinds:
        raise ValueError(f"{what}: kind must be one of {sorted(kinds)}, not {kind!r}")
    if base_ns < 0 or spread_ns < 0 or not sigma >= 0:
        raise ValueError(f"{what}: latencies and sigma must be >= 0")
    # lognormal: mu and sigma are of ln(ns); exp(mu + 6 sigma) beyond ~1000 s is a unit mistake
    # (mu given in ns, say) and would overflow the draws
    if kind == "lognormal" and not (abs(mu) <= 30 and sigma <= 5 and mu + 6 * sigma <= 27.7):
        raise ValueError(f"{what}: lognormal mu {mu} and sigma {sigma} are of ln(ns) (e.g. mu 12.2 for ~200 us); "
                         "these give latencies beyond 1000 s")
    config.kind = <LatencyKind><uint8_t>kinds[kind]
    config.base_ns = base_ns
    config.spread_ns = spread_ns
    config.mu = mu
    config.sigma = sigma
    return config
