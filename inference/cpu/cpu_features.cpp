#include "cpu/cpu_features.h"

#include "core/error.h"
#include "core/log.h"

#include <atomic>
#include <cstdlib>
#include <string_view>

namespace quanta::cpu {

namespace {

// -1: no override; otherwise a KernelSet value.
std::atomic<int> g_override{-1};

KernelSet default_kernel_set()
{
    const bool supported = cpu_has_avx2_fma_f16c();
    const char* request = std::getenv("QUANTA_CPU_KERNELS");
    const std::string_view value = request ? request : "";

    if (value == "generic") {
        QUANTA_LOG_INFO("CPU kernels: generic (QUANTA_CPU_KERNELS=generic)");
        return KernelSet::Generic;
    }
    if (!value.empty() && value != "auto" && value != "avx2") {
        QUANTA_LOG_WARN("QUANTA_CPU_KERNELS=%s is not one of auto, avx2, generic; using auto", request);
    }
    if (value == "avx2" && !supported)
        QUANTA_LOG_WARN("QUANTA_CPU_KERNELS=avx2, but this CPU lacks AVX2, FMA or F16C; using generic kernels");
    return supported ? KernelSet::Avx2 : KernelSet::Generic;
}

} // namespace

bool cpu_has_avx2_fma_f16c()
{
#if defined(__x86_64__) || defined(__i386__)
    static const bool supported =
        __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && __builtin_cpu_supports("f16c");
    return supported;
#else
    return false;
#endif
}

KernelSet active_kernel_set()
{
    const int forced = g_override.load(std::memory_order_relaxed);
    if (forced >= 0)
        return static_cast<KernelSet>(forced);
    static const KernelSet chosen = default_kernel_set();
    return chosen;
}

void set_kernel_set_override(std::optional<KernelSet> kernel_set)
{
    if (kernel_set == KernelSet::Avx2 && !cpu_has_avx2_fma_f16c())
        throw UnsupportedError("cannot force the AVX2 kernels: this CPU lacks AVX2, FMA or F16C");
    g_override.store(kernel_set ? static_cast<int>(*kernel_set) : -1, std::memory_order_relaxed);
}

const char* kernel_set_name(KernelSet kernel_set)
{
    return kernel_set == KernelSet::Avx2 ? "avx2+fma+f16c" : "generic";
}

} // namespace quanta::cpu
