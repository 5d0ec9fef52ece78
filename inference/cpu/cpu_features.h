// Run-time choice between the AVX2 kernels and the portable ones.
#pragma once

#include <optional>

namespace quanta::cpu {

enum class KernelSet {
    Generic, // portable C++, any x86-64 or other CPU
    Avx2,    // AVX2 + FMA + F16C, the *_avx2.cpp files
};

// True when the CPU (and OS) support AVX2, FMA and F16C.
bool cpu_has_avx2_fma_f16c();

// The kernel set KernelMode::Fast uses. Defaults to Avx2 where the CPU has it.
// The environment variable QUANTA_CPU_KERNELS=generic forces the portable
// kernels (read once, at the first call); "avx2" or "auto" keep the default.
// A request for AVX2 on a CPU without it falls back to Generic with a warning.
KernelSet active_kernel_set();

// Overrides the choice for the whole process (the tests use it to run both
// kernel sets on one machine); nullopt restores the default. Throws
// UnsupportedError when asked for Avx2 on a CPU without it. Not meant to be
// called while another thread is inside matmul().
void set_kernel_set_override(std::optional<KernelSet> kernel_set);

const char* kernel_set_name(KernelSet kernel_set);

} // namespace quanta::cpu
