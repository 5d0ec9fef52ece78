import QtQml
import Quanta.Core

// Texts that say where the loaded model runs, for the top bar and the
// settings: the device, the layers on it, and why fewer or none run there.
QtObject {
    id: status

    required property InferenceService inference

    readonly property bool onGpu: status.inference.modelLoaded && status.inference.gpuLayers > 0
    readonly property bool hasFallback: status.inference.modelLoaded && status.inference.gpuFallbackReason.length > 0
    // The device's name, or "CPU".
    readonly property string shortText: status.onGpu ? status.inference.gpuDevice : qsTr("CPU")
    // A sentence for a tooltip or a label; empty while no model is loaded.
    readonly property string details: {
        if (!status.inference.modelLoaded)
            return ""
        if (status.onGpu && status.hasFallback)
            return qsTr("Only %1 of %2 layers run on %3: %4")
                .arg(status.inference.gpuLayers).arg(status.inference.layerCount).arg(status.inference.gpuDevice)
                .arg(status.inference.gpuFallbackReason)
        if (status.onGpu)
            return qsTr("%1 of %2 layers run on %3.")
                .arg(status.inference.gpuLayers).arg(status.inference.layerCount).arg(status.inference.gpuDevice)
        if (status.hasFallback)
            return qsTr("The model runs on the CPU: %1").arg(status.inference.gpuFallbackReason)
        return qsTr("The model runs on the CPU.")
    }
}
