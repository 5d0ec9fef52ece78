import QtQuick
import QtQuick.Controls
import QtQuick.Layouts

// Beside the table: what each figure means for someone choosing a download,
// in plain words.
Rectangle {
    id: panel

    // One entry per column of the table, in the same order.
    readonly property var entries: [
        {
            title: qsTr("Size"),
            text: qsTr("How much disk space the download takes. Smaller files download faster and usually need less memory, which leaves room for longer conversations.")
        },
        {
            title: qsTr("VRAM"),
            text: qsTr("Graphics memory the variant took on the GPU: its weights plus working buffers. A variant that does not fit runs partly on the CPU, and replies get much slower. Empty when it ran on the CPU alone.")
        },
        {
            title: qsTr("RAM growth"),
            text: qsTr("How much the memory use of Quanta grew while the variant was loaded and running. Other programs share what is left, so on a computer with little memory pick a variant well below the free amount.")
        },
        {
            title: qsTr("Load"),
            text: qsTr("Seconds from opening the files to being ready. The first load after a restart is usually slower, because the files then come from the disk and not from the system's cache.")
        },
        {
            title: qsTr("Prompt tokens/s"),
            text: qsTr("How fast the model reads your message and the conversation so far. Higher is better: it decides how long you wait before the reply starts, most of all with long chats or pasted documents.")
        },
        {
            title: qsTr("Generation tokens/s"),
            text: qsTr("How fast the reply is written. A token is about three quarters of an English word, or one or two Chinese characters. Higher is better; from about 10 tokens/s on, most people read slower than the model writes.")
        },
        {
            title: qsTr("Perplexity"),
            text: qsTr("How well the variant predicts the text: lower is better. Only compare it between variants of the same model on the same text and window. A difference of about 1% is hard to notice in a chat; several percent shows as more mistakes and less coherent replies. The ± is the statistical uncertainty.")
        },
        {
            title: qsTr("KL divergence"),
            text: qsTr("How far the variant's predictions are from the reference (the largest variant), averaged over the text; 0 means the same. It finds changes that perplexity can average away. As a rule of thumb, below about 0.01 the two behave almost alike, and above about 0.1 the difference is easy to notice.")
        },
        {
            title: qsTr("Top-token agreement"),
            text: qsTr("How often the variant's most likely next token is the same as the reference's. Nearer to 100% means replies closer to the reference's. It is easier to read than KL divergence but misses smaller changes in confidence.")
        }
    ]

    objectName: "compareExplanation"
    color: Theme.surface

    ScrollView {
        id: scroll

        anchors.fill: parent
        contentWidth: availableWidth

        ColumnLayout {
            width: scroll.availableWidth
            spacing: Theme.spacing

            Label {
                Layout.fillWidth: true
                Layout.topMargin: Theme.margin
                Layout.leftMargin: Theme.margin
                Layout.rightMargin: Theme.margin
                text: qsTr("What the numbers mean")
                font.bold: true
                font.pixelSize: Theme.titleFontSize
                color: Theme.textPrimary
                wrapMode: Text.Wrap
            }

            Label {
                Layout.fillWidth: true
                Layout.leftMargin: Theme.margin
                Layout.rightMargin: Theme.margin
                text: qsTr("Every figure was measured on this computer, with the text, window and device shown. Speed and memory change with the device and with other running programs; the quality figures change very little.")
                wrapMode: Text.Wrap
                color: Theme.textSecondary
                font.pixelSize: Theme.smallFontSize
            }

            Repeater {
                model: panel.entries

                ColumnLayout {
                    required property var modelData

                    Layout.fillWidth: true
                    Layout.leftMargin: Theme.margin
                    Layout.rightMargin: Theme.margin
                    Layout.topMargin: 4
                    spacing: 2

                    Label {
                        Layout.fillWidth: true
                        text: modelData.title
                        font.bold: true
                        font.pixelSize: Theme.smallFontSize
                        color: Theme.textPrimary
                        wrapMode: Text.Wrap
                    }

                    Label {
                        Layout.fillWidth: true
                        text: modelData.text
                        wrapMode: Text.Wrap
                        color: Theme.textSecondary
                        font.pixelSize: Theme.smallFontSize
                    }
                }
            }

            Item {
                Layout.preferredHeight: Theme.margin
            }
        }
    }
}
