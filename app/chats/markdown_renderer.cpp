#include "chats/markdown_renderer.h"

#include <QRegularExpression>
#include <QTextDocument>

namespace quanta {

QString markdownToHtml(const QString& markdown)
{
    // Step 1: parse with Qt's Markdown reader (md4c), HTML blocks and spans off.
    QTextDocument document;
    const QTextDocument::MarkdownFeatures features(QTextDocument::MarkdownDialectGitHub |
                                                   QTextDocument::MarkdownNoHTML);
    document.setMarkdown(markdown, features);

    // Step 2: write rich text. The body's own font would override the text
    // item's, so its style goes; the item sets font and colour.
    static const QRegularExpression bodyStyle(QStringLiteral(R"(<body style="[^"]*">)"));
    QString html = document.toHtml().replace(bodyStyle, QStringLiteral("<body>"));

    // Step 3: drop images. The text item would fetch an image's URL, so a
    // reply could make the app contact a server or read a local file.
    static const QRegularExpression image(QStringLiteral(R"(<img\b[^>]*>)"), QRegularExpression::CaseInsensitiveOption);
    return html.remove(image);
}

} // namespace quanta
