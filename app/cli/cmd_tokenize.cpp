// quanta-cli tokenize: prints the token ids of a text, read with the model's
// own vocabulary: a GGUF file's metadata (never its weights) or a Hugging
// Face folder's tokenizer files.
#include "commands.h"
#include "model_path.h"
#include "options.h"

#include "core/error.h"
#include "gguf/gguf_reader.h"
#include "tokenizer/tokenizer.h"

#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace quanta::cli {

namespace {

constexpr const char* kUsage =
    "usage: quanta-cli tokenize (-m MODEL | --hf-dir DIR) -p TEXT [--no-bos] [--no-parse-special]";

void print_help()
{
    std::cout << kUsage << "\n"
              << "Prints the token ids of TEXT, separated by spaces, as the tokenizer of MODEL or of the\n"
              << "Hugging Face tokenizer folder DIR gives them.\n"
              << "  -m, --model MODEL     GGUF file (a model or vocab-only file) or Hugging Face folder\n"
              << "  --hf-dir DIR          folder with tokenizer.json (or GPT-2's encoder.json and vocab.bpe)\n"
              << "  -p, --prompt TEXT     text to tokenize (UTF-8)\n"
              << "  --no-bos              add no BOS (or EOS) even where the model requests it\n"
              << "  --no-parse-special    tokenize special-token text such as <s> as plain text\n";
}

std::string join_ids(const std::vector<TokenId>& ids)
{
    std::string line;
    for (size_t i = 0; i < ids.size(); ++i) {
        if (i > 0)
            line += ' ';
        line += std::to_string(ids[i]);
    }
    return line;
}

} // namespace

int cmd_tokenize(const Args& args)
{
    try {
        // Parse the command line.
        const Options options(args, {"-m", "--model", "-p", "--prompt", "--hf-dir"},
                              {"--no-bos", "--no-parse-special", "--help", "-h"});
        if (options.has("--help") || options.has("-h")) {
            print_help();
            return kExitOk;
        }
        if (!options.positional().empty())
            throw UsageError("unexpected argument '" + options.positional().front() + "'");
        std::optional<std::string> model_path = options.value("-m");
        if (!model_path)
            model_path = options.value("--model");
        const std::optional<std::string> hf_dir = options.value("--hf-dir");
        if (model_path && hf_dir)
            throw UsageError("give either -m MODEL or --hf-dir DIR, not both");
        if (!model_path && !hf_dir)
            throw UsageError("missing required option -m MODEL (or --hf-dir DIR)");
        std::optional<std::string> text = options.value("-p");
        if (!text)
            text = options.value("--prompt");
        if (!text)
            throw UsageError("missing required option -p TEXT");
        const bool add_bos = !options.has("--no-bos");
        const bool parse_special = !options.has("--no-parse-special");

        // Read the vocab and print the ids on one line. A model folder's
        // tokenizer is the one Model::load() reads from it.
        std::unique_ptr<Tokenizer> tokenizer;
        if (hf_dir) {
            tokenizer = Tokenizer::from_hf_dir(*hf_dir);
        } else if (is_model_folder(*model_path)) {
            tokenizer = Tokenizer::from_hf_dir(*model_path);
        } else {
            const std::unique_ptr<GgufFile> file = GgufFile::open(*model_path);
            tokenizer = Tokenizer::from_gguf(*file);
        }
        std::cout << join_ids(tokenizer->encode(*text, add_bos, parse_special)) << "\n";
        std::cout.flush();
        if (!std::cout) {
            std::cerr << "quanta-cli tokenize: writing to standard output failed\n";
            return kExitFailure;
        }
        return kExitOk;
    } catch (const UsageError& error) {
        std::cerr << "quanta-cli tokenize: " << error.what() << "\n" << kUsage << "\n";
        return kExitUsage;
    } catch (const Error& error) {
        std::cerr << "quanta-cli tokenize: " << printable(error.what()) << "\n";
        return kExitFailure;
    }
}

} // namespace quanta::cli
