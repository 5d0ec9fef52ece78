// Quanta: chat with local language models.

#include "app_context.h"
#include "app_options.h"
#include "logging/log_categories.h"
#include "settings/language_settings.h"
#include "settings/library_settings.h"

#include <QApplication>
#include <QIcon>
#include <QQmlApplicationEngine>
#include <QSettings>

#include <cstdio>
#include <memory>
#include <string_view>

namespace {

// True when the command line requests the help or the version, which need
// no display.
bool requestsTextOnly(int argc, char* argv[])
{
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        if (arg == "-h" || arg == "--help" || arg == "--help-all" || arg == "-v" || arg == "--version")
            return true;
    }
    return false;
}

} // namespace

int main(int argc, char* argv[])
{
    // A QApplication, not a QGuiApplication: Qt Charts' ChartView (the VRAM
    // inspector's chart) draws through Qt Widgets' graphics view. --help and
    // --version get a QCoreApplication, so they work without a display.
    const bool textOnly = requestsTextOnly(argc, argv);
    const std::unique_ptr<QCoreApplication> app =
        textOnly ? std::make_unique<QCoreApplication>(argc, argv) : std::make_unique<QApplication>(argc, argv);
    // No organization name, so the files go to ~/.local/share/Quanta and
    // ~/.config/Quanta on Linux.
    QCoreApplication::setApplicationName(QStringLiteral("Quanta"));
    QCoreApplication::setApplicationVersion(QStringLiteral(QUANTA_VERSION));
    if (!textOnly) {
        QGuiApplication::setDesktopFileName(QStringLiteral("quanta"));
        QGuiApplication::setWindowIcon(QIcon(QStringLiteral(":/icons/quanta.png")));
    }

    // Options: the defaults under the per-user data folder, then the saved
    // settings, then the command line, whose help text is in the UI language.
    quanta::AppOptions options = quanta::AppOptions::defaults();
    {
        QSettings settings(options.settingsPath, QSettings::IniFormat);
        quanta::LanguageSettings language(settings);
        language.apply();
        // The models folder chosen in Settings; --models-dir overrides it.
        options.modelsFolder = quanta::LibrarySettings::savedModelsFolder(settings, options.modelsFolder);
        if (const auto error = quanta::parseCommandLine(QCoreApplication::arguments(), options)) {
            std::fprintf(stderr, "quanta: %s\n%s\n", qPrintable(*error),
                         qPrintable(QCoreApplication::translate("main", "Try 'quanta --help'.")));
            return 2;
        }
    }
    // The parser exits after printing the help or the version. It returns
    // here only when such a flag was the value of another option.
    if (textOnly) {
        std::fprintf(stderr, "quanta: -h, --help, -v or --version cannot be an option's value\n");
        return 2;
    }

    // The context outlives the engine, whose QML refers to its services.
    quanta::AppContext context(options);
    QQmlApplicationEngine engine;
    if (!context.start(engine))
        return 1;

    qCInfo(lcApp) << "Started";
    return QCoreApplication::exec();
}
