#include "api/stop_sequence_filter.h"

#include <algorithm>

namespace quanta::api {

StopSequenceFilter::StopSequenceFilter(QStringList sequences)
    : sequences_(std::move(sequences))
{
    sequences_.removeAll(QString());
}

QString StopSequenceFilter::push(const QString& text)
{
    if (stopped_)
        return QString();
    pending_ += text;

    // Step 1: a complete stop sequence ends the reply at its earliest start.
    qsizetype stopAt = -1;
    for (const QString& sequence : sequences_) {
        const qsizetype found = pending_.indexOf(sequence);
        if (found >= 0 && (stopAt < 0 || found < stopAt))
            stopAt = found;
    }
    if (stopAt >= 0) {
        stopped_ = true;
        const QString out = pending_.left(stopAt);
        pending_.clear();
        return out;
    }

    // Step 2: keep the longest end of the text that is a proper prefix of a
    // stop sequence, because the next piece may complete it.
    qsizetype keep = 0;
    for (const QString& sequence : sequences_) {
        const qsizetype longest = std::min(sequence.size() - 1, pending_.size());
        for (qsizetype length = longest; length > keep; --length) {
            if (QStringView(pending_).right(length) == QStringView(sequence).left(length)) {
                keep = length;
                break;
            }
        }
    }
    const QString out = pending_.left(pending_.size() - keep);
    pending_.remove(0, pending_.size() - keep);
    return out;
}

QString StopSequenceFilter::flush()
{
    QString out;
    out.swap(pending_);
    return out;
}

} // namespace quanta::api
