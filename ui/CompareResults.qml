import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Quanta.Core

// The middle of the compare screen: what was measured, the table, the chart
// and the export buttons. Before the first run, a short how-to.
Item {
    id: results

    required property CompareController compare

    ColumnLayout {
        anchors.fill: parent
        anchors.margins: Theme.margin
        spacing: Theme.spacing * 1.5
        visible: results.compare.hasResult

        RowLayout {
            Layout.fillWidth: true
            spacing: Theme.spacing

            Label {
                objectName: "compareResultDetails"
                Layout.fillWidth: true
                text: results.compare.resultDetails
                wrapMode: Text.Wrap
                color: Theme.textSecondary
                font.pixelSize: Theme.smallFontSize
            }

            Button {
                objectName: "compareExportCsvButton"
                enabled: !results.compare.running
                flat: true
                text: qsTr("Export CSV…")
                onClicked: exportDialog.openFor("csv")
            }

            Button {
                objectName: "compareExportMarkdownButton"
                enabled: !results.compare.running
                flat: true
                text: qsTr("Export Markdown…")
                onClicked: exportDialog.openFor("md")
            }
        }

        CompareTable {
            Layout.fillWidth: true
            Layout.preferredHeight: implicitHeight
            Layout.maximumHeight: parent.height * 0.55
            model: results.compare.results
        }

        CompareChart {
            Layout.fillWidth: true
            Layout.fillHeight: true
            model: results.compare.results
        }
    }

    ColumnLayout {
        anchors.centerIn: parent
        width: Math.min(parent.width - 2 * Theme.margin, 460)
        spacing: Theme.spacing
        visible: !results.compare.hasResult

        Label {
            Layout.fillWidth: true
            text: qsTr("Which variant is right for this computer?")
            font.pixelSize: Theme.titleFontSize
            font.bold: true
            horizontalAlignment: Text.AlignHCenter
            wrapMode: Text.Wrap
            color: Theme.textPrimary
        }

        Label {
            Layout.fillWidth: true
            text: qsTr("Check the variants on the left and press Compare. Each one is loaded in turn with the device from the settings, timed, and scored on the text; the largest one is the reference the others are measured against. The results are saved and can be exported.")
            horizontalAlignment: Text.AlignHCenter
            wrapMode: Text.Wrap
            color: Theme.textSecondary
        }
    }

    CompareExportDialog {
        id: exportDialog
        compare: results.compare
    }
}
