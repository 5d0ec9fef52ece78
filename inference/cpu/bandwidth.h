// Measures how fast this machine streams memory into the cores, for the
// roofline figure of `quanta-cli bench`.
#pragma once

#include <cstddef>

namespace quanta {

class ThreadPool;

// Reads a buffer of `bytes` bytes (larger than the caches) `repetitions`
// times with all of the pool's threads and returns the best rate in bytes
// per second.
double measure_read_bandwidth(ThreadPool& pool, size_t bytes, int repetitions);

} // namespace quanta
