// Micro-benchmark of the CPU matmul kernels on the matrix shapes of a
// 1B-parameter llama (n_embd 2048, n_ff 5632, vocab 32000, 16 layers, 4 KV
// heads of 64 like TinyLlama). Not a test: it prints GFLOP/s, weight GB/s
// and the matmul-only token rates these imply for the whole model, which
// bound what `quanta-cli bench` can reach. Build it by hand against the
// engine library:
//   g++ -O2 -std=c++20 -I inference tests/bench/bench_kernels.cpp
//       build/inference/libquanta_inference.a -pthread -o bench_kernels
// Usage: bench_kernels [threads] [types...]   (default: 2 threads, Q4_0 Q8_0 F16)
#include "core/thread_pool.h"
#include "cpu/matmul.h"
#include "gguf/ggml_type.h"
#include "quant/reference.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

using namespace quanta;

namespace {

struct Shape {
    const char* name;
    int64_t n_out;
    int64_t n_in;
    int per_layer; // how many such matrices one layer has
};

// Attention wq and wo, wk and wv, feed-forward gate and up, feed-forward
// down; the output projection is counted once.
constexpr Shape kShapes[] = {
    {"attn q/o 2048x2048", 2048, 2048, 2},
    {"attn k/v 256x2048", 256, 2048, 2},
    {"ffn up 5632x2048", 5632, 2048, 2},
    {"ffn down 2048x5632", 2048, 5632, 1},
    {"output 32000x2048", 32000, 2048, 0},
};
constexpr int kLayers = 16;
// Decode streams each matrix from memory; cycling through copies larger than
// the last-level cache keeps it from timing cache hits.
constexpr size_t kColdBytes = size_t{160} << 20;

std::vector<uint8_t> make_weights(GgmlType type, int64_t n_out, int64_t n_in, std::mt19937& rng)
{
    const size_t row_bytes = static_cast<size_t>(*ggml_row_bytes(type, static_cast<uint64_t>(n_in)));
    std::vector<uint8_t> data(row_bytes * static_cast<size_t>(n_out));
    std::normal_distribution<float> normal(0.0f, 0.02f);
    std::vector<float> row(static_cast<size_t>(n_in));
    for (int64_t r = 0; r < n_out; ++r) {
        for (float& v : row)
            v = normal(rng);
        quantize_row(type, row.data(), data.data() + static_cast<size_t>(r) * row_bytes, n_in);
    }
    return data;
}

// Best time of repeated runs, in seconds, after one warm-up run; run i uses
// copy i % copies.size() of the weights.
double time_matmul(const std::vector<WeightMatrix>& copies, const std::vector<float>& x, int64_t n_tokens,
                   std::vector<float>& y, ThreadPool& pool)
{
    matmul(copies[0], x.data(), n_tokens, y.data(), pool, KernelMode::Fast);
    double best = 1e30;
    const auto start = std::chrono::steady_clock::now();
    for (int run = 0; run < 200; ++run) {
        const WeightMatrix& w = copies[static_cast<size_t>(run + 1) % copies.size()];
        const auto t0 = std::chrono::steady_clock::now();
        matmul(w, x.data(), n_tokens, y.data(), pool, KernelMode::Fast);
        const auto t1 = std::chrono::steady_clock::now();
        best = std::min(best, std::chrono::duration<double>(t1 - t0).count());
        if (run >= 2 && std::chrono::duration<double>(t1 - start).count() > 1.5)
            break;
    }
    return best;
}

} // namespace

int main(int argc, char** argv)
{
    const int threads = argc > 1 ? std::atoi(argv[1]) : 2;
    std::vector<GgmlType> types;
    for (int i = 2; i < argc; ++i) {
        const auto type = ggml_type_from_name(argv[i]);
        if (!type) {
            std::fprintf(stderr, "unknown type %s\n", argv[i]);
            return 2;
        }
        types.push_back(*type);
    }
    if (types.empty())
        types = {GgmlType::Q4_0, GgmlType::Q8_0, GgmlType::F16};

    ThreadPool pool(threads);
    std::mt19937 rng(1);
    std::printf("kernels: %s, threads: %d\n", cpu_kernel_name(), threads);

    for (const GgmlType type : types) {
        double layer_time[2] = {0.0, 0.0}; // per token: decode, prompt
        double output_time[2] = {0.0, 0.0};
        for (const Shape& shape : kShapes) {
            const std::vector<uint8_t> data = make_weights(type, shape.n_out, shape.n_in, rng);
            const size_t n_copies = std::max<size_t>(1, kColdBytes / data.size());
            std::vector<std::vector<uint8_t>> storage(n_copies, data);
            std::vector<WeightMatrix> copies;
            for (const std::vector<uint8_t>& bytes : storage) {
                WeightMatrix w;
                w.type = type;
                w.data = bytes.data();
                w.n_in = shape.n_in;
                w.n_out = shape.n_out;
                w.row_bytes = static_cast<size_t>(*ggml_row_bytes(type, static_cast<uint64_t>(shape.n_in)));
                copies.push_back(w);
            }

            const int64_t token_counts[2] = {1, 512};
            for (int k = 0; k < 2; ++k) {
                const int64_t n_tokens = token_counts[k];
                std::vector<float> x(static_cast<size_t>(shape.n_in * n_tokens));
                std::normal_distribution<float> normal(0.0f, 1.0f);
                for (float& v : x)
                    v = normal(rng);
                std::vector<float> y(static_cast<size_t>(shape.n_out * n_tokens));

                const double seconds = time_matmul(copies, x, n_tokens, y, pool);
                const double flops = 2.0 * static_cast<double>(shape.n_in * shape.n_out * n_tokens);
                std::printf("%-5s %-20s tokens %3lld: %8.3f ms  %7.1f GFLOP/s  %6.1f GB/s weights\n",
                            std::string(ggml_type_name(type)).c_str(), shape.name,
                            static_cast<long long>(n_tokens), seconds * 1e3, flops / seconds / 1e9,
                            static_cast<double>(data.size()) / seconds / 1e9);
                const double per_token = seconds / static_cast<double>(n_tokens);
                if (shape.per_layer > 0)
                    layer_time[k] += shape.per_layer * per_token;
                else
                    output_time[k] += per_token;
            }
        }
        const double tg = 1.0 / (kLayers * layer_time[0] + output_time[0]);
        const double pp = 1.0 / (kLayers * layer_time[1] + output_time[1]);
        std::printf("%-5s matmul-only model rates: tg %.1f t/s, pp512 %.1f t/s\n\n",
                    std::string(ggml_type_name(type)).c_str(), tg, pp);
    }
    return 0;
}
