#include "core/thread_pool.h"

#include <chrono>
#include <fstream>
#include <set>
#include <string>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define QUANTA_CPU_RELAX() _mm_pause()
#else
#define QUANTA_CPU_RELAX() std::this_thread::yield()
#endif

namespace quanta {

namespace {

// How long an idle worker spins before it sleeps. Long enough to bridge the
// gap between the kernels of one decode step, short enough not to burn a
// core while the user reads.
constexpr auto kSpinDuration = std::chrono::microseconds(2000);

} // namespace

ThreadPool::ThreadPool(int n_threads)
    : n_threads_(n_threads < 1 ? 1 : n_threads)
{
    workers_.reserve(static_cast<size_t>(n_threads_ - 1));
    for (int i = 1; i < n_threads_; ++i)
        workers_.emplace_back([this, i] { worker_loop(i); });
}

ThreadPool::~ThreadPool()
{
    {
        std::lock_guard lock(mutex_);
        stop_.store(true, std::memory_order_release);
        generation_.fetch_add(1, std::memory_order_acq_rel);
    }
    wake_.notify_all();
    for (auto& worker : workers_)
        worker.join();
}

namespace {

// Spins on `done` with pause instructions, yielding the core now and then so
// a worker that shares it with the caller can run.
template <typename Predicate>
void spin_until(Predicate done)
{
    for (uint32_t spins = 1; !done(); ++spins) {
        QUANTA_CPU_RELAX();
        if ((spins & 255) == 0)
            std::this_thread::yield();
    }
}

} // namespace

uint64_t ThreadPool::open_job(const std::function<void(int, int)>& job)
{
    job_ = &job;
    uint64_t generation;
    {
        // Publishing the generation under the mutex pairs with the check in
        // worker_loop, so a worker about to sleep cannot miss the wake-up.
        std::lock_guard lock(mutex_);
        generation = generation_.load(std::memory_order_relaxed) + 1;
        open_generation_.store(generation, std::memory_order_seq_cst);
        generation_.store(generation, std::memory_order_seq_cst);
    }
    if (sleeping_.load(std::memory_order_seq_cst) > 0)
        wake_.notify_all();
    return generation;
}

void ThreadPool::close_job()
{
    // A worker registers in active_ before it checks open_generation_, and
    // both sides use sequentially consistent operations, so either the
    // worker reads the job as closed or this loop counts the worker.
    open_generation_.store(0, std::memory_order_seq_cst);
    spin_until([&] { return active_.load(std::memory_order_seq_cst) == 0; });
    job_ = nullptr;
}

void ThreadPool::run(const std::function<void(int, int)>& job)
{
    if (n_threads_ == 1) {
        job(0, 1);
        return;
    }

    // Every thread must run the job once, so wait for all of them.
    std::atomic<int> pending{n_threads_ - 1};
    const std::function<void(int, int)> counted = [&](int index, int count) {
        job(index, count);
        pending.fetch_sub(1, std::memory_order_acq_rel);
    };
    open_job(counted);
    job(0, n_threads_);
    spin_until([&] { return pending.load(std::memory_order_acquire) == 0; });
    close_job();
}

template <typename Claim>
void ThreadPool::run_ranges(int64_t n, const std::function<void(int64_t, int64_t)>& body, Claim claim)
{
    std::atomic<int64_t> next{0};
    std::atomic<int64_t> finished{0};
    const std::function<void(int, int)> job = [&](int, int) {
        for (;;) {
            const Range range = claim(next);
            if (range.begin >= n)
                break;
            const int64_t end = range.end < n ? range.end : n;
            body(range.begin, end);
            finished.fetch_add(end - range.begin, std::memory_order_acq_rel);
        }
    };

    // The caller works too; then it waits only for ranges already taken.
    open_job(job);
    job(0, n_threads_);
    spin_until([&] { return finished.load(std::memory_order_acquire) == n; });
    close_job();
}

void ThreadPool::parallel_for(int64_t n, int64_t grain, const std::function<void(int64_t, int64_t)>& body)
{
    if (n <= 0)
        return;
    if (grain < 1)
        grain = 1;
    if (n_threads_ == 1 || n <= grain) {
        body(0, n);
        return;
    }

    // Aim for a few chunks per thread so uneven chunks balance out.
    int64_t chunk = (n + n_threads_ * 4 - 1) / (n_threads_ * 4);
    if (chunk < grain)
        chunk = grain;
    run_ranges(n, body, [&](std::atomic<int64_t>& next) {
        const int64_t begin = next.fetch_add(chunk, std::memory_order_relaxed);
        return Range{begin, begin + chunk};
    });
}

void ThreadPool::parallel_for_shrinking(int64_t n, int64_t align,
                                        const std::function<void(int64_t begin, int64_t end)>& body)
{
    if (n <= 0)
        return;
    if (align < 1)
        align = 1;
    if (n_threads_ == 1 || n <= align) {
        body(0, n);
        return;
    }

    // A range is a share of what is left, rounded up to `align`.
    const int64_t divisor = 2 * static_cast<int64_t>(n_threads_);
    const auto size_at = [&](int64_t begin) {
        const int64_t share = (n - begin + divisor - 1) / divisor;
        return (share + align - 1) / align * align;
    };
    run_ranges(n, body, [&](std::atomic<int64_t>& next) {
        int64_t begin = next.load(std::memory_order_relaxed);
        while (begin < n && !next.compare_exchange_weak(begin, begin + size_at(begin), std::memory_order_relaxed)) {
        }
        return Range{begin, begin + size_at(begin)};
    });
}

void ThreadPool::worker_loop(int thread_index)
{
    uint64_t seen = 0;
    for (;;) {
        // Spin, then sleep, until a new generation is published.
        const auto spin_deadline = std::chrono::steady_clock::now() + kSpinDuration;
        uint32_t spins = 0;
        while (generation_.load(std::memory_order_acquire) == seen) {
            QUANTA_CPU_RELAX();
            if ((++spins & 1023) == 0 && std::chrono::steady_clock::now() > spin_deadline) {
                std::unique_lock lock(mutex_);
                sleeping_.fetch_add(1, std::memory_order_seq_cst);
                wake_.wait(lock, [&] { return generation_.load(std::memory_order_acquire) != seen; });
                sleeping_.fetch_sub(1, std::memory_order_seq_cst);
            }
        }
        seen = generation_.load(std::memory_order_acquire);
        if (stop_.load(std::memory_order_acquire))
            return;

        // Join the job only while it is still open for this generation.
        active_.fetch_add(1, std::memory_order_seq_cst);
        if (open_generation_.load(std::memory_order_seq_cst) == seen)
            (*job_)(thread_index, n_threads_);
        active_.fetch_sub(1, std::memory_order_seq_cst);
    }
}

int ThreadPool::hardware_threads()
{
    const unsigned count = std::thread::hardware_concurrency();
    return count == 0 ? 1 : static_cast<int>(count);
}

int ThreadPool::default_threads()
{
    // Count distinct (package, core) pairs from sysfs; SMT siblings share one.
    std::set<std::string> cores;
    const int hardware = hardware_threads();
    for (int cpu = 0; cpu < hardware; ++cpu) {
        const std::string base = "/sys/devices/system/cpu/cpu" + std::to_string(cpu) + "/topology/";
        std::ifstream package(base + "physical_package_id");
        std::ifstream core(base + "core_id");
        std::string package_id;
        std::string core_id;
        if (!(package >> package_id) || !(core >> core_id))
            return hardware;
        cores.insert(package_id + ":" + core_id);
    }
    return cores.empty() ? hardware : static_cast<int>(cores.size());
}

} // namespace quanta
