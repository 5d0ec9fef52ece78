// Compute pipelines built from the embedded shaders, and the recorder that
// puts dispatches with their buffers and push constants into a command
// buffer, with barriers between dependent ones.
#pragma once

#include "vulkan/vulkan_memory.h"

#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

namespace quanta::vk {

class Pipeline {
public:
    // Builds the shader `name` with `n_buffers` storage-buffer bindings
    // (0..n-1), a push-constant block of `push_size` bytes and the given
    // specialization constants (constant_id 0, 1, ...).
    Pipeline(const Context& context, std::string_view name, uint32_t n_buffers, uint32_t push_size,
             std::vector<uint32_t> specialization = {});
    ~Pipeline();

    Pipeline(const Pipeline&) = delete;
    Pipeline& operator=(const Pipeline&) = delete;

    const std::string& name() const { return name_; }
    VkPipeline handle() const { return pipeline_; }
    VkPipelineLayout layout() const { return layout_; }
    VkDescriptorSetLayout set_layout() const { return set_layout_; }
    uint32_t n_buffers() const { return n_buffers_; }
    uint32_t push_size() const { return push_size_; }

private:
    const Context& context_;
    std::string name_;
    uint32_t n_buffers_ = 0;
    uint32_t push_size_ = 0;
    VkDescriptorSetLayout set_layout_ = VK_NULL_HANDLE;
    VkPipelineLayout layout_ = VK_NULL_HANDLE;
    VkPipeline pipeline_ = VK_NULL_HANDLE;
};

// A buffer range bound to one binding of a dispatch.
struct BufferRange {
    VkBuffer buffer = VK_NULL_HANDLE;
    uint64_t offset = 0;
    uint64_t size = 0;

    BufferRange() = default;
    BufferRange(const Buffer& b) : buffer(b.handle()), offset(b.offset()), size(b.size()) {}
    BufferRange(const Buffer& b, uint64_t sub_offset, uint64_t sub_size)
        : buffer(b.handle()), offset(b.offset() + sub_offset), size(sub_size)
    {
    }
};

// Records dispatches into one command buffer and submits them together.
// Descriptor sets come from pools that are reset after each submit.
class Recorder {
public:
    explicit Recorder(Context& context);
    ~Recorder();

    Recorder(const Recorder&) = delete;
    Recorder& operator=(const Recorder&) = delete;

    // Starts recording. Called by the first dispatch() or copy() if needed.
    void begin();

    // Records `pipeline` over `groups_x * groups_y * groups_z` workgroups.
    void dispatch(const Pipeline& pipeline, std::initializer_list<BufferRange> buffers, const void* push,
                  uint32_t groups_x, uint32_t groups_y = 1, uint32_t groups_z = 1);

    template <typename Push>
    void dispatch(const Pipeline& pipeline, std::initializer_list<BufferRange> buffers, const Push& push,
                  uint32_t groups_x, uint32_t groups_y = 1, uint32_t groups_z = 1)
    {
        dispatch(pipeline, buffers, static_cast<const void*>(&push), groups_x, groups_y, groups_z);
    }

    // Makes the writes of the dispatches and copies recorded so far visible
    // to those recorded after it.
    void barrier();

    void copy(const BufferRange& from, const BufferRange& to);

    // Submits what was recorded and waits for the device to finish it.
    void submit_and_wait();

    size_t dispatch_count() const { return dispatches_; }

private:
    VkDescriptorSet allocate_set(VkDescriptorSetLayout layout);

    Context& context_;
    VkCommandPool pool_ = VK_NULL_HANDLE;
    VkCommandBuffer commands_ = VK_NULL_HANDLE;
    VkFence fence_ = VK_NULL_HANDLE;
    std::vector<VkDescriptorPool> descriptor_pools_;
    size_t current_pool_ = 0;
    bool recording_ = false;
    size_t dispatches_ = 0;
};

} // namespace quanta::vk
