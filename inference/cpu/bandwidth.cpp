#include "cpu/bandwidth.h"

#include "core/huge_page_buffer.h"
#include "core/system_memory.h"
#include "core/thread_pool.h"
#include "cpu/cpu_features.h"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstring>

namespace quanta {

namespace avx2 {
uint64_t read_sum(const uint8_t* data, size_t bytes);
}

namespace {

uint64_t read_sum_generic(const uint8_t* data, size_t bytes)
{
    // Four independent accumulators keep several loads in flight.
    uint64_t sums[4] = {0, 0, 0, 0};
    size_t i = 0;
    for (; i + 32 <= bytes; i += 32) {
        for (int lane = 0; lane < 4; ++lane) {
            uint64_t word;
            std::memcpy(&word, data + i + static_cast<size_t>(lane) * 8, sizeof(word));
            sums[lane] += word;
        }
    }
    return sums[0] ^ sums[1] ^ sums[2] ^ sums[3];
}

} // namespace

double measure_read_bandwidth(ThreadPool& pool, size_t bytes, int repetitions)
{
    constexpr size_t kAlignment = 64;
    bytes = std::max<size_t>(bytes / kAlignment * kAlignment, kAlignment);
    // The same kind of memory as the weights the CPU copies at load.
    const HugePageBuffer storage(bytes, huge_pages_enabled());
    uint8_t* data = storage.data();
    std::memset(data, 1, bytes); // fault the pages in before timing

    const bool avx2 = cpu::uses_avx2(cpu::active_kernel_set());
    double best = 0.0;
    volatile uint64_t sink = 0;
    for (int rep = 0; rep < std::max(repetitions, 1); ++rep) {
        const auto start = std::chrono::steady_clock::now();
        pool.run([&](int thread, int n_threads) {
            const size_t chunk = (bytes / static_cast<size_t>(n_threads)) / kAlignment * kAlignment;
            const size_t begin = chunk * static_cast<size_t>(thread);
            const size_t end = thread == n_threads - 1 ? bytes : begin + chunk;
            sink = sink + (avx2 ? avx2::read_sum(data + begin, end - begin) : read_sum_generic(data + begin, end - begin));
        });
        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        best = std::max(best, static_cast<double>(bytes) / seconds);
    }
    return best;
}

} // namespace quanta
