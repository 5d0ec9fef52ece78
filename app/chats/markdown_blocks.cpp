#include "chats/markdown_blocks.h"

#include <QStringView>

namespace quanta {

namespace {

struct Fence {
    QChar character;  // '`' or '~'
    qsizetype length = 0;
    QString info;     // the text after the fence, trimmed
};

// Reads `line` as a fence, or returns a Fence with length 0.
Fence readFence(QStringView line)
{
    qsizetype indent = 0;
    while (indent < line.size() && line[indent] == QLatin1Char(' '))
        ++indent;
    if (indent > 3 || indent >= line.size())
        return {};
    const QChar character = line[indent];
    if (character != QLatin1Char('`') && character != QLatin1Char('~'))
        return {};
    qsizetype end = indent;
    while (end < line.size() && line[end] == character)
        ++end;
    if (end - indent < 3)
        return {};
    const QString info = line.mid(end).trimmed().toString();
    // A backtick fence's info string may not contain backticks: "```a`b" is
    // inline code, not a fence.
    if (character == QLatin1Char('`') && info.contains(QLatin1Char('`')))
        return {};
    return Fence{character, end - indent, info};
}

bool closes(const Fence& opening, QStringView line)
{
    const Fence fence = readFence(line);
    return fence.length >= opening.length && fence.character == opening.character && fence.info.isEmpty();
}

void appendProse(QList<MarkdownBlock>& blocks, QString& prose)
{
    if (!prose.trimmed().isEmpty())
        blocks.append(MarkdownBlock{MarkdownBlock::Kind::Prose, prose.trimmed(), QString(), true});
    prose.clear();
}

} // namespace

QList<MarkdownBlock> splitMarkdownBlocks(const QString& text)
{
    QList<MarkdownBlock> blocks;
    QString prose;
    QString code;
    Fence open; // length 0 outside a code block

    const QList<QStringView> lines = QStringView(text).split(QLatin1Char('\n'));
    for (qsizetype i = 0; i < lines.size(); ++i) {
        const QStringView line = lines[i];
        const bool last = (i + 1 == lines.size());

        // Outside a block: collect prose until a fence opens one.
        if (open.length == 0) {
            const Fence fence = readFence(line);
            if (fence.length > 0) {
                appendProse(blocks, prose);
                open = fence;
                code.clear();
                continue;
            }
            prose += line;
            if (!last)
                prose += QLatin1Char('\n');
            continue;
        }

        // Inside a block: collect code until the closing fence.
        if (closes(open, line)) {
            if (code.endsWith(QLatin1Char('\n')))
                code.chop(1);
            blocks.append(MarkdownBlock{MarkdownBlock::Kind::Code, code, open.info.section(QLatin1Char(' '), 0, 0), true});
            open = Fence{};
            code.clear();
            continue;
        }
        code += line;
        if (!last)
            code += QLatin1Char('\n');
    }

    // The end of the text: an open fence is a code block still streaming in.
    if (open.length > 0) {
        // A last line of fence characters only is a closing fence still
        // arriving; showing it would flash "``" at the end of the code.
        const qsizetype lineStart = code.lastIndexOf(QLatin1Char('\n')) + 1;
        const QString tail = code.mid(lineStart).trimmed();
        if (!tail.isEmpty() && tail.count(open.character) == tail.size())
            code.truncate(lineStart);
        if (code.endsWith(QLatin1Char('\n')))
            code.chop(1);
        blocks.append(MarkdownBlock{MarkdownBlock::Kind::Code, code, open.info.section(QLatin1Char(' '), 0, 0), false});
    } else {
        appendProse(blocks, prose);
    }
    return blocks;
}

} // namespace quanta
