// Selects the AVX2 kernel for a weight type, and GEMV or the blocked GEMM
// following MatmulProblem::use_gemm. The AVX512-VNNI set differs only in
// its GEMMs, and the AVX-VNNI set only in its quantized GEMM.
#include "cpu/kernels_avx2.h"

namespace quanta::cpu::avx2 {

namespace {

void gemv_quantized(const MatmulProblem& p, int64_t row_begin, int64_t row_end, int64_t token_begin,
                    int64_t token_end)
{
    if (p.interleaved) {
        gemv_interleaved(p, row_begin, row_end, token_begin, token_end);
        return;
    }
    switch (p.type) {
    case GgmlType::Q2_K:
    case GgmlType::Q3_K:
        gemv_low_bit_kquants(p, row_begin, row_end, token_begin, token_end);
        break;
    case GgmlType::Q4_K:
    case GgmlType::Q5_K:
    case GgmlType::Q6_K:
        gemv_kquants(p, row_begin, row_end, token_begin, token_end);
        break;
    case GgmlType::IQ4_XS:
        gemv_iq4_xs(p, row_begin, row_end, token_begin, token_end);
        break;
    default:
        gemv_legacy(p, row_begin, row_end, token_begin, token_end);
        break;
    }
}

// Runs Gemv, or Gemm when the problem has enough tokens for it.
template <MatmulRangeKernel Gemv, MatmulRangeKernel Gemm>
void gemv_or_gemm(const MatmulProblem& p, int64_t row_begin, int64_t row_end, int64_t token_begin, int64_t token_end)
{
    if (p.use_gemm)
        Gemm(p, row_begin, row_end, token_begin, token_end);
    else
        Gemv(p, row_begin, row_end, token_begin, token_end);
}

constexpr MatmulRangeKernel matmul_float = gemv_or_gemm<gemv_float, gemm_float>;
constexpr MatmulRangeKernel matmul_quantized = gemv_or_gemm<gemv_quantized, gemm_quantized>;
constexpr MatmulRangeKernel matmul_quantized_vnni = gemv_or_gemm<gemv_quantized, vnni::gemm_quantized>;
constexpr MatmulRangeKernel matmul_quantized_avxvnni = gemv_or_gemm<gemv_quantized, avxvnni::gemm_quantized>;
constexpr MatmulRangeKernel matmul_float_vnni = gemv_or_gemm<gemv_float, vnni::gemm_float>;

} // namespace

MatmulRangeKernel matmul_kernel(GgmlType type)
{
    switch (type) {
    case GgmlType::F32:
    case GgmlType::F16:
    case GgmlType::BF16:
        return matmul_float;
    case GgmlType::Q4_0:
    case GgmlType::Q4_1:
    case GgmlType::Q5_0:
    case GgmlType::Q5_1:
    case GgmlType::Q8_0:
    case GgmlType::IQ4_NL:
    case GgmlType::Q4_G:
    case GgmlType::Q8_G:
    case GgmlType::Q2_K:
    case GgmlType::Q3_K:
    case GgmlType::Q4_K:
    case GgmlType::Q5_K:
    case GgmlType::Q6_K:
    case GgmlType::IQ4_XS:
        return matmul_quantized;
    default:
        return nullptr;
    }
}

} // namespace quanta::cpu::avx2

namespace quanta::cpu::vnni {

MatmulRangeKernel matmul_kernel(GgmlType type)
{
    const MatmulRangeKernel kernel = avx2::matmul_kernel(type);
    if (kernel == avx2::matmul_quantized)
        return avx2::matmul_quantized_vnni;
    if (kernel == avx2::matmul_float)
        return avx2::matmul_float_vnni;
    return kernel;
}

} // namespace quanta::cpu::vnni

namespace quanta::cpu::avxvnni {

MatmulRangeKernel matmul_kernel(GgmlType type)
{
    const MatmulRangeKernel kernel = avx2::matmul_kernel(type);
    return kernel == avx2::matmul_quantized ? avx2::matmul_quantized_avxvnni : kernel;
}

} // namespace quanta::cpu::avxvnni
