#include "cpu/cpu_features.h"

#include "core/env_setting.h"
#include "core/error.h"
#include "core/log.h"

#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <string>

namespace quanta::cpu {

namespace {

// -1: no override; otherwise a KernelSet value.
std::atomic<int> g_override{-1};

// The features a CPU may lack when supported(kernel_set) is false.
const char* missing_features(KernelSet kernel_set)
{
    switch (kernel_set) {
    case KernelSet::AvxVnni: return "AVX2, FMA, F16C or AVX-VNNI";
    case KernelSet::Avx512Vnni: return "AVX2, FMA, F16C, AVX512-VNNI, AVX512VL or AVX512BW";
    default: return "AVX2, FMA or F16C";
    }
}

bool supported(KernelSet kernel_set)
{
    switch (kernel_set) {
    case KernelSet::Generic: return true;
    case KernelSet::Avx2: return cpu_has_avx2_fma_f16c();
    case KernelSet::AvxVnni: return cpu_has_avx2_fma_f16c() && cpu_has_avx_vnni();
    case KernelSet::Avx512Vnni: return cpu_has_avx2_fma_f16c() && cpu_has_avx512_vnni();
    }
    return false;
}

KernelSet best_supported(KernelSet cap)
{
    KernelSet chosen = cap;
    while (!supported(chosen))
        chosen = static_cast<KernelSet>(static_cast<int>(chosen) - 1);
    return chosen;
}

KernelSet default_kernel_set()
{
    const EnvSetting setting = read_env_setting("QUANTA_CPU_KERNELS");
    const std::string& value = setting.value;
    const std::string& quoted_value = setting.quoted;

    KernelSet cap = KernelSet::Avx512Vnni;
    if (value == "generic") {
        cap = KernelSet::Generic;
    } else if (value == "avx2") {
        cap = KernelSet::Avx2;
    } else if (value == "avxvnni") {
        cap = KernelSet::AvxVnni;
    } else if (!value.empty() && value != "auto" && value != "avx512vnni") {
        QUANTA_LOG_WARN("QUANTA_CPU_KERNELS=%s is not one of auto, avx512vnni, avxvnni, avx2, generic; using auto",
                        quoted_value.c_str());
    }
    const KernelSet chosen = best_supported(cap);
    if (!value.empty() && value != "auto" && chosen != cap) {
        QUANTA_LOG_WARN("QUANTA_CPU_KERNELS=%s, but this CPU lacks %s; using %s", quoted_value.c_str(),
                        missing_features(cap), kernel_set_name(chosen));
    }
    if (!value.empty())
        QUANTA_LOG_INFO("CPU kernels: %s (QUANTA_CPU_KERNELS=%s)", kernel_set_name(chosen), quoted_value.c_str());
    return chosen;
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

bool cpu_has_avx512_vnni()
{
#if defined(__x86_64__) || defined(__i386__)
    // The CPU reports the instructions, and XCR0 shows that the OS saves the
    // SSE, AVX, opmask and upper ZMM register state (bits 1, 2, 5, 6, 7).
    static const bool supported = [] {
        if (!__builtin_cpu_supports("avx512vnni") || !__builtin_cpu_supports("avx512vl") ||
            !__builtin_cpu_supports("avx512bw"))
            return false;
        uint32_t xcr0_low = 0;
        uint32_t xcr0_high = 0;
        asm volatile("xgetbv" : "=a"(xcr0_low), "=d"(xcr0_high) : "c"(0));
        return (xcr0_low & 0xE6u) == 0xE6u;
    }();
    return supported;
#else
    return false;
#endif
}

bool cpu_has_avx_vnni()
{
#if defined(__x86_64__) || defined(__i386__)
    // libgcc reports AVX-VNNI only when the OS saves the AVX state.
    static const bool supported = __builtin_cpu_supports("avxvnni");
    return supported;
#else
    return false;
#endif
}

bool uses_avx2(KernelSet kernel_set)
{
    return kernel_set != KernelSet::Generic;
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
    if (kernel_set && !supported(*kernel_set)) {
        throw UnsupportedError(std::string("cannot force the ") + kernel_set_name(*kernel_set) +
                               " kernels: this CPU lacks " +
                               missing_features(*kernel_set));
    }
    g_override.store(kernel_set ? static_cast<int>(*kernel_set) : -1, std::memory_order_relaxed);
}

const char* kernel_set_name(KernelSet kernel_set)
{
    switch (kernel_set) {
    case KernelSet::Generic: return "generic";
    case KernelSet::Avx2: return "avx2+fma+f16c";
    case KernelSet::AvxVnni: return "avx2+fma+f16c+avxvnni";
    case KernelSet::Avx512Vnni: return "avx2+fma+f16c+avx512vnni";
    }
    return "generic";
}

} // namespace quanta::cpu
