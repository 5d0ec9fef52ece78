// Shared by the memory planner suites: the tolerance, the load and session
// options both measure with, and a check that logs each estimate beside
// the bytes the engine allocated.
#pragma once

#include "engine/model.h"
#include "engine/session.h"

#include <QtTest>

#include <cmath>
#include <cstdint>
#include <string>

namespace quanta::test {

// The largest relative difference accepted between estimate and allocation.
constexpr double kTolerance = 0.05;
constexpr int kContext = 256;
constexpr int kBatch = 64;

inline double relative_difference(uint64_t estimate, uint64_t actual)
{
    if (actual == 0)
        return estimate == 0 ? 0.0 : 1.0;
    return std::abs(static_cast<double>(estimate) - static_cast<double>(actual)) / static_cast<double>(actual);
}

// Checks `estimate` against `actual` and logs both, so that the run records
// the measured differences.
#define CHECK_ESTIMATE(what, estimate, actual)                                                                         \
    do {                                                                                                               \
        const uint64_t estimate_value = (estimate);                                                                    \
        const uint64_t actual_value = (actual);                                                                        \
        const double difference = relative_difference(estimate_value, actual_value);                                   \
        qInfo("%s: estimate %llu, allocated %llu bytes (%.3f%%)", what,                                                \
              static_cast<unsigned long long>(estimate_value), static_cast<unsigned long long>(actual_value),          \
              100.0 * difference);                                                                                     \
        QVERIFY2(difference <= kTolerance,                                                                             \
                 qPrintable(QStringLiteral("%1: estimate %2 bytes, allocated %3 bytes")                                \
                                .arg(what)                                                                             \
                                .arg(estimate_value)                                                                   \
                                .arg(actual_value)));                                                                  \
    } while (false)

inline LoadOptions load_options(const std::string& device, int gpu_layers)
{
    LoadOptions options;
    options.device = device;
    options.gpu_layers = gpu_layers;
    options.n_threads = 2;
    options.n_ctx = kContext;
    options.n_batch = kBatch;
    return options;
}

inline SessionOptions session_options(KvCacheType kv_type = KvCacheType::F16)
{
    SessionOptions options;
    options.n_ctx = kContext;
    options.n_batch = kBatch;
    options.kv_type = kv_type;
    return options;
}

} // namespace quanta::test
