// The thread pool, the huge-page buffer, the system memory readers and the
// attention vector helpers against plain loops.
#include "core/huge_page_buffer.h"
#include "core/system_memory.h"
#include "core/thread_pool.h"
#include "cpu/cpu_features.h"
#include "cpu/vec_f16.h"
#include "engine/session.h"
#include "model/kv_cache.h"
#include "model/ops.h"
#include "quant/blocks.h"

#include <QtTest>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <optional>
#include <random>
#include <utility>

using namespace quanta;

class CpuHelpersTest : public QObject {
    Q_OBJECT

private slots:
    void poolRunsEveryThread();
    void parallelForCoversRange();
    void poolRunsManyShortJobs();
    void shrinkingRangesCoverRange();
    void hugePageBufferIsAlignedAndZeroed();
    void systemMemoryFilesParse();
    void vectorHelpersMatchScalar();
    void attentionMatchesScalar_data();
    void attentionMatchesScalar();
};

void CpuHelpersTest::poolRunsEveryThread()
{
    for (int threads : {1, 2, 3, 5}) {
        ThreadPool pool(threads);
        std::vector<std::atomic<int>> hits(static_cast<size_t>(threads));
        pool.run([&](int index, int count) {
            QCOMPARE(count, threads);
            hits[static_cast<size_t>(index)]++;
        });
        for (auto& hit : hits)
            QCOMPARE(hit.load(), 1);
    }
}

void CpuHelpersTest::parallelForCoversRange()
{
    ThreadPool pool(3);
    for (int64_t n : {int64_t(0), int64_t(1), int64_t(7), int64_t(1000), int64_t(4097)}) {
        std::vector<std::atomic<int>> seen(static_cast<size_t>(n));
        pool.parallel_for(n, 3, [&](int64_t begin, int64_t end) {
            for (int64_t i = begin; i < end; ++i)
                seen[static_cast<size_t>(i)]++;
        });
        for (auto& count : seen)
            QCOMPARE(count.load(), 1);
    }
}

void CpuHelpersTest::shrinkingRangesCoverRange()
{
    for (int threads : {1, 2, 3}) {
        ThreadPool pool(threads);
        for (int64_t n : {int64_t(0), int64_t(5), int64_t(16), int64_t(256), int64_t(2051), int64_t(32000)}) {
            std::vector<std::atomic<int>> seen(static_cast<size_t>(n));
            std::mutex mutex;
            std::vector<std::pair<int64_t, int64_t>> ranges;
            pool.parallel_for_shrinking(n, 16, [&](int64_t begin, int64_t end) {
                for (int64_t i = begin; i < end; ++i)
                    seen[static_cast<size_t>(i)]++;
                std::lock_guard lock(mutex);
                ranges.emplace_back(begin, end);
            });
            for (auto& count : seen)
                QCOMPARE(count.load(), 1);
            // Ranges start on multiples of the alignment and never grow.
            std::sort(ranges.begin(), ranges.end());
            for (size_t i = 0; i < ranges.size(); ++i) {
                QCOMPARE(ranges[i].first % 16, int64_t(0));
                if (i + 2 < ranges.size()) {
                    QVERIFY2(ranges[i + 1].second - ranges[i + 1].first <= ranges[i].second - ranges[i].first,
                             qPrintable(QStringLiteral("n %1, range %2").arg(n).arg(i)));
                }
            }
        }
    }
}

void CpuHelpersTest::hugePageBufferIsAlignedAndZeroed()
{
    const HugePageBuffer empty(0);
    QVERIFY(!empty.data());
    QCOMPARE(empty.size(), size_t{0});

    HugePageBuffer buffer(3 * HugePageBuffer::kHugePageBytes + 100);
    QVERIFY(buffer.data());
    QCOMPARE(reinterpret_cast<uintptr_t>(buffer.data()) % HugePageBuffer::kHugePageBytes, uintptr_t{0});
    QCOMPARE(buffer.size(), 3 * HugePageBuffer::kHugePageBytes + 100);
    QCOMPARE(buffer.advised(), transparent_huge_pages_enabled());
    QVERIFY(!HugePageBuffer(100, false).advised());
    for (size_t i = 0; i < buffer.size(); i += 4096)
        QCOMPARE(buffer.data()[i], uint8_t{0});
    buffer.data()[buffer.size() - 1] = 7;

    // Moving hands the memory over.
    uint8_t* const data = buffer.data();
    HugePageBuffer moved(std::move(buffer));
    QCOMPARE(moved.data(), data);
    QVERIFY(!buffer.data());
    QCOMPARE(moved.data()[moved.size() - 1], uint8_t{7});
    buffer = std::move(moved);
    QCOMPARE(buffer.data(), data);

    // A size the address space cannot hold throws std::bad_alloc.
    QVERIFY_THROWS_EXCEPTION(std::bad_alloc, HugePageBuffer(SIZE_MAX - 1));
    QVERIFY_THROWS_EXCEPTION(std::bad_alloc, HugePageBuffer(size_t{1} << 62));
}

void CpuHelpersTest::systemMemoryFilesParse()
{
    QCOMPARE(parse_mem_available("MemTotal:       24000000 kB\nMemFree:  100 kB\nMemAvailable:   12345 kB\n"),
             std::optional<uint64_t>(12345ull * 1024));
    QCOMPARE(parse_mem_available("MemTotal:       24000000 kB\n"), std::nullopt);
    QCOMPARE(parse_mem_available("MemAvailable: lots\n"), std::nullopt);
    QCOMPARE(parse_mem_available(""), std::nullopt);
    QVERIFY(memory_available_bytes().value_or(0) > 0);

    QVERIFY(parse_thp_enabled("always [madvise] never\n"));
    QVERIFY(parse_thp_enabled("[always] madvise never\n"));
    QVERIFY(!parse_thp_enabled("always madvise [never]\n"));
    QVERIFY(!parse_thp_enabled(""));

    // QUANTA_HUGE_PAGES=off or 0 turns huge pages off, in any letter case.
    qputenv("QUANTA_HUGE_PAGES", "off");
    QVERIFY(!huge_pages_enabled());
    qputenv("QUANTA_HUGE_PAGES", "0");
    QVERIFY(!huge_pages_enabled());
    qputenv("QUANTA_HUGE_PAGES", " Off\n");
    QVERIFY(!huge_pages_enabled());
    qputenv("QUANTA_HUGE_PAGES", "on");
    QCOMPARE(huge_pages_enabled(), transparent_huge_pages_enabled());
    qunsetenv("QUANTA_HUGE_PAGES");
    QCOMPARE(huge_pages_enabled(), transparent_huge_pages_enabled());
}

void CpuHelpersTest::poolRunsManyShortJobs()
{
    // Thousands of back-to-back jobs, as a decode loop issues them, with a
    // sleep in between so workers also go through the sleeping path.
    ThreadPool pool(2);
    std::atomic<int64_t> total{0};
    for (int job = 0; job < 3000; ++job) {
        pool.run([&](int index, int) { total += index + 1; });
        if (job % 1000 == 999)
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    QCOMPARE(total.load(), int64_t(3000 * 3));
}

void CpuHelpersTest::vectorHelpersMatchScalar()
{
    std::mt19937 rng(11);
    std::uniform_real_distribution<float> dist(-2.0f, 2.0f);
    for (int n : {1, 7, 8, 9, 31, 64, 100, 128}) {
        std::vector<float> a(static_cast<size_t>(n));
        std::vector<float> b(static_cast<size_t>(n));
        std::vector<uint16_t> half(static_cast<size_t>(n));
        for (int i = 0; i < n; ++i) {
            a[static_cast<size_t>(i)] = dist(rng);
            b[static_cast<size_t>(i)] = dist(rng);
            half[static_cast<size_t>(i)] = fp32_to_fp16(a[static_cast<size_t>(i)]);
        }

        double dot = 0.0;
        double dot_half = 0.0;
        for (int i = 0; i < n; ++i) {
            dot += double(a[static_cast<size_t>(i)]) * b[static_cast<size_t>(i)];
            dot_half += double(fp16_to_fp32(half[static_cast<size_t>(i)])) * b[static_cast<size_t>(i)];
        }
        QVERIFY(std::abs(dot_f32(a.data(), b.data(), n) - dot) < 1e-4 * (1 + n));
        QVERIFY(std::abs(dot_f16_f32(half.data(), b.data(), n) - dot_half) < 1e-4 * (1 + n));

        std::vector<float> y(b);
        std::vector<float> y_half(b);
        axpy_f32(0.75f, a.data(), y.data(), n);
        axpy_f16(0.75f, half.data(), y_half.data(), n);
        for (int i = 0; i < n; ++i) {
            const size_t k = static_cast<size_t>(i);
            QVERIFY(std::abs(y[k] - (b[k] + 0.75f * a[k])) < 1e-5f);
            QVERIFY(std::abs(y_half[k] - (b[k] + 0.75f * fp16_to_fp32(half[k]))) < 1e-5f);
        }
    }
}

void CpuHelpersTest::attentionMatchesScalar_data()
{
    QTest::addColumn<int>("kv_type");
    QTest::addColumn<int>("head_dim");
    QTest::addColumn<int>("pos0");
    QTest::addColumn<int>("n_tokens");
    QTest::newRow("F32 prompt") << int(KvCacheType::F32) << 64 << 0 << 37;
    QTest::newRow("F16 prompt") << int(KvCacheType::F16) << 64 << 0 << 37;
    QTest::newRow("F16 decode") << int(KvCacheType::F16) << 64 << 45 << 1;
    QTest::newRow("F32 batch after cache") << int(KvCacheType::F32) << 8 << 13 << 9;
    QTest::newRow("F16 head 128") << int(KvCacheType::F16) << 128 << 3 << 5;
    // Over 64 visible keys: the 64-key score blocks and the 8-key rest.
    QTest::newRow("F16 long prompt") << int(KvCacheType::F16) << 64 << 100 << 70;
}

void CpuHelpersTest::attentionMatchesScalar()
{
    if (!cpu::cpu_has_avx2_fma_f16c())
        QSKIP("this CPU has no AVX2 attention kernel to compare");
    QFETCH(int, kv_type);
    QFETCH(int, head_dim);
    QFETCH(int, pos0);
    QFETCH(int, n_tokens);

    // Random keys, values and queries: 6 query heads sharing 2 KV heads.
    AttentionShape shape;
    shape.n_head = 6;
    shape.n_head_kv = 2;
    shape.head_dim = head_dim;
    shape.scale = 1.0f / std::sqrt(float(head_dim));
    const int n_embd_kv = shape.n_head_kv * head_dim;
    const int n_ctx = pos0 + n_tokens;
    KvCache kv(1, n_ctx, n_embd_kv, KvCacheType(kv_type));
    std::mt19937 rng(3);
    std::normal_distribution<float> dist(0.0f, 1.0f);
    std::vector<float> key(static_cast<size_t>(n_embd_kv));
    std::vector<float> value(static_cast<size_t>(n_embd_kv));
    for (int position = 0; position < n_ctx; ++position) {
        for (int i = 0; i < n_embd_kv; ++i) {
            key[static_cast<size_t>(i)] = dist(rng);
            value[static_cast<size_t>(i)] = dist(rng);
        }
        kv.store(0, position, key.data(), value.data());
    }
    const size_t n_q = static_cast<size_t>(n_tokens) * static_cast<size_t>(shape.n_head * head_dim);
    std::vector<float> q(n_q);
    for (float& value_q : q)
        value_q = dist(rng);

    // The AVX2 kernel against the plain loop, with 1 and 3 threads.
    for (int threads : {1, 3}) {
        ThreadPool pool(threads);
        std::vector<float> fast(n_q);
        std::vector<float> plain(n_q);
        attention(q.data(), n_tokens, pos0, 0, kv, shape, fast.data(), pool);
        cpu::set_kernel_set_override(cpu::KernelSet::Generic);
        attention(q.data(), n_tokens, pos0, 0, kv, shape, plain.data(), pool);
        cpu::set_kernel_set_override(std::nullopt);
        for (size_t i = 0; i < n_q; ++i)
            QVERIFY2(std::abs(fast[i] - plain[i]) < 1e-5f,
                     qPrintable(QStringLiteral("element %1: %2 vs %3").arg(i).arg(fast[i]).arg(plain[i])));
    }
}

QTEST_APPLESS_MAIN(CpuHelpersTest)
#include "test_cpu_helpers.moc"
