#include "chats/markdown_renderer.h"

#include <QTextDocument>

namespace quanta {

MarkdownRenderer::MarkdownRenderer(QObject* parent)
    : QObject(parent)
{
}

void MarkdownRenderer::setDocument(QQuickTextDocument* document)
{
    if (document_ == document)
        return;
    document_ = document;
    emit documentChanged();
    render();
}

void MarkdownRenderer::setMarkdown(const QString& markdown)
{
    if (markdown_ == markdown)
        return;
    markdown_ = markdown;
    emit markdownChanged();
    render();
}

void MarkdownRenderer::render()
{
    if (document_ == nullptr || document_->textDocument() == nullptr)
        return;
    const QTextDocument::MarkdownFeatures features(QTextDocument::MarkdownDialectGitHub |
                                                   QTextDocument::MarkdownNoHTML);
    document_->textDocument()->setMarkdown(markdown_, features);
}

} // namespace quanta
