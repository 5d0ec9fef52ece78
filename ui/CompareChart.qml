import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Quanta.Core

// A bar per variant for one figure at a time, chosen in the box above:
// perplexity, KL divergence, size on disk or generation speed. Bars are
// drawn from zero, so their lengths compare as ratios.
ColumnLayout {
    id: chart

    property CompareResultModel model

    // Each metric: the raw role it draws, the formatted role it labels the
    // bar with, and whether a lower value is better.
    readonly property var metrics: [
        { role: "perplexity", label: "perplexityText", title: qsTr("Perplexity"), lowerIsBetter: true },
        { role: "klMean", label: "klText", title: qsTr("KL divergence"), lowerIsBetter: true },
        { role: "sizeBytes", label: "sizeText", title: qsTr("Size on disk"), lowerIsBetter: true },
        { role: "generationSpeed", label: "generationSpeedText", title: qsTr("Generation tokens/s"), lowerIsBetter: false }
    ]
    readonly property var metric: metrics[metricBox.currentIndex]

    // The largest value of the chosen metric, which the longest bar shows.
    readonly property real scaleMax: model ? model.maxima[metric.role] : 0

    spacing: Theme.spacing

    RowLayout {
        Layout.fillWidth: true
        spacing: Theme.spacing

        Label {
            text: qsTr("Chart")
            font.bold: true
            color: Theme.textPrimary
        }

        ComboBox {
            id: metricBox

            objectName: "compareChartMetric"
            Layout.preferredWidth: 220
            model: chart.metrics
            textRole: "title"
        }

        Label {
            Layout.fillWidth: true
            text: chart.metric.lowerIsBetter ? qsTr("Shorter is better") : qsTr("Longer is better")
            color: Theme.textSecondary
            font.pixelSize: Theme.smallFontSize
        }
    }

    Rectangle {
        objectName: "compareChart"
        Layout.fillWidth: true
        Layout.fillHeight: true
        Layout.minimumHeight: 80
        radius: Theme.radius
        color: Theme.surface
        border.color: Theme.border

        Flickable {
            anchors.fill: parent
            anchors.margins: Theme.margin
            contentHeight: barColumn.height
            clip: true
            boundsBehavior: Flickable.StopAtBounds

            Column {
                id: barColumn

                width: parent.width
                spacing: 6

                Repeater {
                    id: bars

                    model: chart.model

                    delegate: RowLayout {
                        id: bar

                        required property var model
                        readonly property real value: model[chart.metric.role]

                        width: barColumn.width
                        height: 24
                        spacing: Theme.spacing

                        Label {
                            Layout.preferredWidth: 170
                            text: bar.model.name
                            elide: Text.ElideMiddle
                            color: Theme.textPrimary
                            font.pixelSize: Theme.smallFontSize
                        }

                        Item {
                            Layout.fillWidth: true
                            Layout.fillHeight: true

                            Rectangle {
                                objectName: "compareBar"
                                anchors.verticalCenter: parent.verticalCenter
                                height: 16
                                radius: 3
                                // A measured zero (the reference's KL) still gets a sliver.
                                width: bar.value < 0 || chart.scaleMax <= 0
                                       ? 0 : Math.max(2, parent.width * bar.value / chart.scaleMax)
                                color: bar.model.reference ? Theme.accentPressed : Theme.accent
                                opacity: bar.model.reference ? 1.0 : 0.75
                            }
                        }

                        Label {
                            Layout.preferredWidth: 110
                            horizontalAlignment: Text.AlignRight
                            text: bar.value < 0 ? "–" : bar.model[chart.metric.label]
                            color: Theme.textSecondary
                            font.pixelSize: Theme.smallFontSize
                        }
                    }
                }
            }
        }
    }
}
