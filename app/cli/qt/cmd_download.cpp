// quanta-cli download: fetch a model into the models folder with the app's
// DownloadManager (resume, retries, free-space check, SHA-256, atomic move).
#include "commands.h"
#include "options.h"

#include "app_options.h"
#include "downloads/download_manager.h"
#include "settings/library_settings.h"

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QLocale>
#include <QLoggingCategory>
#include <QSettings>
#include <QTimer>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <cstdio>

#include <unistd.h>

namespace quanta::cli {

namespace {

const char* const kDownloadUsage =
    "usage: quanta-cli download URL [URL...] [options]\n"
    "  --sha256 HEX            expected SHA-256 of the file (one URL only); without it,\n"
    "                          the server's X-Linked-Etag header is checked when it sends one\n"
    "  -o, --output DIR        models folder to download into (default: the app's, as set\n"
    "                          in its Settings; ~/.local/share/Quanta/models on Linux)\n"
    "  --name NAME             file name in DIR for one URL, folder name for several\n"
    "                          (default: the URL's file name; for several Hugging Face URLs,\n"
    "                          the repository's name)\n"
    "Several URLs become one model folder. Without --name, a single file takes the\n"
    "server's name for it (Content-Disposition), or, for a URL without a file extension\n"
    "that redirects, the name at the end of the redirect.\n"
    "An unfinished download of the same URLs into DIR (under the same --name, if given)\n"
    "is resumed, checked against this run's --sha256, or against none when it is left out.\n"
    "Ctrl+C stops and keeps the partial files for the next run. When the download fails,\n"
    "the partial files are kept in DIR/.partial only if the next run can continue them\n"
    "(a network error or a full disk after some bytes arrived); otherwise, for example\n"
    "after an HTTP 404 or a checksum mismatch, they are deleted.\n"
    "Prints the model's path when it is complete. Progress goes to stderr: one line\n"
    "redrawn in a terminal, else a line at each 10% step and each change of state\n"
    "(every 10 s while the size is unknown).\n"
    "QT_LOGGING_RULES=quanta.download.info=true shows the download manager's log.\n";

// How often the progress is checked, and redrawn in a terminal.
constexpr int kProgressIntervalMs = 250;
// Without a terminal, and while the total size is unknown, a progress line
// is printed at most this often.
constexpr qint64 kPlainProgressIntervalMs = 10000;

// Set by Ctrl+C; the event loop checks it with each progress update.
std::atomic<bool> g_interrupted{false};

void handle_interrupt(int)
{
    g_interrupted.store(true);
}

// Length of the progress line on stderr; 0 when none is showing.
int g_progressWidth = 0;

void endProgressLine()
{
    if (g_progressWidth > 0)
        std::fputc('\n', stderr);
    g_progressWidth = 0;
}

// Log messages (Qt's, or the download manager's when QT_LOGGING_RULES
// turns them on) go on their own line below the progress line.
void printLogMessage(QtMsgType, const QMessageLogContext&, const QString& message)
{
    endProgressLine();
    std::fprintf(stderr, "quanta-cli download: %s\n", printable(message.toStdString()).c_str());
}

// The parts of a Hugging Face file URL .../ORG/REPO/resolve/REVISION/PATH,
// or -1 when `segments` is not one.
int huggingFaceResolveIndex(const QStringList& segments)
{
    const int index = static_cast<int>(segments.indexOf(QStringLiteral("resolve")));
    return index >= 2 && index + 2 < segments.size() ? index : -1;
}

QStringList pathSegments(const QUrl& url)
{
    return url.path().split(QLatin1Char('/'), Qt::SkipEmptyParts);
}

// The file's name inside a model folder: the path after resolve/REVISION/
// for Hugging Face, else the URL's file name.
QString fileNameInFolder(const QUrl& url)
{
    const QStringList segments = pathSegments(url);
    const int resolve = huggingFaceResolveIndex(segments);
    if (resolve >= 0)
        return segments.mid(resolve + 2).join(QLatin1Char('/'));
    return url.fileName();
}

// The folder name for several URLs: the Hugging Face repository's name, or
// the name of the folder they all share. Empty when there is none.
QString defaultFolderName(const QList<QUrl>& urls)
{
    QString name;
    for (const QUrl& url : urls) {
        const QStringList segments = pathSegments(url);
        const int resolve = huggingFaceResolveIndex(segments);
        QString candidate;
        if (resolve >= 0)
            candidate = segments.at(resolve - 1);
        else if (segments.size() >= 2)
            candidate = segments.at(segments.size() - 2);
        if (candidate.isEmpty() || (!name.isEmpty() && candidate != name))
            return {};
        name = candidate;
    }
    return name;
}

QString formatDuration(qint64 seconds)
{
    if (seconds >= 3600)
        return QStringLiteral("%1:%2:%3")
            .arg(seconds / 3600)
            .arg((seconds / 60) % 60, 2, 10, QLatin1Char('0'))
            .arg(seconds % 60, 2, 10, QLatin1Char('0'));
    return QStringLiteral("%1:%2").arg(seconds / 60).arg(seconds % 60, 2, 10, QLatin1Char('0'));
}

// "NAME  42%  1.2 MiB of 3.0 MiB  640 KiB/s  0:03 left", or the state
// when no bytes are moving.
QString progressText(const DownloadJob& job)
{
    const QLocale locale = QLocale::c();
    const qint64 received = job.receivedBytes();
    const qint64 total = job.totalBytes();
    QString line = job.name() + QStringLiteral("  ");
    if (total > 0)
        line += QStringLiteral("%1%  %2 of %3")
                    .arg(received * 100 / total, 3)
                    .arg(locale.formattedDataSize(received, 1), locale.formattedDataSize(total, 1));
    else
        line += locale.formattedDataSize(received, 1);
    switch (job.state()) {
    case DownloadJob::State::Downloading:
        if (job.bytesPerSecond() > 0)
            line += QStringLiteral("  %1/s").arg(locale.formattedDataSize(static_cast<qint64>(job.bytesPerSecond()), 1));
        if (job.secondsLeft() >= 0)
            line += QStringLiteral("  %1 left").arg(formatDuration(job.secondsLeft()));
        break;
    case DownloadJob::State::Checking:
        line += QStringLiteral("  checking the partial file");
        break;
    case DownloadJob::State::Retrying:
        line += QStringLiteral("  waiting to retry");
        break;
    default:
        break;
    }
    return line;
}

// Progress on stderr. A terminal gets one line, redrawn in place. A log
// file or a pipe gets plain lines, because carriage returns would pile up
// there: one when the state or the 10 % step changes, and the final one.
class ProgressPrinter {
public:
    ProgressPrinter() : terminal_(::isatty(STDERR_FILENO) != 0) {}

    // `last`: the job has ended, so its line is printed unless the line
    // before was the same.
    void print(const DownloadJob& job, bool last)
    {
        const QByteArray text = progressText(job).toUtf8();
        if (terminal_) {
            const int width = static_cast<int>(text.size());
            std::fprintf(stderr, "\r%s%*s", text.constData(), std::max(0, g_progressWidth - width), "");
            std::fflush(stderr);
            g_progressWidth = std::max(width, 1);
            return;
        }

        // A plain line only when something a reader of the log cares about changed.
        const qint64 total = job.totalBytes();
        const int step = total > 0 ? static_cast<int>(job.receivedBytes() * 10 / total) : -1;
        const bool sizeUnknownAndDue = total <= 0 && (!sinceLine_.isValid() ||
                                                      sinceLine_.elapsed() >= kPlainProgressIntervalMs);
        const bool changed = job.state() != lastState_ || step > lastStep_;
        if (!last && !changed && !sizeUnknownAndDue)
            return;
        if (last && text == lastText_)
            return;
        std::fprintf(stderr, "%s\n", text.constData());
        std::fflush(stderr);
        lastState_ = job.state();
        lastStep_ = std::max(lastStep_, step);
        lastText_ = text;
        sinceLine_.start();
    }

private:
    bool terminal_;
    DownloadJob::State lastState_ = DownloadJob::State::Cancelled; // no line yet
    int lastStep_ = -1;
    QByteArray lastText_;
    QElapsedTimer sinceLine_;
};

// The app's models folder: the one chosen in its Settings, else the default.
QString defaultModelsFolder()
{
    const AppOptions defaults = AppOptions::defaults();
    const QSettings settings(defaults.settingsPath, QSettings::IniFormat);
    return LibrarySettings::savedModelsFolder(settings, defaults.modelsFolder);
}

struct DownloadArguments {
    QList<QUrl> urls;
    QByteArray sha256;
    QString folder;
    QString name;
};

DownloadArguments parseArguments(const Options& options)
{
    DownloadArguments parsed;
    for (const std::string& text : options.positional()) {
        const QUrl url(QString::fromStdString(text), QUrl::StrictMode);
        if (!url.isValid() || url.host().isEmpty() ||
            (url.scheme() != QLatin1String("http") && url.scheme() != QLatin1String("https")))
            throw UsageError("invalid URL '" + printable(text) + "': expected an http:// or https:// address");
        parsed.urls.append(url);
    }
    if (parsed.urls.isEmpty())
        throw UsageError("missing URL");
    if (const auto sha = options.value("--sha256")) {
        if (parsed.urls.size() != 1)
            throw UsageError("--sha256 applies to a single URL");
        const auto normalized = normalizedSha256(QByteArray::fromStdString(*sha));
        if (!normalized)
            throw UsageError("option --sha256 expects 64 hexadecimal digits, got '" + printable(*sha) + "'");
        parsed.sha256 = *normalized;
    }
    const std::string folder = options.value("-o").value_or(options.string("--output", ""));
    parsed.folder = QString::fromStdString(folder);
    parsed.name = QString::fromStdString(options.string("--name", ""));
    if (options.value("--name")) {
        const QString problem = invalidModelNameReason(parsed.name);
        if (!problem.isEmpty())
            throw UsageError("invalid --name '" + printable(parsed.name.toStdString()) + "': " + problem.toStdString());
    }
    if (parsed.urls.size() > 1 && parsed.name.isEmpty()) {
        parsed.name = defaultFolderName(parsed.urls);
        if (parsed.name.isEmpty())
            throw UsageError("several URLs from different folders need --name NAME for the model folder");
    }
    return parsed;
}

DownloadRequest makeRequest(const DownloadArguments& arguments)
{
    DownloadRequest request;
    request.destinationName = arguments.name;
    request.folder = arguments.urls.size() > 1;
    for (const QUrl& url : arguments.urls) {
        DownloadFileRequest file;
        file.url = url;
        file.name = request.folder ? fileNameInFolder(url) : QString();
        file.expectedSha256 = arguments.sha256;
        request.files.append(file);
    }
    return request;
}

} // namespace

int cmd_download(const Args& args)
{
    try {
        // Step 1: the command line.
        const Options options(args, {"--sha256", "-o", "--output", "--name"}, {"--help", "-h"});
        if (options.has("--help") || options.has("-h")) {
            std::fputs(kDownloadUsage, stdout);
            return kExitOk;
        }
        const DownloadArguments arguments = parseArguments(options);

        // Step 2: a Qt event loop for the network, and the app's folder.
        static int argc = 1;
        static char name[] = "quanta-cli";
        static char* argv[] = {name, nullptr};
        QCoreApplication app(argc, argv);
        QCoreApplication::setApplicationName(QStringLiteral("Quanta"));
        // The command prints retries and errors itself; the manager's log
        // would repeat them.
        QLoggingCategory::setFilterRules(QStringLiteral("quanta.download.info=false\nquanta.download.warning=false"));
        qInstallMessageHandler(printLogMessage);
        const QString folder = arguments.folder.isEmpty() ? defaultModelsFolder()
                                                          : QDir(arguments.folder).absolutePath();
        DownloadManager manager(folder);

        // Step 3: start the download. The manager continues an unfinished
        // one of the same URLs, with this run's --sha256.
        const DownloadJob* unfinished = manager.findUnfinished(arguments.urls);
        const QString unfinishedId = unfinished ? unfinished->id() : QString();
        const qint64 keptBytes = unfinished ? unfinished->receivedBytes() : 0;
        QString error;
        const QString id = manager.start(makeRequest(arguments), &error);
        if (id.isEmpty()) {
            std::fprintf(stderr, "quanta-cli download: %s\n", printable(error.toStdString()).c_str());
            return kExitFailure;
        }
        DownloadJob* job = manager.job(id);
        if (id == unfinishedId)
            std::fprintf(stderr, "Resuming the download of %s into %s (%s on disk)\n",
                         printable(job->name().toStdString()).c_str(),
                         printable(QDir::toNativeSeparators(folder).toStdString()).c_str(),
                         QLocale::c().formattedDataSize(keptBytes, 1).toUtf8().constData());
        QObject::connect(job, &DownloadJob::retrying, &app, [](int attempt, int delayMs, const QString& reason) {
            endProgressLine();
            std::fprintf(stderr, "quanta-cli download: %s; try %d of %d in %d s\n",
                         printable(reason.toStdString()).c_str(), attempt + 1, DownloadJob::kMaxAttempts,
                         (delayMs + 999) / 1000);
        });

        // Step 4: run until the job ends or Ctrl+C, which pauses it so the
        // next run resumes.
        g_interrupted.store(false);
        const auto previous = std::signal(SIGINT, handle_interrupt);
        bool interrupted = false;
        const auto finished = [job] {
            return job->state() == DownloadJob::State::Completed || job->state() == DownloadJob::State::Failed;
        };
        ProgressPrinter progress;
        QTimer ticker;
        QObject::connect(&ticker, &QTimer::timeout, &app, [&] {
            if (g_interrupted.load()) {
                interrupted = true;
                job->pause();
                app.quit();
                return;
            }
            progress.print(*job, false);
        });
        QObject::connect(job, &DownloadJob::stateChanged, &app, [&] {
            if (finished())
                app.quit();
        });
        if (!finished()) {
            ticker.start(kProgressIntervalMs);
            app.exec();
        }
        ticker.stop();
        std::signal(SIGINT, previous);
        if (job->state() == DownloadJob::State::Completed)
            progress.print(*job, true);
        endProgressLine();

        // Step 5: the outcome. A failed download keeps its partial files
        // only when the next run can continue from them.
        if (interrupted) {
            std::fprintf(stderr, "quanta-cli download: stopped; %s of %s are kept, run the same command to resume\n",
                         QLocale::c().formattedDataSize(job->receivedBytes(), 1).toUtf8().constData(),
                         printable(job->name().toStdString()).c_str());
            return kExitCancelled;
        }
        if (job->state() != DownloadJob::State::Completed) {
            std::fprintf(stderr, "quanta-cli download: %s\n", printable(job->error().toStdString()).c_str());
            if (job->canResumeFromDisk()) {
                std::fprintf(stderr, "quanta-cli download: %s of %s are kept, run the same command to resume\n",
                             QLocale::c().formattedDataSize(job->receivedBytes(), 1).toUtf8().constData(),
                             printable(job->name().toStdString()).c_str());
            } else {
                // The job is deleted with its folder; an empty .partial goes too.
                manager.cancel(id);
                QDir(folder).rmdir(QStringLiteral(".partial"));
            }
            return kExitFailure;
        }
        for (const DownloadFileState& file : job->record().files) {
            if (file.expectedSha256.isEmpty() && file.serverSha256.isEmpty())
                std::fprintf(stderr,
                             "quanta-cli download: %s is not verified: no --sha256 given and no X-Linked-Etag "
                             "from the server\n",
                             printable(file.name.toStdString()).c_str());
        }
        std::fprintf(stdout, "%s\n", QDir::toNativeSeparators(job->installedPath()).toUtf8().constData());
        return kExitOk;
    } catch (const UsageError& error) {
        std::fprintf(stderr, "quanta-cli download: %s\n%s", error.what(), kDownloadUsage);
        return kExitUsage;
    } catch (const std::exception& error) {
        std::fprintf(stderr, "quanta-cli download: %s\n", printable(error.what()).c_str());
        return kExitFailure;
    }
}

} // namespace quanta::cli
