import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import QtCharts
import Quanta.Core

// The VRAM inspector: each memory heap of the GPU with its budget and usage,
// Quanta's device memory by category and the weights of each layer, the
// memory in RAM, the last reply's speed, and a chart of the last five
// minutes. Updated once a second while shown.
ColumnLayout {
    id: inspector

    required property MemoryMonitor monitor
    required property InferenceService inference

    // The largest layer, which the longest bar shows.
    readonly property real largestLayer: {
        let largest = 1
        for (const layer of inspector.monitor.layers)
            largest = Math.max(largest, layer.bytes)
        return largest
    }

    spacing: Theme.spacing

    component FigureRow: RowLayout {
        id: row

        property alias name: nameLabel.text
        property alias value: valueLabel.text
        property string valueObjectName

        Layout.fillWidth: true
        spacing: Theme.spacing

        Label {
            id: nameLabel
            Layout.fillWidth: true
            color: Theme.textSecondary
            wrapMode: Text.Wrap
        }

        Label {
            id: valueLabel
            objectName: row.valueObjectName
            color: Theme.textPrimary
            font.bold: true
        }
    }

    component SectionTitle: Label {
        Layout.fillWidth: true
        Layout.topMargin: Theme.spacing
        font.bold: true
        color: Theme.textPrimary
    }

    Label {
        Layout.fillWidth: true
        Layout.topMargin: Theme.margin
        Layout.leftMargin: Theme.margin
        Layout.rightMargin: Theme.margin
        text: qsTr("VRAM inspector")
        font.pixelSize: Theme.titleFontSize
        font.bold: true
        color: Theme.textPrimary
    }

    Label {
        objectName: "inspectorDevice"
        Layout.fillWidth: true
        Layout.leftMargin: Theme.margin
        Layout.rightMargin: Theme.margin
        color: Theme.textSecondary
        font.pixelSize: Theme.smallFontSize
        wrapMode: Text.Wrap
        text: {
            if (inspector.monitor.deviceName.length === 0)
                return inspector.monitor.modelLoaded ? qsTr("The model runs on the CPU; no GPU memory is in use.")
                                                     : qsTr("No GPU is chosen, and no model is loaded.")
            if (inspector.monitor.modelOnGpu)
                return qsTr("%1, running %2 of %3 layers").arg(inspector.monitor.deviceName)
                    .arg(inspector.inference.gpuLayers).arg(inspector.inference.layerCount)
            return qsTr("%1, with no model loaded on it").arg(inspector.monitor.deviceName)
        }
    }

    ColumnLayout {
        Layout.fillWidth: true
        Layout.margins: Theme.margin
        spacing: Theme.spacing

        // Heaps.
        SectionTitle {
            text: qsTr("Memory heaps")
            visible: inspector.monitor.heaps.length > 0
        }

        Repeater {
            model: inspector.monitor.heaps

            delegate: ColumnLayout {
                required property var modelData

                objectName: "inspectorHeap"
                Layout.fillWidth: true
                spacing: 2

                Label {
                    text: modelData.deviceLocal ? qsTr("Heap %1, device-local, %2").arg(modelData.index)
                                                  .arg(inspector.monitor.formatBytes(modelData.sizeBytes))
                                                : qsTr("Heap %1, %2").arg(modelData.index)
                                                  .arg(inspector.monitor.formatBytes(modelData.sizeBytes))
                    color: Theme.textPrimary
                }

                ProgressBar {
                    Layout.fillWidth: true
                    from: 0
                    to: Math.max(modelData.budgetBytes, 1)
                    value: Math.min(modelData.shownBytes, modelData.budgetBytes)
                }

                Label {
                    objectName: "inspectorHeapLabel"
                    Layout.fillWidth: true
                    text: modelData.label
                    color: modelData.budgetIsEstimate ? Theme.warning : Theme.textSecondary
                    font.pixelSize: Theme.smallFontSize
                    wrapMode: Text.Wrap
                }
            }
        }

        // The chart of the last five minutes.
        SectionTitle {
            text: qsTr("The last five minutes")
        }

        Loader {
            objectName: "inspectorChartLoader"
            Layout.fillWidth: true
            Layout.preferredHeight: 260
            active: inspector.monitor.chartAvailable
            sourceComponent: chartComponent
        }

        Label {
            Layout.fillWidth: true
            visible: !inspector.monitor.chartAvailable
            text: qsTr("The chart is not available in this build of Quanta.")
            color: Theme.textSecondary
            font.pixelSize: Theme.smallFontSize
            wrapMode: Text.Wrap
        }

        // Quanta's device memory.
        SectionTitle {
            text: qsTr("Quanta's GPU memory by category")
        }

        Repeater {
            model: inspector.monitor.categories

            delegate: FigureRow {
                required property var modelData

                name: modelData.name
                value: inspector.monitor.formatBytes(modelData.bytes)
                valueObjectName: "inspectorCategory_" + modelData.key
            }
        }

        FigureRow {
            name: qsTr("In all")
            value: inspector.monitor.formatBytes(inspector.monitor.gpuAllocatedBytes)
            valueObjectName: "inspectorGpuTotal"
        }

        SectionTitle {
            text: qsTr("Weights per layer")
            visible: inspector.monitor.layers.length > 0
        }

        Repeater {
            model: inspector.monitor.layers

            delegate: RowLayout {
                required property var modelData

                objectName: "inspectorLayer"
                Layout.fillWidth: true
                spacing: Theme.spacing

                Label {
                    Layout.preferredWidth: 180
                    text: modelData.name
                    color: Theme.textSecondary
                    elide: Text.ElideRight
                }

                Rectangle {
                    Layout.fillWidth: true
                    implicitHeight: 8
                    radius: 4
                    color: Theme.border

                    Rectangle {
                        width: parent.width * modelData.bytes / inspector.largestLayer
                        height: parent.height
                        radius: 4
                        color: Theme.accent
                    }
                }

                Label {
                    Layout.preferredWidth: 90
                    horizontalAlignment: Text.AlignRight
                    text: inspector.monitor.formatBytes(modelData.bytes)
                    color: Theme.textPrimary
                }
            }
        }

        // RAM.
        SectionTitle {
            text: qsTr("RAM")
        }

        FigureRow {
            name: qsTr("KV cache of the CPU layers")
            value: inspector.monitor.formatBytes(inspector.monitor.hostKvCacheBytes)
            valueObjectName: "inspectorHostKvCache"
        }
        FigureRow {
            name: qsTr("Activations of the CPU")
            value: inspector.monitor.formatBytes(inspector.monitor.hostScratchBytes)
        }
        FigureRow {
            name: qsTr("Quanta's resident memory (all of the process)")
            value: inspector.monitor.formatBytes(inspector.monitor.processResidentBytes)
            valueObjectName: "inspectorProcessRam"
        }
        FigureRow {
            name: qsTr("… of which mapped files, such as the token embedding")
            value: inspector.monitor.formatBytes(inspector.monitor.processFileBytes)
        }

        // Speed.
        SectionTitle {
            text: qsTr("Speed of the last reply")
        }

        FigureRow {
            name: qsTr("Prompt")
            value: inspector.monitor.promptTokensPerSecond > 0
                   ? qsTr("%1 tokens/s").arg(inspector.monitor.promptTokensPerSecond.toFixed(1)) : qsTr("No reply yet")
            valueObjectName: "inspectorPromptSpeed"
        }
        FigureRow {
            name: qsTr("Generation")
            value: inspector.monitor.generationTokensPerSecond > 0
                   ? qsTr("%1 tokens/s").arg(inspector.monitor.generationTokensPerSecond.toFixed(1)) : qsTr("No reply yet")
            valueObjectName: "inspectorGenerationSpeed"
        }
    }

    Component {
        id: chartComponent

        ChartView {
            id: chart

            objectName: "inspectorChart"
            antialiasing: true
            backgroundColor: Theme.surface
            legend.labelColor: Theme.textPrimary
            legend.alignment: Qt.AlignBottom
            margins.top: 4
            margins.bottom: 4

            function refresh() {
                inspector.monitor.fillChart(quantaSeries, deviceSeries, ramSeries)
                valueAxis.max = inspector.monitor.historyMaxMiB * 1.1
            }

            ValueAxis {
                id: timeAxis
                min: -300
                max: 0
                tickCount: 6
                labelFormat: "%d"
                titleText: qsTr("Seconds before now")
                labelsColor: Theme.textSecondary
            }

            ValueAxis {
                id: valueAxis
                min: 0
                max: 1
                labelFormat: "%.0f"
                titleText: qsTr("MiB")
                labelsColor: Theme.textSecondary
            }

            LineSeries {
                id: quantaSeries
                name: qsTr("Quanta's GPU memory")
                axisX: timeAxis
                axisY: valueAxis
            }

            LineSeries {
                id: deviceSeries
                name: inspector.monitor.budgetIsEstimate ? qsTr("Heaps: Quanta's blocks (no driver figures)")
                                                         : qsTr("Heaps in use (driver)")
                axisX: timeAxis
                axisY: valueAxis
            }

            LineSeries {
                id: ramSeries
                name: qsTr("Process RAM")
                axisX: timeAxis
                axisY: valueAxis
            }

            Connections {
                target: inspector.monitor

                function onSampled() {
                    chart.refresh()
                }
            }

            Component.onCompleted: chart.refresh()
        }
    }
}
