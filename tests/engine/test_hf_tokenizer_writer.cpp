// tokenizer.json and tokenizer_config.json written from GGUF vocabs: the
// files load with Tokenizer::from_hf_dir and tokenize exactly as
// Tokenizer::from_gguf does, the SentencePiece merges equal those of an
// independent converter, and bad input or a bad folder gives a clear error.
#include "test_support.h"

#include "core/error.h"
#include "gguf/gguf_reader.h"
#include "gguf/gguf_writer.h"
#include "tokenizer/byte_level.h"
#include "tokenizer/hf_tokenizer_writer.h"
#include "tokenizer/named_pre_tokenizers.h"
#include "tokenizer/tokenizer.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QtTest>

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <memory>
#include <string>
#include <utility>
#include <vector>

using namespace quanta;
using nlohmann::json;
using quanta::test::shared_path;

namespace {

QByteArray read_bytes(const QString& path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return file.readAll();
}

// The JSON document in `path`, or a discarded value (not an object) when it
// cannot be read or parsed. nlohmann keeps every string as its UTF-8 bytes,
// while Qt's reader turns Mistral's token "\uFEFF" into an empty key. The
// tests keep the documents non-const, so that a missing key reads as null.
json read_json(const std::string& path)
{
    std::ifstream stream(path, std::ios::binary);
    return json::parse(stream, nullptr, false);
}

QString format_ids(const std::vector<TokenId>& ids)
{
    QStringList numbers;
    for (const TokenId id : ids)
        numbers << QString::number(id);
    return numbers.join(' ');
}

// Shows control characters and invalid bytes in failure messages.
QString printable(const std::string& text)
{
    QString escaped;
    for (const char c : text) {
        const auto byte = static_cast<unsigned char>(c);
        if (byte < 0x20 || byte >= 0x7F)
            escaped += QString("\\x%1").arg(byte, 2, 16, QChar('0'));
        else
            escaped += QChar(byte);
    }
    return "'" + escaped + "'";
}

// Merges as (left, right), from either form tokenizer.json allows: a pair
// or a "left right" string.
std::vector<std::pair<std::string, std::string>> merge_pairs(const json& merges)
{
    std::vector<std::pair<std::string, std::string>> pairs;
    for (const json& merge : merges) {
        if (merge.is_array()) {
            pairs.emplace_back(merge.at(0).get<std::string>(), merge.at(1).get<std::string>());
        } else {
            const std::string line = merge.get<std::string>();
            const size_t space = line.find(' ');
            pairs.emplace_back(line.substr(0, space), line.substr(space + 1));
        }
    }
    return pairs;
}

// The input texts of llama.cpp's test vectors (FILE.inp), separated by
// "\n__ggml_vocab_test__\n".
std::vector<std::string> read_vocab_test_inputs(const std::string& vocab_path)
{
    const std::string inputs = read_bytes(QString::fromStdString(vocab_path + ".inp")).toStdString();
    const std::string separator = "\n__ggml_vocab_test__\n";
    std::vector<std::string> texts;
    for (size_t position = 0; position < inputs.size();) {
        const size_t next = inputs.find(separator, position);
        if (next == std::string::npos) {
            texts.push_back(inputs.substr(position));
            break;
        }
        texts.push_back(inputs.substr(position, next - position));
        position = next + separator.size();
    }
    return texts;
}

// One string of a Hugging Face reference file, with the ids that Hugging
// Face gives it with and without the special tokens around it.
struct ReferenceCase {
    std::string text;
    std::vector<TokenId> ids;
    std::vector<TokenId> ids_no_special;
};

// The Hugging Face reference cases for a GGUF vocab built from a reference
// tokenizer ("ggml-vocab-NAME.gguf" for NAME.json), or none for other files.
std::vector<ReferenceCase> read_reference_cases(const std::string& gguf_path)
{
    const QString name = QFileInfo(QString::fromStdString(gguf_path)).completeBaseName();
    const QString prefix = "ggml-vocab-";
    if (!name.startsWith(prefix))
        return {};
    const std::string family = name.mid(prefix.size()).toStdString();
    const json reference = read_json(shared_path("reference/tokenizers/" + family + ".json"));
    if (!reference.is_object())
        return {};
    std::vector<ReferenceCase> cases;
    for (const json& entry : reference.at("cases")) {
        cases.push_back({entry.at("text").get<std::string>(), entry.at("ids").get<std::vector<TokenId>>(),
                         entry.at("ids_no_special").get<std::vector<TokenId>>()});
    }
    return cases;
}

// Texts of our own: whitespace, scripts, emoji, ill-formed UTF-8 and the
// special-token texts of the common chat formats.
std::vector<std::string> own_texts()
{
    return {
        "",
        " ",
        "   ",
        "Hello world",
        " Hello world",
        "Hello   world  ",
        "\n",
        "line one\nline two\n\n\tindented\r\n",
        "日本語のテキスト 中文 한국어",
        "Emoji: 😀👍🏽🎉🇩🇪 ❤️",
        "naïve café Ünïcödé e\xCC\x81",
        "1234567890 3.14 8,100",
        "bad \xFF bytes \xC3 end \xE2\x96",
        "<s>Hello</s> <unk>",
        "<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n",
        "<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|>",
        "<|endoftext|>Once upon a time<think>\n</think>",
    };
}

// The GGUF vocab files whose tokenizer model the writer supports.
std::vector<std::string> writable_vocab_files()
{
    std::vector<std::string> paths = {shared_path("models/stories260K.gguf")};
    const QDir folder(QString::fromStdString(shared_path("models/vocab")));
    for (const QString& name : folder.entryList({"*.gguf"}, QDir::Files, QDir::Name)) {
        const std::string path = folder.filePath(name).toStdString();
        const std::string model = GgufFile::open(path)->get_string("tokenizer.ggml.model", "");
        if (model == "llama" || model == "gpt2")
            paths.push_back(path);
    }
    return paths;
}

// Every test string of a vocab: llama.cpp's vectors (FILE.inp) and Hugging
// Face's reference strings where they exist, ours, and each added token's
// text between two words.
std::vector<std::string> test_texts(const std::string& gguf_path, const Tokenizer& tokenizer)
{
    std::vector<std::string> texts = read_vocab_test_inputs(gguf_path);
    for (const ReferenceCase& reference : read_reference_cases(gguf_path))
        texts.push_back(reference.text);

    const std::vector<std::string> own = own_texts();
    texts.insert(texts.end(), own.begin(), own.end());

    for (TokenId id = 0; id < tokenizer.vocab_size(); ++id) {
        const TokenType type = tokenizer.token_type(id);
        if (type == TokenType::Control || type == TokenType::Unknown || type == TokenType::UserDefined)
            texts.push_back("a" + tokenizer.token_text(id) + " b");
    }
    return texts;
}

// NOTE: no vocab here has unused or undefined tokens or lacks byte tokens.
// There the written files cannot match the GGUF tokenizer (the writer marks
// both cases), so they are not compared.

// Compares the tokenizer loaded from the written folder with the GGUF one:
// special ids, encode() with every flag combination, decode(), and the
// piece of every token.
void compare_tokenizers(const Tokenizer& expected, const Tokenizer& actual, const std::vector<std::string>& texts)
{
    QCOMPARE(actual.vocab_size(), expected.vocab_size());
    QCOMPARE(actual.bos(), expected.bos());
    QCOMPARE(actual.eos(), expected.eos());
    QCOMPARE(actual.add_bos_default(), expected.add_bos_default());

    for (const std::string& text : texts) {
        for (const bool add_bos : {true, false}) {
            for (const bool parse_special : {true, false}) {
                const std::vector<TokenId> expected_ids = expected.encode(text, add_bos, parse_special);
                const std::vector<TokenId> actual_ids = actual.encode(text, add_bos, parse_special);
                QVERIFY2(actual_ids == expected_ids,
                         qPrintable(QString("text %1, add_bos %2, parse_special %3: GGUF gives [%4], "
                                            "tokenizer.json gives [%5]")
                                        .arg(printable(text))
                                        .arg(add_bos)
                                        .arg(parse_special)
                                        .arg(format_ids(expected_ids), format_ids(actual_ids))));
                for (const bool render_special : {false, true}) {
                    const std::string expected_text = expected.decode(expected_ids, !render_special, render_special);
                    const std::string actual_text = actual.decode(expected_ids, !render_special, render_special);
                    QVERIFY2(actual_text == expected_text,
                             qPrintable(QString("decode [%1] (render_special %2): GGUF gives %3, tokenizer.json "
                                                "gives %4")
                                            .arg(format_ids(expected_ids))
                                            .arg(render_special)
                                            .arg(printable(expected_text), printable(actual_text))));
                }
            }
        }
    }

    for (TokenId id = 0; id < expected.vocab_size(); ++id) {
        for (const bool render_special : {false, true}) {
            const std::string expected_piece = expected.token_to_piece(id, render_special);
            const std::string actual_piece = actual.token_to_piece(id, render_special);
            QVERIFY2(actual_piece == expected_piece,
                     qPrintable(QString("token %1 (render_special %2): GGUF gives %3, tokenizer.json gives %4")
                                    .arg(id)
                                    .arg(render_special)
                                    .arg(printable(expected_piece), printable(actual_piece))));
        }
    }
}

// A small SentencePiece vocab with all 256 byte tokens, a user-defined and
// a control token, EOS added after the text and no "▁" prefix: the branches
// that the real vocabs leave out.
GgufWriter tiny_sentencepiece_vocab()
{
    std::vector<std::string> tokens = {"<unk>", "<s>", "</s>"};
    std::vector<float> scores = {0, 0, 0};
    std::vector<int32_t> types = {2, 3, 3};
    for (int byte = 0; byte < 256; ++byte) {
        char name[8];
        std::snprintf(name, sizeof(name), "<0x%02X>", byte);
        tokens.push_back(name);
        scores.push_back(0);
        types.push_back(6);
    }
    const std::vector<std::pair<std::string, float>> pieces = {
        {"\xE2\x96\x81", -1}, {"a", -2}, {"b", -3}, {"c", -4}, {"ab", -5}, {"\xE2\x96\x81" "a", -6},
        {"abc", -7}, {"\xE2\x96\x81" "ab", -8}, {"bc", -9}, {"\xE2\x96\x81" "abc", -10}, {"日", -11},
        {"cb", -12},
    };
    for (const auto& [text, score] : pieces) {
        tokens.push_back(text);
        scores.push_back(score);
        types.push_back(1);
    }
    tokens.insert(tokens.end(), {"<tool>", "<|im_end|>"});
    scores.insert(scores.end(), {0, 0});
    types.insert(types.end(), {4, 3});

    GgufWriter file;
    file.add_string("general.architecture", "llama");
    file.add_uint32("llama.context_length", 64);
    file.add_string("tokenizer.ggml.model", "llama");
    file.add_string_array("tokenizer.ggml.tokens", tokens);
    file.add_float32_array("tokenizer.ggml.scores", scores);
    file.add_int32_array("tokenizer.ggml.token_type", types);
    file.add_bool("tokenizer.ggml.add_eos_token", true);
    file.add_bool("tokenizer.ggml.add_space_prefix", false);
    return file;
}

// A small byte-level vocab: the 256 byte characters, a few merged tokens
// and a control token, with the pre-tokenizer `pre` (none when empty) and
// BOS and EOS both added.
GgufWriter tiny_byte_level_vocab(const std::string& pre)
{
    std::vector<std::string> tokens;
    for (int byte = 0; byte < 256; ++byte) {
        std::string text;
        append_byte_level(std::string(1, static_cast<char>(byte)), text);
        tokens.push_back(text);
    }
    tokens.insert(tokens.end(), {"ab", "\xC4\xA0" "a", "abc", "12", "123", "<|end|>"});
    std::vector<int32_t> types(tokens.size(), 1);
    types.back() = 3;

    GgufWriter file;
    file.add_string("general.architecture", "gpt2");
    file.add_uint64("gpt2.context_length", 128);
    file.add_string("tokenizer.ggml.model", "gpt2");
    if (!pre.empty())
        file.add_string("tokenizer.ggml.pre", pre);
    file.add_string_array("tokenizer.ggml.tokens", tokens);
    file.add_int32_array("tokenizer.ggml.token_type", types);
    file.add_string_array("tokenizer.ggml.merges", {"a b", "\xC4\xA0 a", "ab c", "1 2", "12 3"});
    file.add_uint32("tokenizer.ggml.bos_token_id", 261);
    file.add_uint32("tokenizer.ggml.eos_token_id", 261);
    file.add_bool("tokenizer.ggml.add_bos_token", true);
    file.add_bool("tokenizer.ggml.add_eos_token", true);
    return file;
}

} // namespace

class TestHfTokenizerWriter : public QObject {
    Q_OBJECT

private:
    QTemporaryDir temp_dir_;

    // A new empty folder under the temporary directory.
    std::string make_folder(const QString& name)
    {
        const QString path = temp_dir_.filePath(name);
        if (!QDir().mkpath(path))
            return {};
        return path.toStdString();
    }

private slots:
    void initTestCase()
    {
        if (!quanta::test::shared_available())
            QSKIP("the shared models folder is missing");
        QVERIFY(temp_dir_.isValid());
    }

    void storiesMatchesSharedTokenizerJson_data()
    {
        QTest::addColumn<QString>("gguf");
        QTest::newRow("stories260K") << QString::fromStdString(shared_path("models/stories260K.gguf"));
        QTest::newRow("stories260K-wide")
            << QString::fromStdString(shared_path("models/stories260K-wide/stories260K-wide-F32.gguf"));
    }

    void storiesMatchesSharedTokenizerJson()
    {
        QFETCH(QString, gguf);
        const std::string folder = make_folder(QString("stories-%1").arg(QTest::currentDataTag()));
        QVERIFY(!folder.empty());
        write_hf_tokenizer_files(*GgufFile::open(gguf.toStdString()), folder);

        json expected = read_json(shared_path("models/hf/stories260K-wide-fp16/tokenizer.json"));
        json actual = read_json(folder + "/tokenizer.json");
        QVERIFY(expected.is_object());
        QVERIFY(actual.is_object());

        // The same pieces at the same ids, and the same merges in the same order.
        json& expected_model = expected["model"];
        json& actual_model = actual["model"];
        QCOMPARE(actual_model["vocab"].size(), size_t(512));
        QVERIFY(actual_model["vocab"] == expected_model["vocab"]);
        const auto expected_merges = merge_pairs(expected_model["merges"]);
        const auto actual_merges = merge_pairs(actual_model["merges"]);
        QCOMPARE(actual_merges.size(), size_t(165));
        QVERIFY(actual_merges == expected_merges);

        // The rest of LlamaConverter's shape, field by field, and then the
        // whole document.
        for (const char* key : {"type", "unk_token", "fuse_unk", "byte_fallback", "ignore_merges", "dropout"})
            QVERIFY2(actual_model[key] == expected_model[key], key);
        for (const char* key : {"added_tokens", "normalizer", "pre_tokenizer", "post_processor", "decoder"})
            QVERIFY2(actual[key] == expected[key], key);
        QVERIFY(actual == expected);

        // The config names the special tokens and the context length.
        json config = read_json(folder + "/tokenizer_config.json");
        QVERIFY(config.is_object());
        QVERIFY(config["bos_token"] == "<s>");
        QVERIFY(config["eos_token"] == "</s>");
        QVERIFY(config["unk_token"] == "<unk>");
        QVERIFY(config["add_bos_token"] == true);
        QVERIFY(config["add_eos_token"] == false);
        QVERIFY(config["model_max_length"] == 2048);
        QVERIFY(config["tokenizer_class"] == "LlamaTokenizerFast");
        QVERIFY(!config.contains("chat_template"));
        QVERIFY(!config.contains("pad_token"));
    }

    void roundTripMatchesGguf_data()
    {
        QTest::addColumn<QString>("gguf");
        const std::vector<std::string> paths = writable_vocab_files();
        // stories260K and seven llama and gpt2 vocabs; fewer means the
        // listing missed some.
        QVERIFY(paths.size() >= 8);
        for (const std::string& path : paths) {
            const QString file_name = QFileInfo(QString::fromStdString(path)).fileName();
            QTest::newRow(qPrintable(file_name)) << QString::fromStdString(path);
        }
    }

    void roundTripMatchesGguf()
    {
        QFETCH(QString, gguf);
        const std::unique_ptr<GgufFile> file = GgufFile::open(gguf.toStdString());
        const std::unique_ptr<Tokenizer> expected = Tokenizer::from_gguf(*file);

        const std::string folder = make_folder(QString("round-trip-%1").arg(QTest::currentDataTag()));
        QVERIFY(!folder.empty());
        write_hf_tokenizer_files(*file, folder);
        const std::unique_ptr<Tokenizer> actual = Tokenizer::from_hf_dir(folder);

        const std::vector<std::string> texts = test_texts(gguf.toStdString(), *expected);
        QVERIFY(texts.size() > own_texts().size());
        compare_tokenizers(*expected, *actual, texts);

        // Hugging Face's own ids, where the vocab came from a reference
        // tokenizer; special-token text is parsed, as Hugging Face does.
        for (const ReferenceCase& reference : read_reference_cases(gguf.toStdString())) {
            const std::vector<TokenId> ids = actual->encode(reference.text, true, true);
            QVERIFY2(ids == reference.ids, qPrintable(QString("text %1: Hugging Face gives [%2], got [%3]")
                                                          .arg(printable(reference.text), format_ids(reference.ids),
                                                               format_ids(ids))));
            const std::vector<TokenId> ids_no_special = actual->encode(reference.text, false, true);
            QVERIFY2(ids_no_special == reference.ids_no_special,
                     qPrintable(QString("text %1 without special tokens: Hugging Face gives [%2], got [%3]")
                                    .arg(printable(reference.text), format_ids(reference.ids_no_special),
                                         format_ids(ids_no_special))));
        }
    }

    void matchesOriginalTokenizerJson_data()
    {
        QTest::addColumn<QString>("gguf");
        QTest::addColumn<QString>("original");
        QTest::newRow("mistral-7b-v0.1") << "ggml-vocab-mistral-7b-v0.1.gguf" << "mistral-7b-v0.1";
        QTest::newRow("llama3") << "ggml-vocab-llama3.gguf" << "llama3";
        QTest::newRow("qwen3") << "ggml-vocab-qwen3.gguf" << "qwen3";
    }

    // The vocab GGUF files were built from Hugging Face tokenizer.json
    // files; writing them back gives the same vocab, merges and steps.
    void matchesOriginalTokenizerJson()
    {
        QFETCH(QString, gguf);
        QFETCH(QString, original);
        const std::unique_ptr<GgufFile> file = GgufFile::open(shared_path("models/vocab/" + gguf.toStdString()));
        const std::string folder = make_folder("original-" + original);
        QVERIFY(!folder.empty());
        write_hf_tokenizer_files(*file, folder);
        json actual = read_json(folder + "/tokenizer.json");
        json expected = read_json(shared_path("models/tokenizers/" + original.toStdString() + "/tokenizer.json"));
        QVERIFY(actual.is_object());
        QVERIFY(expected.is_object());

        // The same merges in the same order. Byte-level files keep their
        // added tokens out of model.vocab, so every original entry must be
        // there with its id.
        json& actual_model = actual["model"];
        json& expected_model = expected["model"];
        QVERIFY(merge_pairs(actual_model["merges"]) == merge_pairs(expected_model["merges"]));
        for (const auto& [text, id] : expected_model["vocab"].items())
            QVERIFY2(actual_model["vocab"].value(text, json()) == id, text.c_str());
        for (const char* key : {"byte_fallback", "fuse_unk", "unk_token"})
            QVERIFY2(actual_model[key] == expected_model[key], key);
        QCOMPARE(actual["added_tokens"].size(), expected["added_tokens"].size());
        QVERIFY(actual["normalizer"] == expected["normalizer"]);

        // NOTE: the split pattern of Llama 3 and Qwen 3 is spelled as
        // llama.cpp writes it, with [sS] for Hugging Face's (?i:s). The flags
        // of a ByteLevel decoder or post-processor change no ids and no text.
        // So those steps are compared in full only for Mistral.
        QVERIFY(actual["decoder"]["type"] == expected["decoder"]["type"]);
        if (original == "mistral-7b-v0.1") {
            QVERIFY(actual["decoder"] == expected["decoder"]);
            QVERIFY(actual["pre_tokenizer"] == expected["pre_tokenizer"]);
            QVERIFY(actual["post_processor"] == expected["post_processor"]);
        }
    }

    void byteLevelFilesNameTheEngineRules()
    {
        const std::string path = shared_path("models/vocab/ggml-vocab-llama3_1.gguf");
        const std::unique_ptr<GgufFile> file = GgufFile::open(path);
        const std::string folder = make_folder("llama3_1-fields");
        QVERIFY(!folder.empty());
        write_hf_tokenizer_files(*file, folder);
        json tokenizer = read_json(folder + "/tokenizer.json");
        json config = read_json(folder + "/tokenizer_config.json");
        QVERIFY(tokenizer.is_object());
        QVERIFY(config.is_object());

        // Split on the engine's pattern for "llama-bpe", then map to bytes.
        json& steps = tokenizer["pre_tokenizer"]["pretokenizers"];
        QCOMPARE(steps.size(), size_t(2));
        QVERIFY(steps[0]["type"] == "Split");
        QVERIFY(steps[0]["pattern"]["Regex"] == find_named_pre_tokenizer("llama-bpe").regexes.at(0));
        QVERIFY(steps[0]["behavior"] == "Isolated");
        QVERIFY(steps[1]["type"] == "ByteLevel");
        QVERIFY(steps[1]["add_prefix_space"] == false);
        QVERIFY(steps[1]["use_regex"] == false);
        QVERIFY(tokenizer["decoder"]["type"] == "ByteLevel");
        QVERIFY(tokenizer["normalizer"].is_null());
        QVERIFY(tokenizer["model"]["ignore_merges"] == true);
        QCOMPARE(tokenizer["model"]["merges"].size(), size_t(280147));

        // Llama 3.1 adds BOS and ends turns with <|eot_id|>.
        QVERIFY(config["add_bos_token"] == true);
        QVERIFY(config["add_eos_token"] == false);
        QVERIFY(config["bos_token"] == "<|begin_of_text|>");
        QVERIFY(config["eos_token"] == "<|eot_id|>");
        QVERIFY(config["chat_template"] == file->get_string("tokenizer.chat_template"));
        QVERIFY(config["tokenizer_class"] == "PreTrainedTokenizerFast");
        QVERIFY(!config.contains("model_max_length"));
        QVERIFY(!config.contains("unk_token"));
        QCOMPARE(config["added_tokens_decoder"].size(), size_t(256));
        QVERIFY(config["added_tokens_decoder"]["128009"]["content"] == "<|eot_id|>");
        QVERIFY(config["added_tokens_decoder"]["128009"]["special"] == true);
    }

    void qwenGetsNfcNormalizer()
    {
        const std::unique_ptr<GgufFile> file = GgufFile::open(shared_path("models/vocab/ggml-vocab-qwen3.gguf"));
        const std::string folder = make_folder("qwen3-fields");
        QVERIFY(!folder.empty());
        write_hf_tokenizer_files(*file, folder);
        json tokenizer = read_json(folder + "/tokenizer.json");
        QVERIFY(tokenizer.is_object());

        QVERIFY(tokenizer["normalizer"]["type"] == "NFC");
        // <think> is user-defined: an added token that is not special.
        bool found_think = false;
        for (const json& token : tokenizer["added_tokens"]) {
            if (token["content"] == "<think>") {
                found_think = true;
                QVERIFY(token["special"] == false);
            }
        }
        QVERIFY(found_think);
    }

    void tinySentencePieceRoundTrip()
    {
        const std::string gguf_path = temp_dir_.filePath("tiny-spm.gguf").toStdString();
        tiny_sentencepiece_vocab().write(gguf_path);
        const std::unique_ptr<GgufFile> file = GgufFile::open(gguf_path);
        const std::unique_ptr<Tokenizer> expected = Tokenizer::from_gguf(*file);

        const std::string folder = make_folder("tiny-spm");
        QVERIFY(!folder.empty());
        write_hf_tokenizer_files(*file, folder);
        const std::unique_ptr<Tokenizer> actual = Tokenizer::from_hf_dir(folder);

        std::vector<std::string> texts = own_texts();
        // "cbc" becomes "c" "bc" only when the higher score merges first.
        texts.insert(texts.end(), {"abc", " abc abcab", "a<tool>b<|im_end|>c", "日日 abc\n", "cba  bca", "cbc"});
        compare_tokenizers(*expected, *actual, texts);

        // EOS follows the text, and no "▁" prefix goes in front.
        const std::vector<TokenId> ids = actual->encode("abc", true, true);
        QCOMPARE(ids.front(), TokenId(1));
        QCOMPARE(ids.back(), TokenId(2));
        QCOMPARE(ids.size(), size_t(3));
        json config = read_json(folder + "/tokenizer_config.json");
        QVERIFY(config["add_eos_token"] == true);
        QVERIFY(config["model_max_length"] == 64);
    }

    void tinyByteLevelRoundTrip_data()
    {
        QTest::addColumn<QString>("pre");
        // Names whose rules are several patterns applied one after another.
        QTest::newRow("missing key") << "";
        QTest::newRow("falcon") << "falcon";
        QTest::newRow("smollm") << "smollm";
    }

    void tinyByteLevelRoundTrip()
    {
        QFETCH(QString, pre);
        const std::string gguf_path =
            temp_dir_.filePath(QString("tiny-byte-level-%1.gguf").arg(QTest::currentDataTag())).toStdString();
        tiny_byte_level_vocab(pre.toStdString()).write(gguf_path);
        const std::unique_ptr<GgufFile> file = GgufFile::open(gguf_path);
        const std::unique_ptr<Tokenizer> expected = Tokenizer::from_gguf(*file);

        const std::string folder = make_folder(QString("tiny-byte-level-%1").arg(QTest::currentDataTag()));
        QVERIFY(!folder.empty());
        write_hf_tokenizer_files(*file, folder);
        const std::unique_ptr<Tokenizer> actual = Tokenizer::from_hf_dir(folder);

        std::vector<std::string> texts = own_texts();
        texts.insert(texts.end(), {"abc ab a", "1234567 12,345.6", "x<|end|>y", "$+<=>^~|` punct!!"});
        compare_tokenizers(*expected, *actual, texts);

        // One Split per pattern of the name, in the engine's order.
        json tokenizer = read_json(folder + "/tokenizer.json");
        QVERIFY(tokenizer.is_object());
        const std::vector<std::string> regexes = find_named_pre_tokenizer(pre.toStdString()).regexes;
        json& steps = tokenizer["pre_tokenizer"]["pretokenizers"];
        QCOMPARE(steps.size(), regexes.size() + 1);
        for (size_t i = 0; i < regexes.size(); ++i)
            QVERIFY(steps[i]["pattern"]["Regex"] == regexes[i]);

        // BOS and EOS both come from the template after ByteLevel.
        json& processors = tokenizer["post_processor"]["processors"];
        QCOMPARE(processors.size(), size_t(2));
        QVERIFY(processors[1]["type"] == "TemplateProcessing");
        QCOMPARE(processors[1]["single"].size(), size_t(3));
        const std::vector<TokenId> ids = actual->encode("ab", true, true);
        QVERIFY(ids == std::vector<TokenId>({261, 256, 261}));

        json config = read_json(folder + "/tokenizer_config.json");
        QVERIFY(config["add_bos_token"] == true);
        QVERIFY(config["add_eos_token"] == true);
        QVERIFY(config["bos_token"] == "<|end|>");
        QVERIFY(config["model_max_length"] == 128);
    }

    void rewriteReplacesFiles()
    {
        const std::unique_ptr<GgufFile> file = GgufFile::open(shared_path("models/stories260K.gguf"));
        const std::string folder = make_folder("rewrite");
        QVERIFY(!folder.empty());
        write_hf_tokenizer_files(*file, folder);
        const QByteArray first = read_bytes(QString::fromStdString(folder) + "/tokenizer.json");
        write_hf_tokenizer_files(*file, folder);

        // Same bytes, and no temporary file left behind.
        QCOMPARE(read_bytes(QString::fromStdString(folder) + "/tokenizer.json"), first);
        const QStringList names = QDir(QString::fromStdString(folder)).entryList(QDir::Files, QDir::Name);
        QCOMPARE(names, QStringList({"tokenizer.json", "tokenizer_config.json"}));
    }

    void missingFolderThrowsIoError()
    {
        const std::unique_ptr<GgufFile> file = GgufFile::open(shared_path("models/stories260K.gguf"));
        const std::string folder = temp_dir_.filePath("no-such-folder").toStdString();
        try {
            write_hf_tokenizer_files(*file, folder);
            QFAIL("writing into a missing folder did not throw");
        } catch (const IoError& error) {
            const QString message = error.what();
            QVERIFY2(message.contains(QString::fromStdString(folder + "/tokenizer.json")), error.what());
        }
        QVERIFY(!QFileInfo::exists(QString::fromStdString(folder)));
    }

    void folderInPlaceOfFileThrowsIoError()
    {
        const std::unique_ptr<GgufFile> file = GgufFile::open(shared_path("models/stories260K.gguf"));
        const std::string folder = make_folder("blocked");
        QVERIFY(!folder.empty());
        QVERIFY(QDir().mkpath(QString::fromStdString(folder) + "/tokenizer.json"));
        try {
            write_hf_tokenizer_files(*file, folder);
            QFAIL("a folder named tokenizer.json did not make the writer throw");
        } catch (const IoError& error) {
            QVERIFY2(QString(error.what()).contains("tokenizer.json"), error.what());
        }
        QVERIFY(QFileInfo(QString::fromStdString(folder) + "/tokenizer.json").isDir());
    }

    void unsupportedModelThrows()
    {
        GgufWriter writer;
        writer.add_string("tokenizer.ggml.model", "bert");
        writer.add_string_array("tokenizer.ggml.tokens", {"[PAD]", "[UNK]", "hello"});
        const std::string gguf_path = temp_dir_.filePath("bert-vocab.gguf").toStdString();
        writer.write(gguf_path);
        const std::unique_ptr<GgufFile> file = GgufFile::open(gguf_path);

        const std::string folder = make_folder("bert");
        QVERIFY(!folder.empty());
        try {
            write_hf_tokenizer_files(*file, folder);
            QFAIL("a 'bert' tokenizer model did not throw");
        } catch (const UnsupportedError& error) {
            const QString message = error.what();
            QVERIFY2(message.contains(QString::fromStdString(gguf_path)), error.what());
            QVERIFY2(message.contains("'bert'"), error.what());
        }
        QVERIFY(QDir(QString::fromStdString(folder)).isEmpty());
    }

    void invalidUtf8TokenThrows()
    {
        // Token 3 is a lone UTF-8 lead byte.
        GgufWriter broken;
        broken.add_string("tokenizer.ggml.model", "llama");
        broken.add_string_array("tokenizer.ggml.tokens", {"<unk>", "<s>", "</s>", "\xC3", "a"});
        broken.add_float32_array("tokenizer.ggml.scores", {0, 0, 0, -1, -2});
        broken.add_int32_array("tokenizer.ggml.token_type", {2, 3, 3, 1, 1});
        const std::string gguf_path = temp_dir_.filePath("invalid-utf8.gguf").toStdString();
        broken.write(gguf_path);
        const std::unique_ptr<GgufFile> file = GgufFile::open(gguf_path);

        const std::string folder = make_folder("invalid-utf8");
        QVERIFY(!folder.empty());
        try {
            write_hf_tokenizer_files(*file, folder);
            QFAIL("a token that is not UTF-8 did not throw");
        } catch (const UnsupportedError& error) {
            const QString message = error.what();
            QVERIFY2(message.contains(QString::fromStdString(gguf_path)), error.what());
            QVERIFY2(message.contains("token 3"), error.what());
        }
        QVERIFY(QDir(QString::fromStdString(folder)).isEmpty());
    }

    void nanScoreThrowsFormatError()
    {
        // Merges are ranked by score, and NaN has no rank.
        GgufWriter broken;
        broken.add_string("tokenizer.ggml.model", "llama");
        broken.add_string_array("tokenizer.ggml.tokens", {"<unk>", "<s>", "</s>", "a", "b", "ab"});
        broken.add_float32_array("tokenizer.ggml.scores", {0, 0, 0, -1, -2, std::nanf("")});
        broken.add_int32_array("tokenizer.ggml.token_type", {2, 3, 3, 1, 1, 1});
        const std::string gguf_path = temp_dir_.filePath("nan-score.gguf").toStdString();
        broken.write(gguf_path);
        const std::unique_ptr<GgufFile> file = GgufFile::open(gguf_path);

        const std::string folder = make_folder("nan-score");
        QVERIFY(!folder.empty());
        try {
            write_hf_tokenizer_files(*file, folder);
            QFAIL("a NaN score did not throw");
        } catch (const FormatError& error) {
            const QString message = error.what();
            QVERIFY2(message.contains(QString::fromStdString(gguf_path)), error.what());
            QVERIFY2(message.contains("token 5"), error.what());
        }
        QVERIFY(QDir(QString::fromStdString(folder)).isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestHfTokenizerWriter)
#include "test_hf_tokenizer_writer.moc"
