// AVX2 memory read loop for bandwidth.cpp; called only after a CPU check.
#include <immintrin.h>

#include <cstddef>
#include <cstdint>

namespace quanta::avx2 {

uint64_t read_sum(const uint8_t* data, size_t bytes)
{
    __m256i a = _mm256_setzero_si256();
    __m256i b = _mm256_setzero_si256();
    __m256i c = _mm256_setzero_si256();
    __m256i d = _mm256_setzero_si256();
    size_t i = 0;
    for (; i + 128 <= bytes; i += 128) {
        a = _mm256_add_epi64(a, _mm256_load_si256(reinterpret_cast<const __m256i*>(data + i)));
        b = _mm256_add_epi64(b, _mm256_load_si256(reinterpret_cast<const __m256i*>(data + i + 32)));
        c = _mm256_add_epi64(c, _mm256_load_si256(reinterpret_cast<const __m256i*>(data + i + 64)));
        d = _mm256_add_epi64(d, _mm256_load_si256(reinterpret_cast<const __m256i*>(data + i + 96)));
    }
    const __m256i sum = _mm256_add_epi64(_mm256_add_epi64(a, b), _mm256_add_epi64(c, d));
    alignas(32) uint64_t lanes[4];
    _mm256_store_si256(reinterpret_cast<__m256i*>(lanes), sum);
    return lanes[0] + lanes[1] + lanes[2] + lanes[3];
}

} // namespace quanta::avx2
