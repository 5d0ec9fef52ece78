#include "app_options.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QStandardPaths>

namespace quanta {

AppOptions AppOptions::defaults()
{
    const QString dataFolder = QStandardPaths::writableLocation(QStandardPaths::AppDataLocation);
    const QString configFolder = QStandardPaths::writableLocation(QStandardPaths::AppConfigLocation);
    AppOptions options;
    options.databasePath = dataFolder + QStringLiteral("/chats.sqlite");
    options.modelsFolder = dataFolder + QStringLiteral("/models");
    options.settingsPath = configFolder + QStringLiteral("/settings.ini");
    return options;
}

std::optional<QString> parseCommandLine(const QStringList& arguments, AppOptions& options)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QCoreApplication::translate("main", "Chat with local language models."));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption modelOption(
        QStringLiteral("model"),
        QCoreApplication::translate("main", "Open the model at PATH at start: a GGUF file or a Hugging Face folder."),
        QStringLiteral("PATH"));
    const QCommandLineOption modelsFolderOption(
        QStringLiteral("models-dir"),
        QCoreApplication::translate("main", "List the .gguf files and Hugging Face folders in DIR in the model picker (default: %1).")
            .arg(QDir::toNativeSeparators(options.modelsFolder)),
        QStringLiteral("DIR"));
    const QCommandLineOption databaseOption(
        QStringLiteral("database"),
        QCoreApplication::translate("main", "Keep chats in the SQLite database FILE (default: %1).")
            .arg(QDir::toNativeSeparators(options.databasePath)),
        QStringLiteral("FILE"));
    parser.addOption(modelOption);
    parser.addOption(modelsFolderOption);
    parser.addOption(databaseOption);

    if (!parser.parse(arguments))
        return parser.errorText();
    if (parser.isSet(QStringLiteral("help")))
        parser.showHelp(0);
    if (parser.isSet(QStringLiteral("version")))
        parser.showVersion();
    if (!parser.positionalArguments().isEmpty())
        return QCoreApplication::translate("main", "Unexpected argument: %1").arg(parser.positionalArguments().first());

    // A model that cannot be opened is reported in the window, like one
    // chosen there, so a stale path in a launcher still opens the app.
    if (parser.isSet(modelOption))
        options.modelPath = QFileInfo(parser.value(modelOption)).absoluteFilePath();
    if (parser.isSet(modelsFolderOption))
        options.modelsFolder = QFileInfo(parser.value(modelsFolderOption)).absoluteFilePath();
    if (parser.isSet(databaseOption))
        options.databasePath = QFileInfo(parser.value(databaseOption)).absoluteFilePath();
    return std::nullopt;
}

} // namespace quanta
