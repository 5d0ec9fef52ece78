// The quantized GEMM of gemm_quant_avx2.cpp, compiled again for CPUs with
// AVX-VNNI (see QUANTA_AVXVNNI_BUILD there). Only matmul.cpp's run-time
// check for that kernel set leads here.
#define QUANTA_VNNI_BUILD 1
#define QUANTA_AVXVNNI_BUILD 1
#include "cpu/gemm_quant_avx2.cpp"
