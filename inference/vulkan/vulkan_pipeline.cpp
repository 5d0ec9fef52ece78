#include "vulkan/vulkan_pipeline.h"

#include "core/error.h"
#include "vulkan/shaders.h"

namespace quanta::vk {

namespace {

// Descriptor sets per pool; a token step of a large model needs a few
// hundred, so pools are added as needed.
constexpr uint32_t kSetsPerPool = 512;
constexpr uint32_t kBuffersPerSet = 8;

} // namespace

Pipeline::Pipeline(const Context& context, std::string_view name, uint32_t n_buffers, uint32_t push_size,
                   std::vector<uint32_t> specialization)
    : context_(context), name_(name), n_buffers_(n_buffers), push_size_(push_size)
{
    const Api& api = context.api();
    const VkDevice device = context.device();
    if (push_size > context.info().max_push_constants)
        throw DeviceError("shader " + name_ + " needs " + std::to_string(push_size) + " bytes of push constants but " +
                          context.info().name + " allows " + std::to_string(context.info().max_push_constants));

    std::vector<VkDescriptorSetLayoutBinding> bindings(n_buffers);
    for (uint32_t i = 0; i < n_buffers; ++i) {
        bindings[i].binding = i;
        bindings[i].descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER;
        bindings[i].descriptorCount = 1;
        bindings[i].stageFlags = VK_SHADER_STAGE_COMPUTE_BIT;
    }
    auto set_info = make<VkDescriptorSetLayoutCreateInfo>(VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO);
    set_info.bindingCount = n_buffers;
    set_info.pBindings = bindings.data();
    check(api.vkCreateDescriptorSetLayout(device, &set_info, nullptr, &set_layout_), "vkCreateDescriptorSetLayout");

    VkPushConstantRange push_range{VK_SHADER_STAGE_COMPUTE_BIT, 0, push_size};
    auto layout_info = make<VkPipelineLayoutCreateInfo>(VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO);
    layout_info.setLayoutCount = 1;
    layout_info.pSetLayouts = &set_layout_;
    layout_info.pushConstantRangeCount = push_size > 0 ? 1 : 0;
    layout_info.pPushConstantRanges = &push_range;
    check(api.vkCreatePipelineLayout(device, &layout_info, nullptr, &layout_), "vkCreatePipelineLayout");

    const std::span<const uint32_t> spirv = shader_spirv(name);
    auto module_info = make<VkShaderModuleCreateInfo>(VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO);
    module_info.codeSize = spirv.size_bytes();
    module_info.pCode = spirv.data();
    VkShaderModule module = VK_NULL_HANDLE;
    check(api.vkCreateShaderModule(device, &module_info, nullptr, &module), "vkCreateShaderModule for " + name_);

    std::vector<VkSpecializationMapEntry> entries(specialization.size());
    for (uint32_t i = 0; i < specialization.size(); ++i)
        entries[i] = {i, static_cast<uint32_t>(i * sizeof(uint32_t)), sizeof(uint32_t)};
    VkSpecializationInfo specialization_info{static_cast<uint32_t>(entries.size()), entries.data(),
                                             specialization.size() * sizeof(uint32_t), specialization.data()};
    auto pipeline_info = make<VkComputePipelineCreateInfo>(VK_STRUCTURE_TYPE_COMPUTE_PIPELINE_CREATE_INFO);
    pipeline_info.stage = make<VkPipelineShaderStageCreateInfo>(VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO);
    pipeline_info.stage.stage = VK_SHADER_STAGE_COMPUTE_BIT;
    pipeline_info.stage.module = module;
    pipeline_info.stage.pName = "main";
    pipeline_info.stage.pSpecializationInfo = specialization.empty() ? nullptr : &specialization_info;
    pipeline_info.layout = layout_;
    const VkResult result = api.vkCreateComputePipelines(device, VK_NULL_HANDLE, 1, &pipeline_info, nullptr, &pipeline_);
    api.vkDestroyShaderModule(device, module, nullptr);
    check(result, "vkCreateComputePipelines for shader " + name_);
}

Pipeline::~Pipeline()
{
    const Api& api = context_.api();
    const VkDevice device = context_.device();
    if (pipeline_ != VK_NULL_HANDLE)
        api.vkDestroyPipeline(device, pipeline_, nullptr);
    if (layout_ != VK_NULL_HANDLE)
        api.vkDestroyPipelineLayout(device, layout_, nullptr);
    if (set_layout_ != VK_NULL_HANDLE)
        api.vkDestroyDescriptorSetLayout(device, set_layout_, nullptr);
}

Recorder::Recorder(Context& context) : context_(context)
{
    const Api& api = context.api();
    auto pool_info = make<VkCommandPoolCreateInfo>(VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO);
    pool_info.flags = VK_COMMAND_POOL_CREATE_TRANSIENT_BIT;
    pool_info.queueFamilyIndex = static_cast<uint32_t>(context.info().compute_queue_family);
    check(api.vkCreateCommandPool(context.device(), &pool_info, nullptr, &pool_), "vkCreateCommandPool");
    auto buffer_info = make<VkCommandBufferAllocateInfo>(VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO);
    buffer_info.commandPool = pool_;
    buffer_info.level = VK_COMMAND_BUFFER_LEVEL_PRIMARY;
    buffer_info.commandBufferCount = 1;
    check(api.vkAllocateCommandBuffers(context.device(), &buffer_info, &commands_), "vkAllocateCommandBuffers");
    auto fence_info = make<VkFenceCreateInfo>(VK_STRUCTURE_TYPE_FENCE_CREATE_INFO);
    check(api.vkCreateFence(context.device(), &fence_info, nullptr, &fence_), "vkCreateFence");
}

Recorder::~Recorder()
{
    const Api& api = context_.api();
    const VkDevice device = context_.device();
    if (recording_) {
        // Never submitted: nothing runs, so the objects can go at once.
        api.vkEndCommandBuffer(commands_);
    }
    for (VkDescriptorPool pool : descriptor_pools_)
        api.vkDestroyDescriptorPool(device, pool, nullptr);
    api.vkDestroyFence(device, fence_, nullptr);
    api.vkDestroyCommandPool(device, pool_, nullptr);
}

void Recorder::begin()
{
    if (recording_)
        return;
    const Api& api = context_.api();
    check(api.vkResetCommandPool(context_.device(), pool_, 0), "vkResetCommandPool");
    auto begin_info = make<VkCommandBufferBeginInfo>(VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO);
    begin_info.flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT;
    check(api.vkBeginCommandBuffer(commands_, &begin_info), "vkBeginCommandBuffer");
    recording_ = true;
    dispatches_ = 0;
}

VkDescriptorSet Recorder::allocate_set(VkDescriptorSetLayout layout)
{
    const Api& api = context_.api();
    const VkDevice device = context_.device();
    while (true) {
        if (current_pool_ == descriptor_pools_.size()) {
            VkDescriptorPoolSize size{VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, kSetsPerPool * kBuffersPerSet};
            auto pool_info = make<VkDescriptorPoolCreateInfo>(VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO);
            pool_info.maxSets = kSetsPerPool;
            pool_info.poolSizeCount = 1;
            pool_info.pPoolSizes = &size;
            VkDescriptorPool pool = VK_NULL_HANDLE;
            check(api.vkCreateDescriptorPool(device, &pool_info, nullptr, &pool), "vkCreateDescriptorPool");
            descriptor_pools_.push_back(pool);
        }
        auto allocate_info = make<VkDescriptorSetAllocateInfo>(VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO);
        allocate_info.descriptorPool = descriptor_pools_[current_pool_];
        allocate_info.descriptorSetCount = 1;
        allocate_info.pSetLayouts = &layout;
        VkDescriptorSet set = VK_NULL_HANDLE;
        const VkResult result = api.vkAllocateDescriptorSets(device, &allocate_info, &set);
        if (result == VK_SUCCESS)
            return set;
        if (result != VK_ERROR_OUT_OF_POOL_MEMORY && result != VK_ERROR_FRAGMENTED_POOL)
            check(result, "vkAllocateDescriptorSets");
        ++current_pool_;
    }
}

void Recorder::dispatch(const Pipeline& pipeline, std::initializer_list<BufferRange> buffers, const void* push,
                        uint32_t groups_x, uint32_t groups_y, uint32_t groups_z)
{
    if (buffers.size() != pipeline.n_buffers())
        throw DeviceError("shader " + pipeline.name() + " takes " + std::to_string(pipeline.n_buffers()) +
                          " buffers but " + std::to_string(buffers.size()) + " were bound");
    begin();
    const Api& api = context_.api();
    const VkDescriptorSet set = allocate_set(pipeline.set_layout());
    VkDescriptorBufferInfo infos[kBuffersPerSet];
    VkWriteDescriptorSet writes[kBuffersPerSet];
    uint32_t n = 0;
    for (const BufferRange& range : buffers) {
        infos[n] = {range.buffer, range.offset, range.size};
        writes[n] = make<VkWriteDescriptorSet>(VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET);
        writes[n].dstSet = set;
        writes[n].dstBinding = n;
        writes[n].descriptorCount = 1;
        writes[n].descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER;
        writes[n].pBufferInfo = &infos[n];
        ++n;
    }
    api.vkUpdateDescriptorSets(context_.device(), n, writes, 0, nullptr);
    api.vkCmdBindPipeline(commands_, VK_PIPELINE_BIND_POINT_COMPUTE, pipeline.handle());
    api.vkCmdBindDescriptorSets(commands_, VK_PIPELINE_BIND_POINT_COMPUTE, pipeline.layout(), 0, 1, &set, 0, nullptr);
    if (pipeline.push_size() > 0)
        api.vkCmdPushConstants(commands_, pipeline.layout(), VK_SHADER_STAGE_COMPUTE_BIT, 0, pipeline.push_size(), push);
    api.vkCmdDispatch(commands_, groups_x, groups_y, groups_z);
    ++dispatches_;
}

void Recorder::barrier()
{
    begin();
    auto memory_barrier = make<VkMemoryBarrier>(VK_STRUCTURE_TYPE_MEMORY_BARRIER);
    memory_barrier.srcAccessMask = VK_ACCESS_SHADER_WRITE_BIT | VK_ACCESS_TRANSFER_WRITE_BIT;
    memory_barrier.dstAccessMask = VK_ACCESS_SHADER_READ_BIT | VK_ACCESS_SHADER_WRITE_BIT |
                                   VK_ACCESS_TRANSFER_READ_BIT | VK_ACCESS_TRANSFER_WRITE_BIT;
    const VkPipelineStageFlags stages = VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT | VK_PIPELINE_STAGE_TRANSFER_BIT;
    context_.api().vkCmdPipelineBarrier(commands_, stages, stages, 0, 1, &memory_barrier, 0, nullptr, 0, nullptr);
}

void Recorder::copy(const BufferRange& from, const BufferRange& to)
{
    begin();
    const VkBufferCopy region{from.offset, to.offset, std::min(from.size, to.size)};
    context_.api().vkCmdCopyBuffer(commands_, from.buffer, to.buffer, 1, &region);
}

void Recorder::submit_and_wait()
{
    if (!recording_)
        return;
    const Api& api = context_.api();
    const VkDevice device = context_.device();
    recording_ = false;
    // Results written by the device must be visible to the host afterwards.
    auto host_barrier = make<VkMemoryBarrier>(VK_STRUCTURE_TYPE_MEMORY_BARRIER);
    host_barrier.srcAccessMask = VK_ACCESS_SHADER_WRITE_BIT | VK_ACCESS_TRANSFER_WRITE_BIT;
    host_barrier.dstAccessMask = VK_ACCESS_HOST_READ_BIT;
    api.vkCmdPipelineBarrier(commands_, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT | VK_PIPELINE_STAGE_TRANSFER_BIT,
                             VK_PIPELINE_STAGE_HOST_BIT, 0, 1, &host_barrier, 0, nullptr, 0, nullptr);
    check(api.vkEndCommandBuffer(commands_), "vkEndCommandBuffer");
    auto submit = make<VkSubmitInfo>(VK_STRUCTURE_TYPE_SUBMIT_INFO);
    submit.commandBufferCount = 1;
    submit.pCommandBuffers = &commands_;
    check(api.vkResetFences(device, 1, &fence_), "vkResetFences");
    check(api.vkQueueSubmit(context_.queue(), 1, &submit, fence_), "vkQueueSubmit");
    check(api.vkWaitForFences(device, 1, &fence_, VK_TRUE, UINT64_MAX), "vkWaitForFences");
    for (VkDescriptorPool pool : descriptor_pools_)
        check(api.vkResetDescriptorPool(device, pool, 0), "vkResetDescriptorPool");
    current_pool_ = 0;
}

} // namespace quanta::vk
