// The listening socket of the API server, and the guard on each of its
// connections. QHttpServer 6.4 reads a request's whole body into memory
// before it calls a handler, waits without limit for a body its
// Content-Length announces, and leaves a connection open for as long as the
// client wants. So this server reads the request line and headers of each
// request itself, before QHttpServer does, and:
//   - responds with 413 as soon as the headers announce a body over the
//     limit, and with 400 to a Content-Length that is not a byte count;
//   - responds with 431 to a header block over kMaxHeaderBytes;
//   - closes a connection that sends more than a hard cap for one request
//     (a chunked body has no Content-Length to check);
//   - closes a connection that has not sent a complete request within the
//     idle timeout of opening or of its last response (with a 408 when part
//     of a request arrived), and one over the connection limit at once;
//   - closes the connection after the response to an HTTP/1.0 request
//     without keep-alive and to a request with "Connection: close".
// The handlers report a request they take with requestReceived() and the end
// of its response with responseFinished().
#pragma once

#include <QTcpServer>

class QTcpSocket;

namespace quanta::api {

struct ApiError;

class GuardedTcpServer : public QTcpServer {
    Q_OBJECT

public:
    // The header block of one request (request line and headers) may have
    // at most this many bytes.
    static constexpr qint64 kMaxHeaderBytes = 64 * 1024;

    struct Limits {
        qint64 maxBytesPerRequest = 0; // header and body bytes of one request before the connection is cut
        qint64 maxBodyBytes = 0;       // a larger Content-Length gets 413 when the headers arrive
        int maxConnections = 0;        // connections open at once; one more is closed at once
        int idleTimeoutMs = 0;         // time for a complete request after the connection opens or a response ends
    };

    explicit GuardedTcpServer(const Limits& limits, QObject* parent = nullptr);

    // Called by a handler when a request on `socket`, one of this server's
    // connections, has reached it: a new byte count starts, and the idle
    // timeout waits until the response ends.
    static void requestReceived(QTcpSocket* socket);
    // Called when the last byte of a response on `socket` is written: the
    // connection closes when its request asked for that, and otherwise the
    // idle timeout starts again.
    static void responseFinished(QTcpSocket* socket);

    // Connections open now, rejected ones not counted.
    int connectionCount() const { return connectionCount_; }
    // Writes out what each connection has buffered and closes them all, for
    // a server that stops.
    void closeAllConnections();

protected:
    void incomingConnection(qintptr descriptor) override;

private:
    class GuardedSocket;

    void inspectNewBytes(GuardedSocket* socket);
    void inspectHeaderBlock(GuardedSocket* socket);
    void closeIdleConnection(GuardedSocket* socket);
    void rejectConnection(qintptr descriptor);
    // Sends `error` as the response on `socket`, takes the connection away
    // from QHttpServer and closes it.
    void rejectRequest(GuardedSocket* socket, const ApiError& error);

    Limits limits_;
    int connectionCount_ = 0;
    int rejectedConnections_ = 0; // closed for the limit since the server started
};

} // namespace quanta::api
