# cython: boundscheck=False, wraparound=False
"""Exact decimal <-> integer step conversion (ticks, lots) for the Python side."""
from libc.stdint cimport int64_t

from core_decl cimport (DecimalGrid as CDecimalGrid, DecimalStatus, describe, format_steps, make_grid,
                        parse_steps, string_view)

from checked_ints cimport as_int64

from veloz.errors import DecimalFormatError


cdef class DecimalGrid:
    """The grid of allowed values of a price or quantity: a step such as ``"0.10"``."""

    cdef CDecimalGrid grid
    cdef readonly str step
    cdef readonly str label

    def __cinit__(self, *args, **kwargs):
        self.grid.step_units = 1  # a valid grid even if __init__ is bypassed

    def __init__(self, str step, str label=""):
        cdef bytes raw = step.encode("ascii", "replace")
        cdef DecimalStatus status = make_grid(string_view(raw, len(raw)), self.grid)
        if status != DecimalStatus.ok:
            raise DecimalFormatError(f"step '{step}'{' of ' + label if label else ''}: "
                                     f"{describe(status).decode()}")
        self.label = label
        self.step = self.format(1)

    @property
    def scale(self) -> int:
        """Decimals needed to write any value on the grid."""
        return self.grid.scale

    @property
    def step_units(self) -> int:
        """The step in units of 10**-scale."""
        return self.grid.step_units

    def to_steps(self, str text) -> int:
        """Exact number of steps in ``text``; raises DecimalFormatError if not on the grid."""
        cdef bytes raw = text.encode("ascii", "replace")
        cdef int64_t out = 0
        cdef DecimalStatus status = parse_steps(string_view(raw, len(raw)), self.grid, out)
        if status != DecimalStatus.ok:
            what = f" of {self.label}" if self.label else ""
            extra = f" {self.step}" if status == DecimalStatus.off_grid else ""
            raise DecimalFormatError(f"'{text}'{what} is {describe(status).decode()}{extra}")
        return out

    def format(self, steps) -> str:
        """Decimal string of ``steps`` (an integer) with exactly ``scale`` decimals."""
        cdef char buf[32]
        cdef size_t n = format_steps(as_int64(steps, "steps"), self.grid, buf)
        if n == 0:
            raise DecimalFormatError(f"{steps} steps of {self.label or 'grid'} overflow 64 bits")
        return buf[:n].decode("ascii")

    def __repr__(self) -> str:
        return f"DecimalGrid({self.step!r})"

    def __reduce__(self):
        return (DecimalGrid, (self.step, self.label))
