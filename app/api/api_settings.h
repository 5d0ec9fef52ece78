// The local API server's settings: on or off (off by default) and its port,
// persisted in QSettings. Turning it on starts the server at once, and a new
// port while it runs restarts it there.
#pragma once

#include "api/api_server.h"

#include <QObject>
#include <QSettings>
#include <QtQml/qqmlregistration.h>

namespace quanta {

class ApiSettings : public QObject {
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("ApiSettings is created by the application.")
    Q_PROPERTY(bool enabled READ enabled WRITE setEnabled NOTIFY enabledChanged)
    // 1 to 65535.
    Q_PROPERTY(int port READ port WRITE setPort NOTIFY portChanged)
    // Whether it listens, its URL and why it could not start.
    Q_PROPERTY(quanta::ApiServer* server READ server CONSTANT)

public:
    static constexpr int kDefaultPort = 8080;

    // Reads the settings and, when the server was left on, starts it.
    ApiSettings(QSettings& settings, ApiServer& server, QObject* parent = nullptr);

    bool enabled() const { return enabled_; }
    void setEnabled(bool enabled);
    int port() const { return port_; }
    void setPort(int port);
    ApiServer* server() const { return &server_; }

signals:
    void enabledChanged();
    void portChanged();

private:
    void apply();

    QSettings& settings_;
    ApiServer& server_;
    bool enabled_ = false;
    int port_ = kDefaultPort;
};

} // namespace quanta
