#include "nginx_server.h"

#include <QDeadlineTimer>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QThread>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace quanta::test {

namespace {

constexpr int kStartTimeoutMs = 10000;
constexpr int kStopTimeoutMs = 10000;
constexpr int kMaxPortTries = 5;

// A port that is free now: the kernel picks one for a socket bound to port
// 0. Another process may take it before nginx does; start() then retries.
quint16 freePort()
{
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return 0;
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = 0;
    socklen_t length = sizeof(address);
    quint16 port = 0;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0 &&
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0)
        port = ntohs(address.sin_port);
    ::close(fd);
    return port;
}

bool acceptsConnections(quint16 port)
{
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return false;
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = htons(port);
    const bool connected = ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0;
    ::close(fd);
    return connected;
}

QString quoted(const QString& path)
{
    return QLatin1Char('"') + path + QLatin1Char('"');
}

} // namespace

NginxServer::NginxServer()
{
    const QDir root(folder_.path());
    for (const char* sub : {"www", "logs", "temp", "flaky-root/flaky", "api-root"})
        root.mkpath(QLatin1String(sub));
    process_.setProcessChannelMode(QProcess::MergedChannels);
}

NginxServer::~NginxServer()
{
    stop();
}

bool NginxServer::available()
{
    return QFileInfo(QLatin1String(kNginxPath)).isExecutable();
}

QString NginxServer::documentRoot() const
{
    return folder_.filePath(QStringLiteral("www"));
}

QString NginxServer::apiFolder() const
{
    return folder_.filePath(QStringLiteral("api-root"));
}

QString NginxServer::flakyFolder() const
{
    return folder_.filePath(QStringLiteral("flaky-root/flaky"));
}

void NginxServer::setLinkedEtag(const QString& name, const QByteArray& sha256Hex)
{
    linkedEtags_.insert(name, sha256Hex);
}

QUrl NginxServer::url(const QString& path) const
{
    return QUrl(QStringLiteral("http://127.0.0.1:%1%2").arg(port_).arg(path));
}

void NginxServer::writeConfig() const
{
    const QString dir = folder_.path();
    const QString www = documentRoot() + QLatin1Char('/');
    QString linked;
    for (auto it = linkedEtags_.constBegin(); it != linkedEtags_.constEnd(); ++it) {
        for (const char* prefix : {"/linked/", "/linked-redirect/"})
            linked += QStringLiteral("        \"%1%2\" \"\\\"%3\\\"\";\n")
                          .arg(QLatin1String(prefix), it.key(), QString::fromLatin1(it.value()));
    }

    QString config;
    config += QStringLiteral("daemon off;\nmaster_process off;\nworker_processes 1;\n");
    config += QStringLiteral("pid %1;\n").arg(quoted(dir + QStringLiteral("/nginx.pid")));
    config += QStringLiteral("error_log %1 info;\n").arg(quoted(dir + QStringLiteral("/logs/error.log")));
    config += QStringLiteral("events { worker_connections 64; }\n");
    config += QStringLiteral("http {\n");
    config += QStringLiteral("    log_format quanta '$request_method $request_uri $status range=\"$http_range\" "
                             "if_range=\"$http_if_range\" sent=$body_bytes_sent';\n");
    config += QStringLiteral("    access_log %1 quanta;\n").arg(quoted(dir + QStringLiteral("/logs/access.log")));
    for (const char* kind : {"client_body", "proxy", "fastcgi", "uwsgi", "scgi"})
        config += QStringLiteral("    %1_temp_path %2;\n")
                      .arg(QLatin1String(kind), quoted(dir + QStringLiteral("/temp/") + QLatin1String(kind)));
    config += QStringLiteral("    default_type application/octet-stream;\n    sendfile on;\n    keepalive_timeout 5;\n");
    config += QStringLiteral("    map $http_range $quanta_rate {\n        \"\" %1;\n        default 0;\n    }\n")
                  .arg(throttle_);
    config += QStringLiteral("    map $uri $quanta_linked_etag {\n        default \"\";\n%1    }\n").arg(linked);
    config += QStringLiteral("    server {\n        listen 127.0.0.1:%1;\n        server_name localhost;\n").arg(port_);
    config += QStringLiteral("        location /files/ { alias %1; }\n").arg(quoted(www));
    config += QStringLiteral("        location /slow/ { alias %1; limit_rate $quanta_rate; }\n").arg(quoted(www));
    config += QStringLiteral("        location /redirect/ { rewrite ^/redirect/(.*)$ /$1 redirect; }\n");
    config += QStringLiteral("        location /linked/ { alias %1; add_header X-Linked-Etag $quanta_linked_etag; }\n")
                  .arg(quoted(www));
    config += QStringLiteral("        location /linked-redirect/ { add_header X-Linked-Etag $quanta_linked_etag; "
                             "rewrite ^/linked-redirect/(.*)$ /files/$1 redirect; }\n");
    config += QStringLiteral("        location /server-error/ { return 500; }\n");
    config += QStringLiteral("        location /flaky/ { root %1; try_files $uri =503; }\n")
                  .arg(quoted(dir + QStringLiteral("/flaky-root")));
    // Hugging Face's layout. nginx prefers a matching regex location to the
    // prefix locations above, so the pattern leaves out their paths.
    config += QStringLiteral("        location ~ \"^/(?!(files|slow|redirect|linked|linked-redirect|server-error|flaky|"
                             "api|rate-limited)/)[^/]+/[^/]+/resolve/\" { root %1; }\n")
                  .arg(quoted(documentRoot()));
    config += QStringLiteral("        location /api/ { root %1; default_type application/json; "
                             "try_files \"$uri/search/$arg_filter/$arg_search.json\" \"$uri.json\" =404; }\n")
                  .arg(quoted(apiFolder()));
    config += QStringLiteral("        location /rate-limited/ { return 429; }\n");
    config += QStringLiteral("    }\n}\n");

    QFile file(folder_.filePath(QStringLiteral("nginx.conf")));
    if (file.open(QIODevice::WriteOnly | QIODevice::Truncate))
        file.write(config.toUtf8());
}

bool NginxServer::start(QString* error)
{
    if (running())
        return true;
    const bool pickPort = port_ == 0;
    for (int attempt = 1; attempt <= kMaxPortTries; ++attempt) {
        // Step 1: a port and the configuration that uses it.
        if (pickPort)
            port_ = freePort();
        writeConfig();

        // Step 2: run nginx in the foreground, its prefix and logs in the
        // temporary folder ("-e" also moves the log it writes before it has
        // read the configuration).
        process_.start(QLatin1String(kNginxPath),
                       {QStringLiteral("-p"), folder_.path() + QLatin1Char('/'), QStringLiteral("-c"),
                        folder_.filePath(QStringLiteral("nginx.conf")), QStringLiteral("-e"),
                        folder_.filePath(QStringLiteral("logs/error.log"))});
        if (!process_.waitForStarted(kStartTimeoutMs)) {
            *error = QStringLiteral("cannot run %1: %2").arg(QLatin1String(kNginxPath), process_.errorString());
            return false;
        }

        // Step 3: wait for the port; a port taken meanwhile means another try.
        if (waitUntilListening(error))
            return true;
        const bool portTaken = errorLog().contains(QLatin1String("Address already in use"));
        if (!pickPort || !portTaken)
            return false;
    }
    *error = QStringLiteral("no free port found in %1 tries").arg(kMaxPortTries);
    return false;
}

bool NginxServer::waitUntilListening(QString* error)
{
    const QDeadlineTimer deadline(kStartTimeoutMs);
    while (!deadline.hasExpired()) {
        if (process_.state() != QProcess::Running) {
            *error = QStringLiteral("nginx exited with code %1: %2\n%3")
                         .arg(process_.exitCode())
                         .arg(QString::fromLocal8Bit(process_.readAll()), errorLog());
            return false;
        }
        if (acceptsConnections(port_))
            return true;
        QThread::msleep(20);
        process_.waitForFinished(0);
    }
    *error = QStringLiteral("nginx does not accept connections on port %1:\n%2").arg(port_).arg(errorLog());
    stop();
    return false;
}

void NginxServer::stop()
{
    if (process_.state() == QProcess::NotRunning)
        return;
    process_.terminate();
    if (!process_.waitForFinished(kStopTimeoutMs)) {
        process_.kill();
        process_.waitForFinished(kStopTimeoutMs);
    }
}

bool NginxServer::running() const
{
    return process_.state() == QProcess::Running;
}

QStringList NginxServer::accessLog() const
{
    QFile file(folder_.filePath(QStringLiteral("logs/access.log")));
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return QString::fromUtf8(file.readAll()).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
}

QString NginxServer::errorLog() const
{
    QFile file(folder_.filePath(QStringLiteral("logs/error.log")));
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return QString::fromUtf8(file.readAll());
}

} // namespace quanta::test
