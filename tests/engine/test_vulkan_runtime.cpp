// The Vulkan runtime on the machine's real loader and driver (lavapipe in
// CI): device enumeration and choice, and the sub-allocator's accounting and
// its failure hook.

#include "core/error.h"
#include "vulkan/vulkan_context.h"
#include "vulkan/vulkan_devices.h"
#include "vulkan/vulkan_memory.h"

#include <QTest>


using namespace quanta;
using namespace quanta::vk;

namespace {

DeviceInfo fake_device(int index, DeviceKind kind, const std::string& name, bool usable = true)
{
    DeviceInfo info;
    info.index = index;
    info.kind = kind;
    info.name = name;
    info.uuid = "0000000" + std::to_string(index) + "-aaaa-bbbb-cccc-ddddeeeeffff";
    if (!usable)
        info.unusable_reason = "no 16-bit storage buffer access (storageBuffer16BitAccess)";
    return info;
}

} // namespace

class TestVulkanRuntime : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void listsDevices();
    void missingLoaderIsNamed();
    void ranksDevicesByKind();
    void selectsBySpec();
    void rejectsBadSpec();
    void accountingFollowsAllocations();
    void failedAllocationIsReported();

private:
    std::shared_ptr<Instance> instance_;
    std::shared_ptr<Context> context_;
};

void TestVulkanRuntime::initTestCase()
{
    // CI installs Mesa's lavapipe, so a missing device is a failure here,
    // not a reason to skip.
    try {
        instance_ = Instance::create();
        context_ = Context::create(instance_, select_device(instance_->devices(), ""));
    } catch (const Error& error) {
        QFAIL(error.what());
    }
}

void TestVulkanRuntime::listsDevices()
{
    const auto& devices = instance_->devices();
    QVERIFY(!devices.empty());
    for (const DeviceInfo& device : devices) {
        QVERIFY(!device.name.empty());
        QCOMPARE(device.uuid.size(), size_t(36));
        QVERIFY(!device.heaps.empty());
        QVERIFY(device.features.subgroup_size > 0);
    }
    const DeviceInfo& chosen = context_->info();
    QVERIFY(chosen.usable());
    QVERIFY(chosen.features.storage_16bit);
    QVERIFY(chosen.usable_memory() > 0);
}

void TestVulkanRuntime::missingLoaderIsNamed()
{
    qputenv("QUANTA_VULKAN_LOADER", "/nonexistent/libvulkan.so.1");
    try {
        Instance::create();
        qunsetenv("QUANTA_VULKAN_LOADER");
        QFAIL("creating an instance without a loader should fail");
    } catch (const DeviceError& error) {
        qunsetenv("QUANTA_VULKAN_LOADER");
        const QString message = QString::fromUtf8(error.what());
        QVERIFY2(message.contains("no Vulkan loader"), qPrintable(message));
        QVERIFY2(message.contains("/nonexistent/libvulkan.so.1"), qPrintable(message));
    }
}

void TestVulkanRuntime::ranksDevicesByKind()
{
    const std::vector<DeviceInfo> devices = {
        fake_device(0, DeviceKind::Cpu, "llvmpipe"),
        fake_device(1, DeviceKind::Integrated, "Intel UHD"),
        fake_device(2, DeviceKind::Discrete, "Radeon RX", false),
        fake_device(3, DeviceKind::Virtual, "virtio"),
        fake_device(4, DeviceKind::Discrete, "GeForce RTX"),
    };
    const std::vector<int> order = rank_devices(devices);
    QCOMPARE(order, (std::vector<int>{4, 1, 3, 0, 2}));
    QCOMPARE(select_device(devices, "").name, std::string("GeForce RTX"));
    QCOMPARE(select_device(devices, "auto").name, std::string("GeForce RTX"));
}

void TestVulkanRuntime::selectsBySpec()
{
    const std::vector<DeviceInfo> devices = {
        fake_device(0, DeviceKind::Cpu, "llvmpipe (LLVM 15)"),
        fake_device(1, DeviceKind::Discrete, "GeForce RTX 4090"),
    };
    QCOMPARE(select_device(devices, "0").index, 0);
    QCOMPARE(select_device(devices, "1").index, 1);
    QCOMPARE(select_device(devices, "llvmpipe").index, 0);
    QCOMPARE(select_device(devices, "rtx 4090").index, 1);
    QCOMPARE(select_device(devices, "00000000-AAAA-BBBB-CCCC-DDDDEEEEFFFF").index, 0);
    QCOMPARE(select_device(devices, "00000001aaaabbbbccccddddeeeeffff").index, 1);
}

void TestVulkanRuntime::rejectsBadSpec()
{
    const std::vector<DeviceInfo> devices = {
        fake_device(0, DeviceKind::Cpu, "llvmpipe"),
        fake_device(1, DeviceKind::Discrete, "Old GPU", false),
    };
    const auto message_of = [&](const std::string& spec) {
        try {
            select_device(devices, spec);
        } catch (const DeviceError& error) {
            return QString::fromUtf8(error.what());
        }
        return QString();
    };
    QVERIFY(message_of("7").contains("no Vulkan device with index 7"));
    QVERIFY(message_of("7").contains("llvmpipe"));
    QVERIFY(message_of("matrox").contains("no Vulkan device matches 'matrox'"));
    QVERIFY(message_of("old gpu").contains("storageBuffer16BitAccess"));
    QVERIFY(message_of("-1").contains("index"));
    QVERIFY(message_of("").isEmpty());
}

void TestVulkanRuntime::accountingFollowsAllocations()
{
    DeviceMemory memory(context_, 1 << 20);
    const uint64_t alignment = context_->storage_alignment();
    {
        Buffer a = memory.allocate(1000, MemoryCategory::Weights, MemoryPlace::Device, 0);
        Buffer b = memory.allocate(3000, MemoryCategory::Weights, MemoryPlace::Device, 1);
        Buffer c = memory.allocate(5000, MemoryCategory::KvCache, MemoryPlace::Device);
        Buffer d = memory.allocate(3 << 20, MemoryCategory::Scratch, MemoryPlace::Device);
        Buffer e = memory.allocate(100, MemoryCategory::Staging, MemoryPlace::Upload);
        const auto reserved = [&](uint64_t size) { return (size + alignment - 1) / alignment * alignment; };

        const MemoryReport report = memory.report();
        QCOMPARE(report.category(MemoryCategory::Weights), reserved(1000) + reserved(3000));
        QCOMPARE(report.weights_by_layer.at(0), reserved(1000));
        QCOMPARE(report.weights_by_layer.at(1), reserved(3000));
        QCOMPARE(report.category(MemoryCategory::KvCache), reserved(5000));
        QCOMPARE(report.category(MemoryCategory::Scratch), reserved(3 << 20));
        QVERIFY(report.category(MemoryCategory::Staging) >= 100);
        QCOMPARE(report.live_allocations, size_t(5));
        // Small device buffers share one block; the large one has its own.
        QVERIFY(report.blocks >= 2 && report.blocks <= 3);
        uint64_t live = 0;
        uint64_t allocated = 0;
        for (const auto& heap : report.heaps) {
            live += heap.live;
            allocated += heap.allocated;
            QVERIFY(heap.live <= heap.allocated);
        }
        QCOMPARE(live, report.live_bytes());
        QVERIFY(allocated >= live);

        // Freeing one in the middle and allocating again reuses its range.
        const uint64_t b_offset = b.offset();
        b = Buffer();
        Buffer f = memory.allocate(2000, MemoryCategory::Weights, MemoryPlace::Device, 1);
        QCOMPARE(f.offset(), b_offset);
        QCOMPARE(memory.report().weights_by_layer.at(1), reserved(2000));
    }
    const MemoryReport empty = memory.report();
    QCOMPARE(empty.live_bytes(), uint64_t(0));
    QCOMPARE(empty.live_allocations, size_t(0));
    QCOMPARE(empty.blocks, size_t(0));
    QVERIFY(empty.weights_by_layer.empty());
    for (const auto& heap : empty.heaps)
        QCOMPARE(heap.allocated, uint64_t(0));
}

void TestVulkanRuntime::failedAllocationIsReported()
{
    DeviceMemory memory(context_, 1 << 20);
    Buffer first = memory.allocate(1 << 20, MemoryCategory::Weights, MemoryPlace::Device, 0);
    memory.fail_allocation_at(1);
    try {
        Buffer second = memory.allocate(1 << 20, MemoryCategory::Weights, MemoryPlace::Device, 1);
        QFAIL("the hook should make this allocation fail");
    } catch (const OutOfDeviceMemoryError& error) {
        const QString message = QString::fromUtf8(error.what());
        QVERIFY2(message.contains(QString::fromStdString(context_->info().name)), qPrintable(message));
        QVERIFY2(message.contains("VK_ERROR_OUT_OF_DEVICE_MEMORY"), qPrintable(message));
    }
    // Nothing was counted for the failed request, and the next one works.
    const MemoryReport report = memory.report();
    QCOMPARE(report.live_allocations, size_t(1));
    QVERIFY(report.weights_by_layer.count(1) == 0);
    Buffer third = memory.allocate(1 << 20, MemoryCategory::Weights, MemoryPlace::Device, 1);
    QVERIFY(third);
}

QTEST_APPLESS_MAIN(TestVulkanRuntime)
#include "test_vulkan_runtime.moc"
