// A failing check prints its condition and message and is counted; the test's main() returns
// non-zero when any failed. Shared by the native test drivers.
#pragma once
#include <cstdio>

namespace veloz_test {
inline int failures = 0;
}  // namespace veloz_test

#define CHECK(cond, ...)                          \
  do {                                            \
    if (!(cond)) {                                \
      ++veloz_test::failures;                     \
      std::fprintf(stderr, "FAILED %s: ", #cond); \
      std::fprintf(stderr, __VA_ARGS__);          \
      std::fprintf(stderr, "\n");                 \
    }                                             \
  } while (0)
