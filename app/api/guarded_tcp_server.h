// The listening socket of the API server. QHttpServer 6.4 reads a request's
// whole body into memory before it calls a handler, whatever its
// Content-Length, so a handler's size check alone cannot stop a client from
// filling the memory. This server counts the bytes each connection sends
// between two requests and closes a connection that goes past a hard cap.
#pragma once

#include <QTcpServer>

class QTcpSocket;

namespace quanta::api {

class GuardedTcpServer : public QTcpServer {
    Q_OBJECT

public:
    // `maxBytesPerRequest`: the cap on header and body bytes of one request.
    explicit GuardedTcpServer(qint64 maxBytesPerRequest, QObject* parent = nullptr);

    // Starts a new count for `socket`, one of this server's connections:
    // called when a request on it has reached a handler.
    static void requestReceived(QTcpSocket* socket);

protected:
    void incomingConnection(qintptr descriptor) override;

private:
    void rejectOversizeRequest(QTcpSocket* socket, qint64 receivedBytes);

    qint64 maxBytesPerRequest_;
};

} // namespace quanta::api
