# Integer arguments for the bindings: anything with __index__ (Python or numpy integers), never a
# float. C-typed Cython parameters would call __int__ and silently truncate 1.9 to 1.
from cpython.number cimport PyNumber_Index
from libc.stdint cimport int64_t, uint64_t


cdef inline int64_t as_int64(object value, str name) except? -1:
    if type(value) is int:
        return value
    try:
        return PyNumber_Index(value)
    except TypeError:
        raise TypeError(f"{name} must be an integer, not {type(value).__name__}") from None


cdef inline uint64_t as_uint64(object value, str name) except? 0xFFFFFFFFFFFFFFFF:
    if type(value) is int:
        return value
    try:
        return PyNumber_Index(value)
    except TypeError:
        raise TypeError(f"{name} must be an integer, not {type(value).__name__}") from None
