// Graph constructors, one per architecture file. Each reads the file's
// metadata and tensors and throws FormatError or UnsupportedError naming the
// file and the problem.
#pragma once

#include "cpu/matmul.h"

#include <memory>

namespace quanta {

class GgufFile;
class ModelGraph;

std::unique_ptr<ModelGraph> create_llama_graph(const GgufFile& file, KernelMode kernels);
std::unique_ptr<ModelGraph> create_qwen2_graph(const GgufFile& file, KernelMode kernels);
std::unique_ptr<ModelGraph> create_gemma2_graph(const GgufFile& file, KernelMode kernels);
std::unique_ptr<ModelGraph> create_gemma3_graph(const GgufFile& file, KernelMode kernels);
std::unique_ptr<ModelGraph> create_phi3_graph(const GgufFile& file, KernelMode kernels);

} // namespace quanta
