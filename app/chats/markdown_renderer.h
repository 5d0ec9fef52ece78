// Turns a reply's Markdown prose into the HTML subset a QML Text shows, with
// raw HTML in the reply turned off, so a reply cannot embed markup (images,
// links to local files) that the text item would act on.
#pragma once

#include <QString>

namespace quanta {

// GitHub-flavoured Markdown (emphasis, lists, tables, inline code, links)
// to rich text. Raw HTML in `markdown` stays visible as text, and images are
// left out so that showing a reply never loads a URL.
QString markdownToHtml(const QString& markdown);

} // namespace quanta
