// Writing HTTP responses through a QHttpServerResponder in Qt 6.4, including
// chunked bodies that are written over time. Qt 6.4's responder sends only
// complete bodies with a Content-Length (writeBeginChunked() came in 6.8),
// but its writeStatusLine(), writeHeader() and writeBody() write straight to
// the socket, so a body can follow in pieces for as long as the socket lives.
#pragma once

#include "api/openai_protocol.h"

#include <QByteArray>
#include <QHttpServerResponder>

namespace quanta::api {

// A complete JSON response. `allow` fills the Allow header of a 405. It and
// endChunks() report the end of the response to GuardedTcpServer.
void writeJsonResponse(QHttpServerResponder& responder, int status, const QByteArray& body,
                       const QByteArray& allow = {});
void writeErrorResponse(QHttpServerResponder& responder, const ApiError& error);

// The status line and headers of a text/event-stream response with a chunked
// body; the events follow with writeChunk().
void beginEventStream(QHttpServerResponder& responder);
// One chunk of a chunked body: its size in hex, the data, CRLF. Empty data
// writes nothing, because a chunk of size 0 ends the body.
void writeChunk(QHttpServerResponder& responder, const QByteArray& data);
// The chunk of size 0 that ends a chunked body.
void endChunks(QHttpServerResponder& responder);

} // namespace quanta::api
