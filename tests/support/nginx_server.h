// A real nginx on 127.0.0.1 for the download tests, running as the current
// user from a temporary folder (configuration, logs, pid and temp paths all
// inside it). It serves documentRoot() under these paths:
//
//   /files/NAME           the file, with ETag, Last-Modified and Range support
//   /slow/NAME            the same, at throttleBytesPerSecond() when the request
//                         has no Range header and at full speed when it has one,
//                         so a test can stop the server in the middle of a file
//                         and the resume is quick
//   /redirect/PATH        302 to /PATH
//   /linked/NAME          the file, with X-Linked-Etag: "SHA" set by setLinkedEtag()
//   /linked-redirect/NAME 302 to /files/NAME carrying that X-Linked-Etag header,
//                         as Hugging Face sends it with its redirect to the CDN
//   /server-error/PATH    500
//   /flaky/NAME           503 until the test puts NAME into flakyFolder()
//   /ORG/REPO/resolve/REVISION/PATH
//                         documentRoot()/ORG/REPO/resolve/REVISION/PATH, as Hugging
//                         Face serves a repository's files
//   /api/PATH?QUERY       a recorded Hugging Face API response from apiFolder():
//                         api/PATH/search/FILTER/SEARCH.json for a query with
//                         filter= and search= (the models search), else
//                         api/PATH.json (a file listing such as
//                         api/models/ORG/REPO/tree/main.json), else 404
//   /rate-limited/PATH    429, the API's response to too many requests
//
// The access log records method, URI, status, Range and If-Range headers of
// each request.
#pragma once

#include <QByteArray>
#include <QMap>
#include <QProcess>
#include <QString>
#include <QStringList>
#include <QTemporaryDir>
#include <QUrl>

namespace quanta::test {

class NginxServer {
public:
    static constexpr const char* kNginxPath = "/usr/sbin/nginx";

    NginxServer();
    ~NginxServer();
    NginxServer(const NginxServer&) = delete;
    NginxServer& operator=(const NginxServer&) = delete;

    // True when nginx is installed; the suites QSKIP without it.
    static bool available();

    QString documentRoot() const;
    QString flakyFolder() const;
    // The root of the recorded API responses; /api/models/... is
    // apiFolder()/api/models/....
    QString apiFolder() const;

    // Configuration; takes effect at the next start().
    void setLinkedEtag(const QString& name, const QByteArray& sha256Hex);
    void setThrottleBytesPerSecond(qint64 bytesPerSecond) { throttle_ = bytesPerSecond; }
    qint64 throttleBytesPerSecond() const { return throttle_; }

    // Starts nginx and waits until it accepts connections. The first start
    // picks a free port, and another one when nginx finds it taken. Later
    // starts reuse it, so URLs stay valid across a restart. Returns false and
    // sets `error` (with nginx's error log) when nginx cannot start.
    bool start(QString* error);
    // Stops nginx at once (SIGTERM, nginx's fast shutdown), closing the
    // connections of transfers in progress.
    void stop();
    bool running() const;

    quint16 port() const { return port_; }
    QUrl url(const QString& path) const;

    QStringList accessLog() const;
    QString errorLog() const;

private:
    void writeConfig() const;
    bool waitUntilListening(QString* error);

    QTemporaryDir folder_;
    QProcess process_;
    quint16 port_ = 0;
    qint64 throttle_ = 256 * 1024;
    QMap<QString, QByteArray> linkedEtags_;   // file name -> lowercase hex SHA-256
};

} // namespace quanta::test
