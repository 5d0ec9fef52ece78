// Entry points of the AVX2 kernel files, dispatched by kernels_avx2.cpp.
// Each computes y[t][r] for rows [row_begin, row_end) and tokens
// [token_begin, token_end) of a MatmulProblem (see kernels.h).
#pragma once

#include "cpu/kernels.h"

namespace quanta::cpu::avx2 {

// Streams each weight row once per group of up to 4 tokens: for decode.
void gemv_legacy(const MatmulProblem& p, int64_t row_begin, int64_t row_end, int64_t token_begin,
                 int64_t token_end);
void gemv_kquants(const MatmulProblem& p, int64_t row_begin, int64_t row_end, int64_t token_begin,
                  int64_t token_end); // Q4_K, Q5_K, Q6_K
void gemv_low_bit_kquants(const MatmulProblem& p, int64_t row_begin, int64_t row_end, int64_t token_begin,
                          int64_t token_end); // Q2_K, Q3_K
void gemv_iq4_xs(const MatmulProblem& p, int64_t row_begin, int64_t row_end, int64_t token_begin,
                 int64_t token_end);
// Q4_0 rows interleaved in groups of 8 (cpu/repack.h).
void gemv_interleaved(const MatmulProblem& p, int64_t row_begin, int64_t row_end, int64_t token_begin,
                      int64_t token_end);
void gemv_float(const MatmulProblem& p, int64_t row_begin, int64_t row_end, int64_t token_begin,
                int64_t token_end);

// Packs panels of weight rows and runs register-blocked tiles over the
// tokens: for prompt processing.
void gemm_quantized(const MatmulProblem& p, int64_t row_begin, int64_t row_end, int64_t token_begin,
                    int64_t token_end);
void gemm_float(const MatmulProblem& p, int64_t row_begin, int64_t row_end, int64_t token_begin,
                int64_t token_end);

} // namespace quanta::cpu::avx2

namespace quanta::cpu::vnni {

// gemm_quant_vnni.cpp: avx2::gemm_quantized() for AVX512-VNNI CPUs, on
// records packed by vnni::pack_gemm_records().
void gemm_quantized(const MatmulProblem& p, int64_t row_begin, int64_t row_end, int64_t token_begin,
                    int64_t token_end);
// matmul_float_vnni.cpp: avx2::gemm_float() on 512-bit vectors.
void gemm_float(const MatmulProblem& p, int64_t row_begin, int64_t row_end, int64_t token_begin,
                int64_t token_end);

} // namespace quanta::cpu::vnni

namespace quanta::cpu::avxvnni {

// gemm_quant_avxvnni.cpp: avx2::gemm_quantized() for AVX-VNNI CPUs, on
// records packed by avxvnni::pack_gemm_records().
void gemm_quantized(const MatmulProblem& p, int64_t row_begin, int64_t row_end, int64_t token_begin,
                    int64_t token_end);

} // namespace quanta::cpu::avxvnni
