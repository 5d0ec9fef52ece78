// Splits a reply into prose and fenced code blocks, so the UI can show code
// in a monospace box with its own copy button and render the rest as
// Markdown. Works on partial text: a fence that is still open while a reply
// streams in is a code block up to the end.
#pragma once

#include <QList>
#include <QString>

namespace quanta {

struct MarkdownBlock {
    enum class Kind { Prose, Code };

    Kind kind = Kind::Prose;
    QString text;     // prose as Markdown; code without its fences
    QString language; // a code block's info string (first word), e.g. "cpp"; empty if none
    bool closed = true; // false for a code block whose closing fence has not arrived

    bool operator==(const MarkdownBlock&) const = default;
};

// Splits `text` by CommonMark's fence rules. A line of three or more
// backticks or tildes, indented at most three spaces, opens a block. A line
// of the same character, at least as long and with nothing but spaces after
// it, closes it. Prose blocks that are only whitespace are left out.
QList<MarkdownBlock> splitMarkdownBlocks(const QString& text);

} // namespace quanta
