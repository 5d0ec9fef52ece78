// Download speed for display: bytes per second over half-second windows,
// smoothed with an exponential moving average so the figure and the time
// left do not jump with every network packet.
#pragma once

#include <QElapsedTimer>

namespace quanta {

class TransferRate {
public:
    // Forgets the history; call when a transfer starts or resumes.
    void reset();
    // Counts `bytes` received now.
    void add(qint64 bytes);
    // Smoothed speed in bytes per second; 0 until the first window ends.
    double bytesPerSecond() const { return smoothed_; }
    // Seconds until `remainingBytes` are in at the current speed; -1 when
    // the speed or the remaining size is unknown.
    qint64 secondsLeft(qint64 remainingBytes) const;

private:
    QElapsedTimer window_;    // started at the beginning of the current window
    qint64 windowBytes_ = 0;  // bytes received in the current window
    double smoothed_ = 0;     // bytes per second
};

} // namespace quanta
