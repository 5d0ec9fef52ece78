// Anonymous memory for large arrays the CPU streams through, such as
// repacked weights, backed by 2 MiB transparent huge pages where the kernel
// offers them.
//
// Decode reads every weight once per token. With 4 KiB pages, each page is a
// TLB miss and ends the hardware prefetcher's stream. On the development
// machine, a KVM guest, two threads read 22 GB/s from 4 KiB pages and
// 30 GB/s from 2 MiB pages. The buffer is 2 MiB aligned and advised
// (MADV_HUGEPAGE) before its first write, so the kernel backs it with huge
// pages when the THP mode is "always" or "madvise".
#pragma once

#include <cstddef>
#include <cstdint>

namespace quanta {

class HugePageBuffer {
public:
    HugePageBuffer() = default;
    // Reserves `bytes` of zeroed memory, committed page by page when first
    // written, and advises huge pages unless `advise` is false. Throws
    // std::bad_alloc when the mapping fails, as new does.
    explicit HugePageBuffer(size_t bytes, bool advise = true);
    ~HugePageBuffer();

    HugePageBuffer(HugePageBuffer&& other) noexcept;
    HugePageBuffer& operator=(HugePageBuffer&& other) noexcept;
    HugePageBuffer(const HugePageBuffer&) = delete;
    HugePageBuffer& operator=(const HugePageBuffer&) = delete;

    uint8_t* data() const { return data_; }
    size_t size() const { return size_; }
    // Whether the buffer was advised and the kernel accepted the advice.
    // Even then it may back parts with small pages when it finds no free
    // 2 MiB frames.
    bool advised() const { return advised_; }

    static constexpr size_t kHugePageBytes = size_t{2} << 20;

private:
    void reset();

    uint8_t* data_ = nullptr;
    size_t size_ = 0;
    size_t mapped_ = 0; // bytes mapped at data_, a multiple of kHugePageBytes
    bool advised_ = false;
};

} // namespace quanta
