// Subcommands of quanta-cli. Each takes the arguments after its name and
// returns the process exit code.
#pragma once

#include <string>
#include <vector>

namespace quanta::cli {

using Args = std::vector<std::string>;

// Exit codes shared by every subcommand.
enum ExitCode : int {
    kExitOk = 0,
    kExitFailure = 1,   // the engine reported an error (bad file, I/O, ...)
    kExitUsage = 2,     // invalid command line
    kExitCancelled = 130,
};

int cmd_inspect(const Args& args);
int cmd_tokenize(const Args& args);
int cmd_run(const Args& args);
int cmd_bench(const Args& args);
int cmd_synth(const Args& args);
int cmd_template(const Args& args);
int cmd_quantize(const Args& args);
// `quantize --format gptq|awq`, called by cmd_quantize.
int cmd_quantize_hf(const Args& args);
int cmd_devices(const Args& args);
int cmd_perplexity(const Args& args);

#ifdef QUANTA_CLI_WITH_QT
// Built with the app (app/cli/qt/): they run a Qt event loop.
int cmd_serve(const Args& args);
int cmd_download(const Args& args);
#endif

} // namespace quanta::cli
