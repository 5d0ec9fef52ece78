#include "logging/engine_log_bridge.h"

#include "core/log.h"
#include "logging/log_categories.h"

#include <QString>

namespace quanta {

void installEngineLogBridge()
{
    // The engine filters by its own level first; map what passes onto Qt's
    // levels so QT_LOGGING_RULES can filter further.
    if (lcInference().isDebugEnabled())
        set_log_level(LogLevel::Debug);

    set_log_sink([](LogLevel level, std::string_view message) {
        const QString text = QString::fromUtf8(message.data(), static_cast<qsizetype>(message.size()));
        switch (level) {
        case LogLevel::Debug:
            qCDebug(lcInference).noquote() << text;
            break;
        case LogLevel::Info:
            qCInfo(lcInference).noquote() << text;
            break;
        case LogLevel::Warning:
            qCWarning(lcInference).noquote() << text;
            break;
        case LogLevel::Error:
            qCCritical(lcInference).noquote() << text;
            break;
        }
    });
}

void removeEngineLogBridge()
{
    set_log_sink({});
}

} // namespace quanta
