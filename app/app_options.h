// File locations of the app, and the command-line options that change them.
#pragma once

#include <QString>
#include <QStringList>

#include <optional>

namespace quanta {

struct AppOptions {
    QString databasePath;  // the chat database
    QString modelsFolder;  // scanned for .gguf files and Hugging Face folders
    QString modelPath;     // opened at start; empty opens none
    QString settingsPath;  // an INI file; empty uses the platform's settings store

    // The per-user defaults: <AppDataLocation>/chats.sqlite,
    // <AppDataLocation>/models and <AppConfigLocation>/settings.ini. Needs
    // the application name to be set.
    static AppOptions defaults();
};

// Parses `arguments` (argv, program name first) into `options`. Returns an
// error message for bad options; prints nothing and does not exit, except
// for --help and --version, which QCommandLineParser handles itself.
std::optional<QString> parseCommandLine(const QStringList& arguments, AppOptions& options);

} // namespace quanta
