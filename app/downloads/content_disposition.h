// The file name a server gives a download, and the checks that make a name
// from the network safe to use in the models folder.
#pragma once

#include <QByteArray>
#include <QString>

namespace quanta {

// The file name in a Content-Disposition header (RFC 6266): the filename*
// parameter (RFC 8187, UTF-8 or ISO-8859-1) when present, else filename.
// Returns it as sanitizedFileName() makes it safe, or an empty string when
// the header has no usable name.
QString fileNameFromContentDisposition(const QByteArray& header);

// `name` from a server, reduced to a single safe name in the models folder:
// only the part after the last slash or backslash, without control
// characters, surrounding spaces or leading dots. Returns an empty string
// when nothing valid remains or the name has more than 255 UTF-8 bytes.
QString sanitizedFileName(const QString& name);

} // namespace quanta
