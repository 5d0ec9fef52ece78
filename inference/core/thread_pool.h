// A fixed pool of worker threads for data-parallel kernels.
//
// The calling thread takes part as thread 0, so a pool of size 1 runs
// everything inline. Workers spin briefly between jobs, because one decode
// step dispatches a few hundred short jobs, then sleep on a condition
// variable when no work arrives.
//
// parallel_for() does not wait for workers that have not started when the
// work runs out: on a busy machine a descheduled worker would otherwise
// stall every dispatch for a whole scheduler time slice. A job is "open"
// while workers may still join it. Workers register in `active_` before they
// look at it, so the caller closes the job and waits only for registered
// workers.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace quanta {

class ThreadPool {
public:
    // `n_threads` counts the caller; values below 1 become 1.
    explicit ThreadPool(int n_threads);
    ~ThreadPool();

    ThreadPool(const ThreadPool&) = delete;
    ThreadPool& operator=(const ThreadPool&) = delete;

    int size() const { return n_threads_; }

    // Runs `job(thread_index, n_threads)` once on every thread and returns
    // when all have finished. Not reentrant: a job must not call run().
    void run(const std::function<void(int thread_index, int n_threads)>& job);

    // Splits [0, n) into chunks of at least `grain` items, handed out
    // dynamically, and calls `body(begin, end)` for each.
    void parallel_for(int64_t n, int64_t grain, const std::function<void(int64_t begin, int64_t end)>& body);

    // Runs `body` over ranges of [0, n) like parallel_for, but each range is
    // 1 / (2 * threads) of what is left, rounded up to a multiple of `align`.
    // Ranges start long, for long memory streams, and shrink toward the end,
    // so the threads finish close together.
    void parallel_for_shrinking(int64_t n, int64_t align, const std::function<void(int64_t begin, int64_t end)>& body);

    // Number of hardware threads, at least 1.
    static int hardware_threads();
    // The default thread count for inference: the physical cores we can
    // estimate (hardware threads, halved when SMT is likely), at least 1.
    static int default_threads();

private:
    void worker_loop(int thread_index);
    // Publishes `job` to the workers and returns its generation.
    uint64_t open_job(const std::function<void(int, int)>& job);
    // Stops new workers from joining the open job and waits for those that did.
    void close_job();
    struct Range {
        int64_t begin;
        int64_t end; // may be past n, where the range is cut
    };
    // Hands out ranges of [0, n) until none is left: `claim(next)` advances
    // the shared cursor and returns the range it took.
    template <typename Claim>
    void run_ranges(int64_t n, const std::function<void(int64_t, int64_t)>& body, Claim claim);

    int n_threads_;
    std::vector<std::thread> workers_;
    const std::function<void(int, int)>* job_ = nullptr;
    std::atomic<uint64_t> generation_{0};
    std::atomic<uint64_t> open_generation_{0}; // generation that may be joined; 0 when none
    std::atomic<int> active_{0};               // workers inside the open job
    std::atomic<bool> stop_{false};
    std::atomic<int> sleeping_{0};
    std::mutex mutex_;
    std::condition_variable wake_;
};

} // namespace quanta
