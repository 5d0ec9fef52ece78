#include "api/api_settings.h"

#include "api/api_server.h"
#include "logging/log_categories.h"

namespace quanta {

namespace {

const QString kEnabledKey = QStringLiteral("api/enabled");
const QString kPortKey = QStringLiteral("api/port");

bool isValidPort(int port)
{
    return port >= 1 && port <= 65535;
}

} // namespace

ApiSettings::ApiSettings(QSettings& settings, ApiServer& server, QObject* parent)
    : QObject(parent), settings_(settings), server_(server)
{
    enabled_ = settings_.value(kEnabledKey, false).toBool();
    bool valid = false;
    const int port = settings_.value(kPortKey, kDefaultPort).toInt(&valid);
    if (valid && isValidPort(port))
        port_ = port;
    else
        qCWarning(lcApi) << "Invalid API port" << settings_.value(kPortKey) << "in the settings; using" << kDefaultPort;
    apply();
}

void ApiSettings::setEnabled(bool enabled)
{
    if (enabled == enabled_)
        return;
    enabled_ = enabled;
    settings_.setValue(kEnabledKey, enabled_);
    emit enabledChanged();
    apply();
}

void ApiSettings::setPort(int port)
{
    if (port == port_ || !isValidPort(port))
        return;
    port_ = port;
    settings_.setValue(kPortKey, port_);
    emit portChanged();
    if (enabled_)
        apply();
}

void ApiSettings::apply()
{
    // A server that failed to start stays enabled, so that its error shows
    // in the settings and the next start tries again.
    if (enabled_)
        server_.start(static_cast<quint16>(port_));
    else
        server_.stop();
}

} // namespace quanta
