#include "core/huge_page_buffer.h"

#include <new>
#include <sys/mman.h>
#include <utility>

namespace quanta {

HugePageBuffer::HugePageBuffer(size_t bytes, bool advise)
{
    if (bytes == 0)
        return;
    // Map one huge page more than needed, then unmap the parts before the
    // first 2 MiB boundary and after the rounded-up end.
    if (bytes > SIZE_MAX - 2 * kHugePageBytes)
        throw std::bad_alloc();
    const size_t rounded = (bytes + kHugePageBytes - 1) / kHugePageBytes * kHugePageBytes;
    const size_t reserved = rounded + kHugePageBytes;
    void* address = ::mmap(nullptr, reserved, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (address == MAP_FAILED)
        throw std::bad_alloc();
    auto* base = static_cast<uint8_t*>(address);
    const auto start = reinterpret_cast<uintptr_t>(base);
    const uintptr_t aligned = (start + kHugePageBytes - 1) / kHugePageBytes * kHugePageBytes;
    auto* begin = reinterpret_cast<uint8_t*>(aligned);
    if (begin > base)
        ::munmap(base, static_cast<size_t>(begin - base));
    const size_t tail = static_cast<size_t>(base + reserved - (begin + rounded));
    if (tail > 0)
        ::munmap(begin + rounded, tail);

    data_ = begin;
    size_ = bytes;
    mapped_ = rounded;
#ifdef MADV_HUGEPAGE
    advised_ = advise && ::madvise(data_, mapped_, MADV_HUGEPAGE) == 0;
#else
    (void)advise;
#endif
}

HugePageBuffer::~HugePageBuffer()
{
    reset();
}

HugePageBuffer::HugePageBuffer(HugePageBuffer&& other) noexcept
    : data_(std::exchange(other.data_, nullptr))
    , size_(std::exchange(other.size_, 0))
    , mapped_(std::exchange(other.mapped_, 0))
    , advised_(std::exchange(other.advised_, false))
{
}

HugePageBuffer& HugePageBuffer::operator=(HugePageBuffer&& other) noexcept
{
    if (this != &other) {
        reset();
        data_ = std::exchange(other.data_, nullptr);
        size_ = std::exchange(other.size_, 0);
        mapped_ = std::exchange(other.mapped_, 0);
        advised_ = std::exchange(other.advised_, false);
    }
    return *this;
}

void HugePageBuffer::reset()
{
    if (data_)
        ::munmap(data_, mapped_);
    data_ = nullptr;
    size_ = 0;
    mapped_ = 0;
    advised_ = false;
}

} // namespace quanta
