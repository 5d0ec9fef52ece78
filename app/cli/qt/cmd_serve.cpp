// quanta-cli serve: the app's local OpenAI-compatible API without the
// window. It loads one model through the app's InferenceService and runs the
// same ApiServer on 127.0.0.1 until SIGINT or SIGTERM.
#include "commands.h"
#include "device_options.h"
#include "options.h"

#include "api/api_server.h"
#include "generation/inference_service.h"

#include <QCoreApplication>
#include <QDir>
#include <QTimer>

#include <atomic>
#include <csignal>
#include <cstdio>

namespace quanta::cli {

namespace {

const char* const kServeUsage =
    "usage: quanta-cli serve -m MODEL [options]\n"
    "  -m, --model MODEL       GGUF file or Hugging Face folder to load\n"
    "  --port N                port on 127.0.0.1 to listen on, 0 for any free port (default 8080)\n"
    "  -c, --ctx N             context length in tokens, at least 256; more than the model's training\n"
    "                          context gets the training context (default 0: the training context,\n"
    "                          at most 4096)\n";

// How often the event loop looks for a SIGINT or SIGTERM. A signal handler
// may only set a flag, so the loop polls it.
constexpr int kSignalPollMs = 100;

std::atomic<int> g_stop_signal{0};

void handle_stop_signal(int signal)
{
    g_stop_signal.store(signal);
}

std::string serve_usage()
{
    return std::string(kServeUsage) + kDeviceOptionsHelp;
}

std::string to_std(const QString& text)
{
    return text.toUtf8().toStdString();
}

// Prints the load progress to stderr in steps of 10 %, one line each, so
// that it reads the same in a terminal and in a log file.
class ProgressPrinter {
public:
    void update(const QString& name, double fraction)
    {
        const int percent = static_cast<int>(fraction * 10.0) * 10;
        if (percent <= last_percent_)
            return;
        last_percent_ = percent;
        std::fprintf(stderr, "loading %s: %d%%\n", printable(to_std(name)).c_str(), percent);
    }

private:
    int last_percent_ = -1;
};

} // namespace

int cmd_serve(const Args& args)
{
    // Step 1: the command line.
    std::string model_path;
    quint16 port = 0;
    DeviceChoice device;
    bool device_named = false;
    try {
        const Options options(args, {"-m", "--model", "--port", "-c", "--ctx", "--device", "--gpu-layers"}, {"--help", "-h"});
        if (options.has("--help") || options.has("-h")) {
            std::fputs(serve_usage().c_str(), stdout);
            return kExitOk;
        }
        if (!options.positional().empty())
            throw UsageError("unexpected argument '" + printable(options.positional().front()) + "'");
        model_path = options.value("-m").value_or(options.string("--model", ""));
        if (model_path.empty())
            throw UsageError("missing required option -m MODEL");
        port = static_cast<quint16>(options.integer("--port", 8080, 0, 65535));
        const long long max_context = DeviceChoice::kMaxContextLength;
        device.contextLength =
            static_cast<int>(options.integer("-c", options.integer("--ctx", 0, 0, max_context), 0, max_context));
        if (!DeviceChoice::isValidContextLength(device.contextLength))
            throw UsageError("--ctx " + std::to_string(device.contextLength) + " is too small; use at least " +
                             std::to_string(DeviceChoice::kMinContextLength) + " tokens, or 0 for the default");

        LoadOptions load;
        apply_device_options(options, load);
        device.device = QString::fromStdString(load.device);
        device.gpuLayers = load.gpu_layers;
        device_named = load.device != "auto" && load.device != "cpu";
    } catch (const UsageError& error) {
        std::fprintf(stderr, "quanta-cli serve: %s\n%s", error.what(), serve_usage().c_str());
        return kExitUsage;
    }

    // Step 2: Qt. QCoreApplication keeps a reference to argc, so it lives
    // as long as the application.
    static int qt_argc = 1;
    static char qt_program[] = "quanta-cli";
    static char* qt_argv[] = {qt_program, nullptr};
    QCoreApplication app(qt_argc, qt_argv);
    InferenceService inference;
    inference.setDeviceChoice(device);
    ApiServer server(inference);

    // Step 3: the port first, so that a port in use fails before a long load.
    if (!server.start(port)) {
        std::fprintf(stderr, "quanta-cli serve: %s\n", printable(to_std(server.lastError())).c_str());
        return kExitFailure;
    }

    // Step 4: load the model, then announce the URL on stdout.
    ProgressPrinter progress;
    QObject::connect(&inference, &InferenceService::loadProgressChanged, &app,
                     [&] { progress.update(inference.loadingName(), inference.loadProgress()); });
    QObject::connect(&inference, &InferenceService::modelLoadFailed, &app,
                     [&](const QString&, const QString& message) {
                         std::fprintf(stderr, "quanta-cli serve: %s\n", printable(to_std(message)).c_str());
                         app.exit(kExitFailure);
                     });
    QObject::connect(&inference, &InferenceService::modelChanged, &app, [&] {
        if (!inference.modelLoaded())
            return;

        // Like `run`, a device named on the command line that ends up unused
        // is a failure rather than a silent CPU run.
        if (device_named && device.gpuLayers != 0 && inference.gpuLayers() == 0) {
            std::fprintf(stderr, "quanta-cli serve: the requested device '%s' is not used: %s\n",
                         printable(to_std(device.device)).c_str(),
                         printable(to_std(inference.gpuFallbackReason())).c_str());
            app.exit(kExitFailure);
            return;
        }
        const QString placement = inference.gpuLayers() > 0 ? QStringLiteral("%1, %2 of %3 layers on the GPU")
                                                                  .arg(inference.gpuDevice())
                                                                  .arg(inference.gpuLayers())
                                                                  .arg(inference.layerCount())
                                                            : QStringLiteral("CPU");
        std::fprintf(stderr, "running on %s; context %d tokens\n", printable(to_std(placement)).c_str(),
                     inference.contextSize());
        std::fprintf(stdout, "Serving %s at %s\n", printable(to_std(inference.modelFileName())).c_str(),
                     to_std(server.url()).c_str());
        std::fflush(stdout);
    });
    inference.loadModel(QString::fromLocal8Bit(model_path.c_str()));

    // Step 5: run until SIGINT or SIGTERM. Then ApiServer::stop() responds
    // to the open requests, closes the connections and cancels what runs
    // before the service stops its thread.
    g_stop_signal.store(0);
    const auto previous_int = std::signal(SIGINT, handle_stop_signal);
    const auto previous_term = std::signal(SIGTERM, handle_stop_signal);
    QTimer signal_poll;
    QObject::connect(&signal_poll, &QTimer::timeout, &app, [&] {
        if (const int signal = g_stop_signal.load()) {
            std::fprintf(stderr, "quanta-cli serve: %s received, stopping\n", signal == SIGINT ? "SIGINT" : "SIGTERM");
            app.exit(kExitOk);
        }
    });
    signal_poll.start(kSignalPollMs);
    const int exit_code = app.exec();

    signal_poll.stop();
    server.stop();
    inference.cancelLoad();
    std::signal(SIGINT, previous_int);
    std::signal(SIGTERM, previous_term);
    return exit_code;
}

} // namespace quanta::cli
