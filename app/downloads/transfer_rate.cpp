#include "downloads/transfer_rate.h"

#include <cmath>

namespace quanta {

namespace {

// A window this long contains many packets even on a slow link.
constexpr qint64 kWindowMs = 500;
// Weight of the newest window: the figure follows a change of speed within
// a few seconds without flickering.
constexpr double kNewWindowWeight = 0.3;

} // namespace

void TransferRate::reset()
{
    window_.invalidate();
    windowBytes_ = 0;
    smoothed_ = 0;
}

void TransferRate::add(qint64 bytes)
{
    if (!window_.isValid()) {
        window_.start();
        windowBytes_ = 0;
    }
    windowBytes_ += bytes;
    const qint64 elapsedMs = window_.elapsed();
    if (elapsedMs < kWindowMs)
        return;
    const double current = static_cast<double>(windowBytes_) * 1000.0 / static_cast<double>(elapsedMs);
    smoothed_ = smoothed_ > 0 ? kNewWindowWeight * current + (1 - kNewWindowWeight) * smoothed_ : current;
    window_.restart();
    windowBytes_ = 0;
}

qint64 TransferRate::secondsLeft(qint64 remainingBytes) const
{
    if (remainingBytes < 0 || smoothed_ <= 0)
        return -1;
    return static_cast<qint64>(std::ceil(static_cast<double>(remainingBytes) / smoothed_));
}

} // namespace quanta
