import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Quanta.Core

// "Recommended": the catalog's chat models across sizes and formats, with
// the download size, the licence and whether each fits the chosen device,
// shown before anything is downloaded.
ColumnLayout {
    id: tab

    required property ModelLibrary library
    required property InferenceService inference

    signal downloadStarted()
    signal modelChosen()

    spacing: Theme.spacing

    Label {
        Layout.fillWidth: true
        Layout.margins: Theme.margin
        Layout.bottomMargin: 0
        wrapMode: Text.Wrap
        text: qsTr("Chat models that Quanta runs, from Hugging Face. Check each model's licence before you use it.")
        color: Theme.textSecondary
    }

    ListView {
        objectName: "catalogList"
        Layout.fillWidth: true
        Layout.fillHeight: true
        clip: true
        spacing: 2
        model: tab.library.catalog
        ScrollBar.vertical: ScrollBar {}

        delegate: Rectangle {
            id: row

            required property string catalogId
            required property string name
            required property string repository
            required property string format
            required property string quantization
            required property string sizeText
            required property string details
            required property int fit
            required property string fitText
            required property string fitDetails
            required property double memoryBytes
            required property bool installed
            required property string installedPath
            required property bool downloading

            objectName: "catalogRow"
            width: ListView.view.width
            implicitHeight: content.implicitHeight + 2 * Theme.spacing + 4
            color: Theme.surface

            RowLayout {
                id: content
                anchors.fill: parent
                anchors.leftMargin: Theme.margin
                anchors.rightMargin: Theme.margin
                spacing: Theme.margin

                ColumnLayout {
                    Layout.fillWidth: true
                    spacing: 2

                    RowLayout {
                        spacing: Theme.spacing

                        Label {
                            text: row.name
                            font.bold: true
                            color: Theme.textPrimary
                        }

                        Label {
                            text: row.format
                            color: Theme.accent
                            font.pixelSize: Theme.smallFontSize
                            font.bold: true
                        }

                        Label {
                            text: qsTr("%1 · %2").arg(row.quantization).arg(row.sizeText)
                            color: Theme.textSecondary
                            font.pixelSize: Theme.smallFontSize
                        }
                    }

                    Label {
                        Layout.fillWidth: true
                        text: qsTr("%1 · %2").arg(row.details).arg(row.repository)
                        elide: Text.ElideRight
                        color: Theme.textSecondary
                        font.pixelSize: Theme.smallFontSize
                    }
                }

                FitBadge {
                    fit: row.fit
                    text: row.fitText
                    details: row.fitDetails
                    memoryText: qsTr("Needs about %1").arg(tab.library.formatSize(row.memoryBytes))
                }

                Button {
                    objectName: "catalogActionButton"
                    Layout.preferredWidth: 130
                    text: row.installed ? (row.installedPath === tab.inference.modelPath ? qsTr("Loaded") : qsTr("Load"))
                                        : row.downloading ? qsTr("Downloading…") : qsTr("Download")
                    enabled: !row.downloading && !(row.installed && row.installedPath === tab.inference.modelPath)
                    highlighted: !row.installed && !row.downloading
                    onClicked: {
                        if (row.installed) {
                            tab.library.loadModel(row.installedPath)
                            tab.modelChosen()
                        } else if (tab.library.downloadCatalogModel(row.catalogId).length > 0) {
                            tab.downloadStarted()
                        }
                    }
                }
            }
        }
    }
}
