import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Quanta.Core

// The comparison's figures, one row per variant in the order they ran. A row
// that is waiting, running, failed or not measured shows that across its
// figure columns instead. Scrolls sideways when the window is narrow.
Rectangle {
    id: table

    property CompareResultModel model

    // The figure columns: the role each shows and its width in pixels.
    readonly property var columns: [
        { role: "sizeText", title: qsTr("Size"), width: 62 },
        { role: "vramText", title: qsTr("VRAM"), width: 56 },
        { role: "ramText", title: qsTr("RAM growth"), width: 66 },
        { role: "loadText", title: qsTr("Load"), width: 52 },
        { role: "promptSpeedText", title: qsTr("Prompt tokens/s"), width: 62 },
        { role: "generationSpeedText", title: qsTr("Generation tokens/s"), width: 74 },
        { role: "perplexityText", title: qsTr("Perplexity"), width: 90 },
        { role: "klText", title: qsTr("KL divergence"), width: 70 },
        { role: "agreementText", title: qsTr("Top-token agreement"), width: 74 }
    ]
    readonly property int nameWidth: Math.max(140, width - figuresWidth - 2)
    readonly property int figuresWidth: columns.reduce((sum, column) => sum + column.width, 0)
    readonly property int headerHeight: 44
    readonly property int rowHeight: 46

    objectName: "compareTable"
    implicitHeight: headerHeight + rows.contentHeight + 2
    radius: Theme.radius
    color: Theme.surface
    border.color: Theme.border
    clip: true

    Flickable {
        anchors.fill: parent
        anchors.margins: 1
        contentWidth: table.nameWidth + table.figuresWidth
        contentHeight: height
        flickableDirection: Flickable.HorizontalFlick
        boundsBehavior: Flickable.StopAtBounds
        ScrollBar.horizontal: ScrollBar {}

        Column {
            width: table.nameWidth + table.figuresWidth

            // Header row.
            Row {
                height: table.headerHeight

                Label {
                    width: table.nameWidth
                    height: parent.height
                    leftPadding: Theme.spacing + 4
                    verticalAlignment: Text.AlignVCenter
                    text: qsTr("Variant")
                    font.pixelSize: Theme.smallFontSize - 1
                    color: Theme.textSecondary
                }

                Repeater {
                    model: table.columns

                    Label {
                        required property var modelData

                        width: modelData.width
                        height: parent.height
                        rightPadding: Theme.spacing
                        horizontalAlignment: Text.AlignRight
                        verticalAlignment: Text.AlignVCenter
                        wrapMode: Text.Wrap
                        maximumLineCount: 2
                        text: modelData.title
                        font.pixelSize: Theme.smallFontSize - 1
                        color: Theme.textSecondary
                    }
                }
            }

            Rectangle {
                width: parent.width
                height: 1
                color: Theme.border
            }

            ListView {
                id: rows

                objectName: "compareRows"
                width: parent.width
                height: Math.min(contentHeight, table.height - table.headerHeight - 3)
                clip: true
                interactive: contentHeight > height
                model: table.model

                delegate: Rectangle {
                    id: row

                    required property int index
                    required property string name
                    required property string format
                    required property string placement
                    required property string status
                    required property string stageText
                    required property string error
                    required property bool reference
                    required property string sizeText
                    required property string vramText
                    required property string ramText
                    required property string loadText
                    required property string promptSpeedText
                    required property string generationSpeedText
                    required property string perplexityText
                    required property string klText
                    required property string agreementText

                    objectName: "compareRow"
                    width: ListView.view.width
                    height: table.rowHeight
                    color: status === "running" ? Theme.accentSoft : index % 2 === 1 ? Theme.windowBackground : Theme.surface

                    Row {
                        anchors.fill: parent

                        ColumnLayout {
                            width: table.nameWidth
                            height: parent.height
                            spacing: 0

                            Label {
                                Layout.fillWidth: true
                                Layout.leftMargin: Theme.spacing + 4
                                Layout.rightMargin: Theme.spacing
                                text: row.name
                                elide: Text.ElideMiddle
                                color: Theme.textPrimary
                                // The full name where the column cuts it.
                                ToolTip.visible: nameHover.hovered && truncated
                                ToolTip.text: row.name

                                HoverHandler {
                                    id: nameHover
                                }
                            }

                            RowLayout {
                                Layout.fillWidth: true
                                Layout.leftMargin: Theme.spacing + 4
                                Layout.rightMargin: Theme.spacing
                                spacing: 6

                                Label {
                                    objectName: "compareReferenceBadge"
                                    visible: row.reference
                                    text: qsTr("reference")
                                    color: Theme.accent
                                    font.pixelSize: Theme.smallFontSize - 1
                                    font.bold: true
                                }

                                Label {
                                    Layout.fillWidth: true
                                    text: [row.format, row.placement].filter(part => part.length > 0).join("  ·  ")
                                    elide: Text.ElideRight
                                    color: Theme.textSecondary
                                    font.pixelSize: Theme.smallFontSize - 1
                                }
                            }
                        }

                        // The figures, or the row's state across their columns.
                        Item {
                            width: table.figuresWidth
                            height: parent.height

                            Row {
                                anchors.fill: parent
                                visible: row.status === "done"

                                Repeater {
                                    model: table.columns

                                    Label {
                                        required property var modelData

                                        objectName: "compareCell_" + modelData.role
                                        width: modelData.width
                                        height: parent.height
                                        rightPadding: Theme.spacing
                                        horizontalAlignment: Text.AlignRight
                                        verticalAlignment: Text.AlignVCenter
                                        text: row[modelData.role].length > 0 ? row[modelData.role] : "–"
                                        color: Theme.textPrimary
                                        font.pixelSize: Theme.smallFontSize
                                    }
                                }
                            }

                            Label {
                                objectName: "compareRowState"
                                anchors.fill: parent
                                anchors.leftMargin: Theme.spacing
                                anchors.rightMargin: Theme.spacing
                                visible: row.status !== "done"
                                verticalAlignment: Text.AlignVCenter
                                wrapMode: Text.Wrap
                                maximumLineCount: 2
                                elide: Text.ElideRight
                                text: row.status === "failed" ? qsTr("Failed: %1").arg(row.error) : row.stageText
                                color: row.status === "failed" ? Theme.errorText : Theme.textSecondary
                                font.pixelSize: Theme.smallFontSize
                                ToolTip.visible: stateHover.hovered && truncated
                                ToolTip.text: text

                                HoverHandler {
                                    id: stateHover
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
