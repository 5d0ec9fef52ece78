#include "model_library/hf_search.h"

#include "logging/log_categories.h"

#include <QCoreApplication>
#include <QLocale>
#include <QNetworkReply>
#include <QNetworkRequest>

namespace quanta {

namespace {

// A search page or file listing is a few hundred KB at most, so a larger
// body is not an API response.
constexpr qint64 kMaxResponseBytes = qint64{16} << 20;
constexpr int kHttpNotFound = 404;
constexpr int kHttpTooManyRequests = 429;

// Reads the body of a finished reply, or sets `error` when it is too large.
std::optional<QByteArray> readBody(QNetworkReply& reply, QString* error)
{
    if (reply.bytesAvailable() > kMaxResponseBytes) {
        *error = HuggingFaceSearch::tr("Hugging Face sent %1, more than a search or file list can be. Try again later.")
                     .arg(QLocale().formattedDataSize(reply.bytesAvailable(), 1));
        return std::nullopt;
    }
    return reply.readAll();
}

} // namespace

HuggingFaceSearch::HuggingFaceSearch(std::function<QUrl()> hubUrl, QObject* parent)
    : QObject(parent),
      hubUrl_(std::move(hubUrl)),
      results_(new HubRepositoryListModel(this)),
      files_(new HubFileListModel(this))
{
    network_.setRedirectPolicy(QNetworkRequest::NoLessSafeRedirectPolicy);
}

HuggingFaceSearch::~HuggingFaceSearch()
{
    // The replies belong to the network manager; stop them reaching this
    // object while it is destroyed.
    for (QNetworkReply* reply : {searchReply_.data(), listReply_.data()}) {
        if (reply) {
            reply->disconnect(this);
            reply->abort();
        }
    }
}

QNetworkReply* HuggingFaceSearch::get(const QUrl& url)
{
    QNetworkRequest request(url);
    request.setRawHeader("Accept", "application/json");
    request.setHeader(QNetworkRequest::UserAgentHeader,
                      QStringLiteral("Quanta/%1").arg(QCoreApplication::applicationVersion()));
    request.setTransferTimeout(kTransferTimeoutMs);
    return network_.get(request);
}

void HuggingFaceSearch::search(const QString& query, const QString& format)
{
    // Step 1: drop a search still running; only the newest one counts.
    if (searchReply_) {
        searchReply_->disconnect(this);
        searchReply_->abort();
        searchReply_->deleteLater();
        searchReply_.clear();
    }
    if (!format.isEmpty() && !hubSearchFormats().contains(format.toLower())) {
        setSearchError(tr("Unknown format \"%1\": choose GGUF, GPTQ or AWQ.").arg(format));
        emit searchingChanged();
        emit searchFinished();
        return;
    }

    // Step 2: send it.
    const QUrl url = hubSearchUrl(hubUrl_(), query, format, kResultLimit);
    qCInfo(lcLibrary).noquote() << "Searching Hugging Face:" << url.toDisplayString();
    searchReply_ = get(url);
    connect(searchReply_, &QNetworkReply::finished, this, &HuggingFaceSearch::onSearchFinished);
    emit searchingChanged();
}

void HuggingFaceSearch::onSearchFinished()
{
    QNetworkReply* reply = searchReply_.data();
    searchReply_.clear();
    if (!reply)
        return;
    reply->deleteLater();

    // Step 1: the request itself.
    QString error;
    std::optional<QList<HubRepository>> repositories;
    if (reply->error() != QNetworkReply::NoError) {
        error = describeFailure(*reply, tr("the model search at %1").arg(reply->url().host()));
    } else if (const auto body = readBody(*reply, &error)) {
        // Step 2: the JSON.
        QString parseError;
        repositories = parseHubSearch(*body, &parseError);
        if (!repositories)
            error = tr("Hugging Face sent a search response that cannot be read: %1.").arg(parseError);
    }

    // Step 3: publish. A failed search clears the earlier results, so they
    // are not mistaken for the results of this one.
    searched_ = true;
    results_->setRepositories(repositories.value_or(QList<HubRepository>{}));
    setSearchError(error);
    if (repositories)
        qCInfo(lcLibrary) << "Hugging Face search found" << repositories->size() << "repositories";
    emit searchingChanged();
    emit searchFinished();
}

void HuggingFaceSearch::listFiles(const QString& repository, const QString& format)
{
    // Step 1: drop a listing still running.
    if (listReply_) {
        listReply_->disconnect(this);
        listReply_->abort();
        listReply_->deleteLater();
        listReply_.clear();
    }
    files_->clear();
    if (!isValidHubRepository(repository)) {
        setListError(tr("\"%1\" is not a Hugging Face repository name (owner/name).").arg(repository));
        emit listFinished();
        return;
    }

    // Step 2: send it.
    const QUrl url = hubTreeUrl(hubUrl_(), repository, QStringLiteral("main"));
    qCInfo(lcLibrary).noquote() << "Listing the files of" << repository << ":" << url.toDisplayString();
    listReply_ = get(url);
    connect(listReply_, &QNetworkReply::finished, this,
            [this, repository, format] { onListFinished(repository, format); });
    emit listingChanged();
}

void HuggingFaceSearch::onListFinished(const QString& repository, const QString& format)
{
    QNetworkReply* reply = listReply_.data();
    listReply_.clear();
    if (!reply)
        return;
    reply->deleteLater();

    QString error;
    std::optional<QList<HubFile>> files;
    if (reply->error() != QNetworkReply::NoError) {
        error = describeFailure(*reply, tr("the repository %1").arg(repository));
    } else if (const auto body = readBody(*reply, &error)) {
        QString parseError;
        files = parseHubTree(*body, &parseError);
        if (!files)
            error = tr("Hugging Face sent a file list for %1 that cannot be read: %2.").arg(repository, parseError);
    }
    if (files)
        files_->setFiles(repository, format, *files);
    setListError(error);
    emit listingChanged();
    emit listFinished();
}

void HuggingFaceSearch::clearFiles()
{
    files_->clear();
    setListError({});
}

void HuggingFaceSearch::dismissErrors()
{
    setSearchError({});
    setListError({});
}

QString HuggingFaceSearch::describeFailure(QNetworkReply& reply, const QString& subject)
{
    const int status = reply.attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (status == kHttpTooManyRequests)
        return tr("Hugging Face turned the request down because it received too many (HTTP 429). Wait a minute "
                  "and try again.");
    if (status == kHttpNotFound)
        return tr("Hugging Face could not find %1 (HTTP 404). Check the name.").arg(subject);
    if (status >= 400)
        return tr("Hugging Face answered HTTP %1 for %2. Try again later.").arg(status).arg(subject);
    if (reply.error() == QNetworkReply::OperationCanceledError || reply.error() == QNetworkReply::TimeoutError)
        return tr("The request for %1 timed out. Check the internet connection and try again.").arg(subject);
    return tr("Cannot reach %1: %2. Check the internet connection.").arg(reply.url().host(), reply.errorString());
}

void HuggingFaceSearch::setSearchError(const QString& error)
{
    if (!error.isEmpty())
        qCWarning(lcLibrary).noquote() << "Hugging Face search failed:" << error;
    if (error == searchError_)
        return;
    searchError_ = error;
    emit searchErrorChanged();
}

void HuggingFaceSearch::setListError(const QString& error)
{
    if (!error.isEmpty())
        qCWarning(lcLibrary).noquote() << "Listing Hugging Face files failed:" << error;
    if (error == listError_)
        return;
    listError_ = error;
    emit listErrorChanged();
}

} // namespace quanta
