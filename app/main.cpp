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

int main(int argc, char* argv[])
{
    // A QApplication, not a QGuiApplication: Qt Charts' ChartView (the VRAM
    // inspector's chart) draws through Qt Widgets' graphics view.
    QApplication app(argc, argv);
    // No organization name, so the files go to ~/.local/share/Quanta and
    // ~/.config/Quanta on Linux.
    QApplication::setApplicationName(QStringLiteral("Quanta"));
    QApplication::setApplicationVersion(QStringLiteral(QUANTA_VERSION));
    QApplication::setDesktopFileName(QStringLiteral("quanta"));
    QApplication::setWindowIcon(QIcon(QStringLiteral(":/icons/quanta.png")));

    // Options: the defaults under the per-user data folder, then the saved
    // settings, then the command line, whose help text is in the UI language.
    quanta::AppOptions options = quanta::AppOptions::defaults();
    {
        QSettings settings(options.settingsPath, QSettings::IniFormat);
        quanta::LanguageSettings language(settings);
        language.apply();
        // The models folder chosen in Settings; --models-dir overrides it.
        options.modelsFolder = quanta::LibrarySettings::savedModelsFolder(settings, options.modelsFolder);
        if (const auto error = quanta::parseCommandLine(QApplication::arguments(), options)) {
            std::fprintf(stderr, "quanta: %s\n%s\n", qPrintable(*error),
                         qPrintable(QCoreApplication::translate("main", "Try 'quanta --help'.")));
            return 2;
        }
    }

    // The context outlives the engine, whose QML refers to its services.
    quanta::AppContext context(options);
    QQmlApplicationEngine engine;
    if (!context.start(engine))
        return 1;

    qCInfo(lcApp) << "Started";
    return QApplication::exec();
}
