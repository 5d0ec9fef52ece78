// The float GEMM of matmul_float_avx2.cpp, compiled again for CPUs with
// AVX-512 (see QUANTA_VNNI_BUILD there). Only the AVX512-VNNI kernel set,
// which requires AVX-512 F, VL and BW, leads here.
#define QUANTA_VNNI_BUILD 1
#include "cpu/matmul_float_avx2.cpp"
