// Stop sequences of an API request, applied to the reply as it streams: text
// that might be the start of a stop sequence is held back until the next
// piece shows whether it is.
#pragma once

#include <QString>
#include <QStringList>

namespace quanta::api {

class StopSequenceFilter {
public:
    explicit StopSequenceFilter(QStringList sequences);

    // Adds generated text and returns the part that can be sent now: all of
    // it before a stop sequence that has appeared, or all but the end that
    // could still become one. Returns nothing once stopped() is true.
    QString push(const QString& text);
    // Returns the text held back, at the end of a reply without a stop.
    QString flush();
    // A stop sequence has appeared, so the reply ends before it.
    bool stopped() const { return stopped_; }

private:
    QStringList sequences_;
    QString pending_; // text that may be the start of a stop sequence
    bool stopped_ = false;
};

} // namespace quanta::api
