// Run-time choice between the AVX2 kernels and the portable ones.
#pragma once

#include <optional>

namespace quanta::cpu {

enum class KernelSet {
    Generic,    // portable C++, any x86-64 or other CPU
    Avx2,       // AVX2 + FMA + F16C, the *_avx2.cpp files
    AvxVnni,    // Avx2, with the quantized GEMM built for AVX-VNNI (*_avxvnni.cpp)
    Avx512Vnni, // Avx2, with the GEMMs built for AVX-512 and AVX512-VNNI (*_vnni.cpp)
};

// True when the CPU (and OS) support AVX2, FMA and F16C.
bool cpu_has_avx2_fma_f16c();

// True when the CPU (and OS) also support AVX512-VNNI with AVX512VL and
// AVX512BW, for vpdpbusd on 256-bit vectors.
bool cpu_has_avx512_vnni();

// True when the CPU (and OS) support AVX-VNNI, the VEX encoding of vpdpbusd.
bool cpu_has_avx_vnni();

// True for the sets that run the AVX2 kernels (all but Generic).
bool uses_avx2(KernelSet kernel_set);

// The kernel set KernelMode::Fast uses: the best one the CPU has. The
// environment variable QUANTA_CPU_KERNELS (read once, at the first call,
// in any letter case) caps it: "generic" forces the portable kernels, "avx2" the AVX2 set
// without VNNI, "avxvnni" at most the AVX-VNNI set, and "avx512vnni" or
// "auto" keep the default. A request the CPU cannot run falls back to the
// best set below it, with a warning.
KernelSet active_kernel_set();

// Overrides the choice for the whole process, so that the tests can run
// every kernel set the machine has; nullopt restores the default. Throws
// UnsupportedError for a set the CPU cannot run. Not meant to be called
// while another thread is inside matmul().
void set_kernel_set_override(std::optional<KernelSet> kernel_set);

const char* kernel_set_name(KernelSet kernel_set);

} // namespace quanta::cpu
