// quanta-cli: inspect, tokenize, run and benchmark GGUF files and Hugging
// Face model folders from the command line with the same engine the app uses.
#include "commands.h"

#include "core/log.h"

#include <cstdio>
#include <cstring>
#include <string>

namespace {

void print_usage()
{
    std::printf(
        "usage: quanta-cli COMMAND [OPTIONS]\n"
        "\n"
        "commands:\n"
        "  inspect MODEL                      print a model's metadata and tensor table\n"
        "  tokenize -m MODEL -p TEXT          print the token ids of TEXT, on one line\n"
        "  run -m MODEL -p TEXT [-n N] ...    generate text after a prompt, streamed to stdout\n"
        "  bench -m MODEL [--threads N]       measure prompt processing and generation speed\n"
        "  synth -o FILE --type TYPE ...      write a random-weight model for benchmarks\n"
        "  template -m MODEL --messages JSON  print the prompt a chat template renders\n"
        "  quantize IN OUT TYPE               convert a GGUF model's weights to TYPE, e.g. Q4_K_M\n"
        "  quantize --format gptq|awq IN OUT  write a GPTQ or AWQ checkpoint folder\n"
        "  devices                            list the Vulkan devices, their memory and features\n"
        "  perplexity -m MODEL -f TEXT ...    measure perplexity, and KL divergence from a base model\n"
#ifdef QUANTA_CLI_WITH_QT
        "  serve -m MODEL [--port N]          serve an OpenAI-compatible API on 127.0.0.1\n"
        "  download URL... [--sha256 HEX] [-o DIR] [--name NAME]\n"
        "                                     download a model (file or folder) with resume and checks\n"
#endif
        "\n"
        "  --version                          print the version\n"
        "MODEL is a GGUF file or a Hugging Face folder (config.json, *.safetensors, tokenizer.json).\n"
        "Run 'quanta-cli COMMAND --help' for a command's options.\n");
}

} // namespace

int main(int argc, char** argv)
{
    using namespace quanta::cli;

    if (argc < 2) {
        print_usage();
        return kExitUsage;
    }
    const std::string command = argv[1];
    Args args(argv + 2, argv + argc);

    if (command == "--version" || command == "version") {
        std::printf("quanta-cli %s\n", QUANTA_VERSION);
        return kExitOk;
    }
    if (command == "--help" || command == "-h" || command == "help") {
        print_usage();
        return kExitOk;
    }
    if (const char* level = std::getenv("QUANTA_LOG"); level && std::strcmp(level, "debug") == 0)
        quanta::set_log_level(quanta::LogLevel::Debug);
    else
        quanta::set_log_level(quanta::LogLevel::Warning);

    if (command == "inspect")
        return cmd_inspect(args);
    if (command == "tokenize")
        return cmd_tokenize(args);
    if (command == "run")
        return cmd_run(args);
    if (command == "bench")
        return cmd_bench(args);
    if (command == "synth")
        return cmd_synth(args);
    if (command == "template")
        return cmd_template(args);
    if (command == "quantize")
        return cmd_quantize(args);
    if (command == "devices")
        return cmd_devices(args);
    if (command == "perplexity")
        return cmd_perplexity(args);
#ifdef QUANTA_CLI_WITH_QT
    if (command == "serve")
        return cmd_serve(args);
    if (command == "download")
        return cmd_download(args);
#endif

    std::fprintf(stderr, "quanta-cli: unknown command '%s'\n\n", command.c_str());
    print_usage();
    return kExitUsage;
}
