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

void ThreadPool::run(const std::function<void(int, int)>& job)
{
    if (n_threads_ == 1) {
        job(0, 1);
        return;
    }

    job_ = &job;
    pending_.store(n_threads_ - 1, std::memory_order_release);
    {
        // Publishing the generation under the mutex pairs with the check in
        // worker_loop, so a worker about to sleep cannot miss the wake-up.
        std::lock_guard lock(mutex_);
        generation_.fetch_add(1, std::memory_order_acq_rel);
    }
    if (sleeping_.load(std::memory_order_acquire) > 0)
        wake_.notify_all();

    job(0, n_threads_);

    while (pending_.load(std::memory_order_acquire) > 0)
        QUANTA_CPU_RELAX();
    job_ = nullptr;
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
    std::atomic<int64_t> next{0};
    run([&](int, int) {
        for (;;) {
            const int64_t begin = next.fetch_add(chunk, std::memory_order_relaxed);
            if (begin >= n)
                break;
            const int64_t end = begin + chunk < n ? begin + chunk : n;
            body(begin, end);
        }
    });
}

void ThreadPool::worker_loop(int thread_index)
{
    uint64_t seen = 0;
    for (;;) {
        // Spin, then sleep, until a new generation is published.
        const auto spin_until = std::chrono::steady_clock::now() + kSpinDuration;
        uint32_t spins = 0;
        while (generation_.load(std::memory_order_acquire) == seen) {
            QUANTA_CPU_RELAX();
            if ((++spins & 1023) == 0 && std::chrono::steady_clock::now() > spin_until) {
                std::unique_lock lock(mutex_);
                sleeping_.fetch_add(1, std::memory_order_acq_rel);
                wake_.wait(lock, [&] { return generation_.load(std::memory_order_acquire) != seen; });
                sleeping_.fetch_sub(1, std::memory_order_acq_rel);
            }
        }
        seen = generation_.load(std::memory_order_acquire);
        if (stop_.load(std::memory_order_acquire))
            return;

        (*job_)(thread_index, n_threads_);
        pending_.fetch_sub(1, std::memory_order_acq_rel);
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
