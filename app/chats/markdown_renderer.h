// Renders Markdown into a QML TextEdit's document with raw HTML turned off,
// so a reply cannot embed HTML (images, links to local files) that the text
// item would act on. QML: `MarkdownRenderer { document: edit.textDocument;
// markdown: text }`.
#pragma once

#include <QObject>
#include <QPointer>
#include <QQuickTextDocument>
#include <QtQml/qqmlregistration.h>

namespace quanta {

class MarkdownRenderer : public QObject {
    Q_OBJECT
    QML_ELEMENT

    Q_PROPERTY(QQuickTextDocument* document READ document WRITE setDocument NOTIFY documentChanged)
    Q_PROPERTY(QString markdown READ markdown WRITE setMarkdown NOTIFY markdownChanged)

public:
    explicit MarkdownRenderer(QObject* parent = nullptr);

    QQuickTextDocument* document() const { return document_; }
    void setDocument(QQuickTextDocument* document);
    QString markdown() const { return markdown_; }
    void setMarkdown(const QString& markdown);

signals:
    void documentChanged();
    void markdownChanged();

private:
    void render();

    QPointer<QQuickTextDocument> document_;
    QString markdown_;
};

} // namespace quanta
