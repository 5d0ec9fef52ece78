// Device memory for the Vulkan backend: a sub-allocator that serves buffers
// out of a few large VkDeviceMemory blocks, with every allocation tagged so
// the engine can report exact bytes per category, per layer and per heap.
#pragma once

#include "vulkan/vulkan_context.h"

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace quanta::vk {

enum class MemoryCategory { Weights, KvCache, Scratch, Staging, Count };

std::string_view memory_category_name(MemoryCategory category);

// Memory kind of an allocation: device-local, host-visible for CPU writes
// (uploads), or host-visible for CPU reads (read-back).
enum class MemoryPlace { Device, Upload, Readback };

// The accounting the VRAM inspector reads.
struct MemoryReport {
    struct Heap {
        uint64_t size = 0;
        bool device_local = false;
        uint64_t budget = 0;      // VK_EXT_memory_budget, or the heap size
        uint64_t usage = 0;       // whole process, from the driver; 0 without the extension
        uint64_t allocated = 0;   // this engine's VkDeviceMemory blocks in the heap
        uint64_t live = 0;        // this engine's live allocations in the heap
    };
    std::array<uint64_t, static_cast<size_t>(MemoryCategory::Count)> by_category{};
    std::map<int, uint64_t> weights_by_layer;  // layer index; -1 for tensors outside the layers
    std::vector<Heap> heaps;
    bool budget_is_estimate = true;
    size_t live_allocations = 0;
    size_t blocks = 0;

    uint64_t category(MemoryCategory c) const { return by_category[static_cast<size_t>(c)]; }
    uint64_t live_bytes() const;
};

class DeviceMemory;

// A range of a block's VkBuffer. Move-only; returns its range on destruction.
class Buffer {
public:
    Buffer() = default;
    ~Buffer();
    Buffer(Buffer&& other) noexcept;
    Buffer& operator=(Buffer&& other) noexcept;
    Buffer(const Buffer&) = delete;
    Buffer& operator=(const Buffer&) = delete;

    VkBuffer handle() const { return buffer_; }
    uint64_t offset() const { return offset_; }
    uint64_t size() const { return size_; }
    // Host pointer for Upload and Readback buffers; nullptr for Device ones.
    void* mapped() const { return mapped_; }
    explicit operator bool() const { return buffer_ != VK_NULL_HANDLE; }

    // Makes CPU writes visible to the device / device writes visible to the
    // CPU on memory that is not host-coherent. No-ops when it is coherent.
    void flush() const;
    void invalidate() const;

private:
    friend class DeviceMemory;
    void release();
    // Fills `range` with this buffer's bytes and returns true when the
    // memory is mapped and not host-coherent, so it needs flushing.
    bool mapped_range(VkMappedMemoryRange& range) const;

    DeviceMemory* owner_ = nullptr;
    size_t block_ = 0;
    uint32_t memory_type_ = 0;
    VkBuffer buffer_ = VK_NULL_HANDLE;
    uint64_t offset_ = 0;
    uint64_t size_ = 0;        // as requested
    uint64_t reserved_ = 0;    // as taken from the block (aligned)
    void* mapped_ = nullptr;
    MemoryCategory category_ = MemoryCategory::Scratch;
    int layer_ = -1;
};

class DeviceMemory {
public:
    // `block_size` is the size of each VkDeviceMemory block; larger requests
    // get a block of their own. The environment variable
    // QUANTA_VK_FAIL_ALLOCATION=N makes the N-th block allocation fail, like
    // fail_allocation_at().
    explicit DeviceMemory(std::shared_ptr<Context> context, uint64_t block_size = 256ull << 20);
    ~DeviceMemory();

    DeviceMemory(const DeviceMemory&) = delete;
    DeviceMemory& operator=(const DeviceMemory&) = delete;

    // Allocates `size` bytes. Throws OutOfDeviceMemoryError naming the
    // category, size and device when the device has no room, and DeviceError
    // for other failures.
    Buffer allocate(uint64_t size, MemoryCategory category, MemoryPlace place, int layer = -1);

    MemoryReport report() const;
    const Context& context() const { return *context_; }

    // Test hook: the N-th VkDeviceMemory allocation from now (1 = the next)
    // fails as out of device memory, and with `and_later` every one after it
    // too. 0 turns it off.
    void fail_allocation_at(int n, bool and_later = false);

private:
    friend class Buffer;

    struct Block {
        VkDeviceMemory memory = VK_NULL_HANDLE;
        VkBuffer buffer = VK_NULL_HANDLE;
        uint32_t memory_type = 0;
        uint64_t size = 0;
        void* mapped = nullptr;
        std::map<uint64_t, uint64_t> free;  // offset -> size, coalesced
        size_t live = 0;                    // allocations in the block
    };

    void release(Buffer& buffer);
    size_t new_block(uint32_t memory_type, uint64_t size, bool host_visible);
    void destroy_block(Block& block);

    std::shared_ptr<Context> context_;
    uint64_t block_size_;
    mutable std::mutex mutex_;
    std::vector<Block> blocks_;   // destroyed blocks keep their slot with memory == VK_NULL_HANDLE
    std::array<uint64_t, static_cast<size_t>(MemoryCategory::Count)> by_category_{};
    std::map<int, uint64_t> weights_by_layer_;
    std::map<uint32_t, uint64_t> live_by_heap_;
    size_t live_allocations_ = 0;
    int fail_countdown_ = 0;
    bool fail_later_ = false;
};

} // namespace quanta::vk
