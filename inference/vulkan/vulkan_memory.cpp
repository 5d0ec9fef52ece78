#include "vulkan/vulkan_memory.h"

#include "core/error.h"
#include "core/log.h"

#include <cstdlib>
#include <utility>

namespace quanta::vk {

namespace {

uint64_t align_up(uint64_t value, uint64_t alignment)
{
    return (value + alignment - 1) / alignment * alignment;
}

std::string mib_text(uint64_t bytes)
{
    char text[32];
    std::snprintf(text, sizeof text, "%.1f MiB", static_cast<double>(bytes) / (1024.0 * 1024.0));
    return text;
}

} // namespace

std::string_view memory_category_name(MemoryCategory category)
{
    switch (category) {
    case MemoryCategory::Weights: return "weights";
    case MemoryCategory::KvCache: return "KV cache";
    case MemoryCategory::Scratch: return "activations";
    case MemoryCategory::Staging: return "staging";
    case MemoryCategory::Count: break;
    }
    return "other";
}

uint64_t MemoryReport::live_bytes() const
{
    uint64_t total = 0;
    for (uint64_t bytes : by_category)
        total += bytes;
    return total;
}

Buffer::~Buffer()
{
    release();
}

Buffer::Buffer(Buffer&& other) noexcept
{
    *this = std::move(other);
}

Buffer& Buffer::operator=(Buffer&& other) noexcept
{
    if (this != &other) {
        release();
        owner_ = std::exchange(other.owner_, nullptr);
        block_ = other.block_;
        memory_type_ = other.memory_type_;
        buffer_ = std::exchange(other.buffer_, VK_NULL_HANDLE);
        offset_ = other.offset_;
        size_ = other.size_;
        reserved_ = other.reserved_;
        mapped_ = std::exchange(other.mapped_, nullptr);
        category_ = other.category_;
        layer_ = other.layer_;
    }
    return *this;
}

void Buffer::release()
{
    if (owner_) {
        owner_->release(*this);
        owner_ = nullptr;
        buffer_ = VK_NULL_HANDLE;
        mapped_ = nullptr;
    }
}

bool Buffer::mapped_range(VkMappedMemoryRange& range) const
{
    if (!owner_ || !mapped_ || owner_->context().is_host_coherent(memory_type_))
        return false;
    range = make<VkMappedMemoryRange>(VK_STRUCTURE_TYPE_MAPPED_MEMORY_RANGE);
    range.memory = owner_->blocks_[block_].memory;
    range.offset = offset_;
    range.size = reserved_;
    return true;
}

void Buffer::flush() const
{
    VkMappedMemoryRange range;
    if (mapped_range(range))
        check(owner_->context().api().vkFlushMappedMemoryRanges(owner_->context().device(), 1, &range),
              "vkFlushMappedMemoryRanges");
}

void Buffer::invalidate() const
{
    VkMappedMemoryRange range;
    if (mapped_range(range))
        check(owner_->context().api().vkInvalidateMappedMemoryRanges(owner_->context().device(), 1, &range),
              "vkInvalidateMappedMemoryRanges");
}

DeviceMemory::DeviceMemory(std::shared_ptr<Context> context, uint64_t block_size)
    : context_(std::move(context)), block_size_(block_size)
{
    const DeviceInfo& info = context_->info();
    if (info.max_allocation > 0)
        block_size_ = std::min(block_size_, info.max_allocation);
    if (info.max_storage_buffer_range > 0)
        block_size_ = std::min<uint64_t>(block_size_, info.max_storage_buffer_range);
    if (const char* fail = std::getenv("QUANTA_VK_FAIL_ALLOCATION"); fail && *fail)
        fail_countdown_ = std::atoi(fail);
}

DeviceMemory::~DeviceMemory()
{
    std::lock_guard lock(mutex_);
    if (live_allocations_ > 0)
        QUANTA_LOG_WARN("Vulkan memory released with %zu buffers still allocated", live_allocations_);
    for (Block& block : blocks_)
        destroy_block(block);
}

void DeviceMemory::fail_allocation_at(int n, bool and_later)
{
    std::lock_guard lock(mutex_);
    fail_countdown_ = n;
    fail_later_ = and_later;
}

Buffer DeviceMemory::allocate(uint64_t size, MemoryCategory category, MemoryPlace place, int layer)
{
    if (size == 0)
        size = 1;
    uint32_t memory_type = context_->device_memory_type();
    if (place == MemoryPlace::Upload)
        memory_type = context_->upload_memory_type();
    else if (place == MemoryPlace::Readback)
        memory_type = context_->readback_memory_type();
    const bool host_visible = place != MemoryPlace::Device;
    uint64_t alignment = context_->storage_alignment();
    if (host_visible)
        alignment = std::max(alignment, context_->non_coherent_atom());
    const uint64_t reserved = align_up(size, alignment);
    const DeviceInfo& info = context_->info();
    if (info.max_storage_buffer_range > 0 && reserved > info.max_storage_buffer_range)
        throw OutOfDeviceMemoryError("cannot allocate " + mib_text(size) + " of " +
                                     std::string(memory_category_name(category)) + " on " + info.name +
                                     ": larger than one storage buffer may be (" +
                                     mib_text(info.max_storage_buffer_range) + ")");

    std::lock_guard lock(mutex_);
    // First fit in the blocks of this memory type.
    size_t block_index = blocks_.size();
    uint64_t offset = 0;
    for (size_t b = 0; b < blocks_.size() && block_index == blocks_.size(); ++b) {
        Block& block = blocks_[b];
        if (block.memory == VK_NULL_HANDLE || block.memory_type != memory_type)
            continue;
        for (const auto& [start, length] : block.free) {
            if (length >= reserved) {
                block_index = b;
                offset = start;
                break;
            }
        }
    }
    if (block_index == blocks_.size()) {
        block_index = new_block(memory_type, std::max(block_size_, reserved), host_visible);
        offset = 0;
    }

    Block& block = blocks_[block_index];
    const auto range = block.free.find(offset);
    const uint64_t length = range->second;
    block.free.erase(range);
    if (length > reserved)
        block.free.emplace(offset + reserved, length - reserved);
    ++block.live;

    Buffer buffer;
    buffer.owner_ = this;
    buffer.block_ = block_index;
    buffer.memory_type_ = memory_type;
    buffer.buffer_ = block.buffer;
    buffer.offset_ = offset;
    buffer.size_ = size;
    buffer.reserved_ = reserved;
    buffer.mapped_ = block.mapped ? static_cast<uint8_t*>(block.mapped) + offset : nullptr;
    buffer.category_ = category;
    buffer.layer_ = layer;
    by_category_[static_cast<size_t>(category)] += reserved;
    if (category == MemoryCategory::Weights)
        weights_by_layer_[layer] += reserved;
    live_by_heap_[context_->heap_of(memory_type)] += reserved;
    ++live_allocations_;
    return buffer;
}

size_t DeviceMemory::new_block(uint32_t memory_type, uint64_t size, bool host_visible)
{
    const Api& api = context_->api();
    const VkDevice device = context_->device();
    const std::string& device_name = context_->info().name;
    if (fail_countdown_ > 0 && --fail_countdown_ == 0) {
        if (fail_later_)
            fail_countdown_ = 1;
        throw OutOfDeviceMemoryError("cannot allocate a " + mib_text(size) + " memory block on " + device_name +
                                     ": VK_ERROR_OUT_OF_DEVICE_MEMORY (injected by the test hook)");
    }

    Block block;
    block.memory_type = memory_type;
    block.size = size;
    auto buffer_info = make<VkBufferCreateInfo>(VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO);
    buffer_info.size = size;
    buffer_info.usage =
        VK_BUFFER_USAGE_STORAGE_BUFFER_BIT | VK_BUFFER_USAGE_TRANSFER_SRC_BIT | VK_BUFFER_USAGE_TRANSFER_DST_BIT;
    buffer_info.sharingMode = VK_SHARING_MODE_EXCLUSIVE;
    check(api.vkCreateBuffer(device, &buffer_info, nullptr, &block.buffer), "vkCreateBuffer on " + device_name);

    VkMemoryRequirements requirements{};
    api.vkGetBufferMemoryRequirements(device, block.buffer, &requirements);
    if (!(requirements.memoryTypeBits & (1u << memory_type))) {
        api.vkDestroyBuffer(device, block.buffer, nullptr);
        throw DeviceError("Vulkan device " + device_name + " cannot place storage buffers in memory type " +
                          std::to_string(memory_type));
    }
    auto allocate_info = make<VkMemoryAllocateInfo>(VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO);
    allocate_info.allocationSize = requirements.size;
    allocate_info.memoryTypeIndex = memory_type;
    const VkResult result = api.vkAllocateMemory(device, &allocate_info, nullptr, &block.memory);
    if (result != VK_SUCCESS) {
        api.vkDestroyBuffer(device, block.buffer, nullptr);
        check(result, "vkAllocateMemory of " + mib_text(requirements.size) + " on " + device_name);
    }
    block.size = requirements.size;
    try {
        check(api.vkBindBufferMemory(device, block.buffer, block.memory, 0), "vkBindBufferMemory");
        if (host_visible)
            check(api.vkMapMemory(device, block.memory, 0, VK_WHOLE_SIZE, 0, &block.mapped), "vkMapMemory");
    } catch (...) {
        destroy_block(block);
        throw;
    }
    block.free.emplace(0, size);
    QUANTA_LOG_DEBUG("Vulkan memory block %zu: %s in memory type %u", blocks_.size(), mib_text(size).c_str(),
                     memory_type);

    // Reuse the slot of a destroyed block so indices stay small.
    for (size_t b = 0; b < blocks_.size(); ++b) {
        if (blocks_[b].memory == VK_NULL_HANDLE) {
            blocks_[b] = std::move(block);
            return b;
        }
    }
    blocks_.push_back(std::move(block));
    return blocks_.size() - 1;
}

void DeviceMemory::destroy_block(Block& block)
{
    const Api& api = context_->api();
    const VkDevice device = context_->device();
    if (block.mapped)
        api.vkUnmapMemory(device, block.memory);
    if (block.buffer != VK_NULL_HANDLE)
        api.vkDestroyBuffer(device, block.buffer, nullptr);
    if (block.memory != VK_NULL_HANDLE)
        api.vkFreeMemory(device, block.memory, nullptr);
    block = Block();
}

void DeviceMemory::release(Buffer& buffer)
{
    std::lock_guard lock(mutex_);
    Block& block = blocks_[buffer.block_];
    // Return the range and merge it with free neighbours.
    uint64_t offset = buffer.offset_;
    uint64_t length = buffer.reserved_;
    auto next = block.free.lower_bound(offset);
    if (next != block.free.end() && offset + length == next->first) {
        length += next->second;
        next = block.free.erase(next);
    }
    if (next != block.free.begin()) {
        auto previous = std::prev(next);
        if (previous->first + previous->second == offset) {
            offset = previous->first;
            length += previous->second;
            block.free.erase(previous);
        }
    }
    block.free.emplace(offset, length);

    by_category_[static_cast<size_t>(buffer.category_)] -= buffer.reserved_;
    if (buffer.category_ == MemoryCategory::Weights) {
        auto layer = weights_by_layer_.find(buffer.layer_);
        layer->second -= buffer.reserved_;
        if (layer->second == 0)
            weights_by_layer_.erase(layer);
    }
    live_by_heap_[context_->heap_of(buffer.memory_type_)] -= buffer.reserved_;
    --live_allocations_;
    // An empty block goes back to the driver, so unloading leaves nothing.
    if (--block.live == 0)
        destroy_block(block);
}

MemoryReport DeviceMemory::report() const
{
    std::lock_guard lock(mutex_);
    MemoryReport report;
    report.by_category = by_category_;
    report.weights_by_layer = weights_by_layer_;
    report.live_allocations = live_allocations_;
    report.budget_is_estimate = !context_->info().features.memory_budget;
    for (const MemoryHeap& heap : context_->heap_budgets()) {
        MemoryReport::Heap entry;
        entry.size = heap.size;
        entry.device_local = heap.device_local;
        entry.budget = heap.budget;
        entry.usage = heap.usage;
        report.heaps.push_back(entry);
    }
    for (const Block& block : blocks_) {
        if (block.memory == VK_NULL_HANDLE)
            continue;
        ++report.blocks;
        report.heaps[context_->heap_of(block.memory_type)].allocated += block.size;
    }
    for (const auto& [heap, bytes] : live_by_heap_)
        report.heaps[heap].live += bytes;
    return report;
}

} // namespace quanta::vk
