#include "model_library/memory_fit.h"

#include <QCoreApplication>
#include <QLocale>

#include <algorithm>

namespace quanta {

namespace {

// Bytes of one F16 element of the KV cache.
constexpr qint64 kKvElementBytes = 2;

} // namespace

MemoryEstimate estimateModelMemory(const ModelShape& shape)
{
    MemoryEstimate estimate;
    estimate.weightBytes = std::max<qint64>(shape.weightBytes, 0);
    estimate.contextTokens = shape.contextLength > 0 ? std::min(shape.contextLength, kChatContextLimit)
                                                     : kChatContextLimit;

    // The shape comes from a file header, so each factor is checked before
    // the product, which stays far below 2^63 for values that pass.
    const bool known = shape.layerCount > 0 && shape.kvHeadCount > 0 && shape.keyLength > 0 &&
                       shape.valueLength > 0 && shape.layerCount <= 4096 && shape.kvHeadCount <= 4096 &&
                       shape.keyLength <= 65536 && shape.valueLength <= 65536;
    if (known) {
        const qint64 perToken = qint64{shape.layerCount} * shape.kvHeadCount *
                                (qint64{shape.keyLength} + shape.valueLength) * kKvElementBytes;
        estimate.kvCacheBytes = perToken * estimate.contextTokens;
        estimate.kvCacheKnown = true;
    } else {
        estimate.kvCacheBytes = static_cast<qint64>(static_cast<double>(estimate.weightBytes) * kUnknownKvCacheFraction);
    }
    return estimate;
}

Fit assessFit(qint64 neededBytes, const DeviceBudget& budget)
{
    if (neededBytes <= 0 || (budget.gpuBytes <= 0 && budget.ramBytes <= 0))
        return Fit::Unknown;
    if (budget.isGpu()) {
        if (neededBytes <= budget.gpuBytes)
            return Fit::Fits;
        // Layers that do not fit the GPU run on the CPU from system memory.
        if (budget.ramBytes <= 0 || neededBytes <= budget.gpuBytes + budget.ramBytes)
            return Fit::PartlyOnCpu;
        return Fit::TooLarge;
    }
    return neededBytes <= budget.ramBytes ? Fit::Fits : Fit::TooLarge;
}

QString fitText(Fit fit, const DeviceBudget& budget)
{
    switch (fit) {
    case Fit::Unknown:
        return QCoreApplication::translate("MemoryFit", "Memory need unknown");
    case Fit::Fits:
        return budget.isGpu() ? QCoreApplication::translate("MemoryFit", "Fits the GPU")
                              : QCoreApplication::translate("MemoryFit", "Fits the memory");
    case Fit::PartlyOnCpu:
        return QCoreApplication::translate("MemoryFit", "Runs partly on the CPU");
    case Fit::TooLarge:
        return QCoreApplication::translate("MemoryFit", "Too large for this computer");
    }
    return {};
}

QString fitDetails(const MemoryEstimate& estimate, const DeviceBudget& budget)
{
    // Step 1: what the model needs.
    const QString total = formatBytes(estimate.totalBytes());
    const QString weights = formatBytes(estimate.weightBytes);
    const QString kvCache = formatBytes(estimate.kvCacheBytes);
    const QString tokens = QLocale().toString(estimate.contextTokens);
    QString text;
    if (estimate.scratchBytes > 0)
        text = QCoreApplication::translate("MemoryFit",
                                           "Needs about %1: %2 of weights, %3 of KV cache for %4 tokens and %5 of "
                                           "buffers.")
                   .arg(total, weights, kvCache, tokens, formatBytes(estimate.scratchBytes));
    else if (estimate.kvCacheKnown)
        text = QCoreApplication::translate("MemoryFit", "Needs about %1: %2 of weights and %3 of KV cache for %4 tokens.")
                   .arg(total, weights, kvCache, tokens);
    else
        text = QCoreApplication::translate("MemoryFit", "Needs about %1: %2 of weights and an allowance for the KV cache.")
                   .arg(total, weights);

    // Step 2: what it was compared with.
    if (budget.isGpu()) {
        const QString gpu = budget.gpuBytesIsEstimate
                                ? QCoreApplication::translate("MemoryFit",
                                                              "%1 has about %2 (its heap size; the driver reports no "
                                                              "budget).")
                                : QCoreApplication::translate("MemoryFit", "%1 has %2 available.");
        text += QLatin1Char(' ') + gpu.arg(budget.deviceName, formatBytes(budget.gpuBytes));
        if (budget.ramBytes > 0)
            text += QLatin1Char(' ') + QCoreApplication::translate("MemoryFit", "The computer has %1 of memory.")
                                           .arg(formatBytes(budget.ramBytes));
    } else if (budget.ramBytes > 0) {
        text += QLatin1Char(' ') + QCoreApplication::translate("MemoryFit",
                                                               "The model runs on the CPU, and the computer has %1 "
                                                               "of memory.")
                                       .arg(formatBytes(budget.ramBytes));
    }
    return text;
}

QString formatBytes(qint64 bytes)
{
    if (bytes <= 0)
        return {};
    return QLocale().formattedDataSize(bytes, 1);
}

} // namespace quanta
