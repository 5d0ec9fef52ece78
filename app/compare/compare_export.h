// A comparison as CSV (for spreadsheets and scripts) and as Markdown (for a
// forum post or an issue), and writing either to a file.
#pragma once

#include "compare/compare_types.h"

#include <QString>

namespace quanta {

// One header line, then one line per variant, RFC 4180 quoting, "\r\n"
// line ends. Column names are fixed English identifiers and numbers use '.'
// as the decimal point, whatever the UI language, so scripts can read them.
// A figure that was not measured is an empty field.
QString comparisonToCsv(const ComparisonRecord& record);

// A heading, the text and settings, a table with one row per variant, the
// errors, and the files' SHA-256 hashes. Labels follow the UI language;
// numbers use '.' as the decimal point.
QString comparisonToMarkdown(const ComparisonRecord& record);

// Writes `text` as UTF-8 to `path` through QSaveFile, so an existing file is
// replaced only when the write succeeds. Returns an empty string, or the
// error message naming the file.
QString writeTextFile(const QString& path, const QString& text);

} // namespace quanta
