import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Quanta.Core

// The local API server in the settings: on or off, its port, the URL to give
// OpenAI clients while it runs, and why it did not start.
ColumnLayout {
    id: section

    required property ApiSettings api

    readonly property bool failed: section.api.enabled && !section.api.server.running
                                   && section.api.server.lastError.length > 0

    spacing: Theme.spacing

    RowLayout {
        spacing: Theme.spacing

        Switch {
            objectName: "apiServerSwitch"
            text: qsTr("Local API server")
            font.bold: true
            checked: section.api.enabled
            onToggled: section.api.enabled = checked
        }

        Label {
            Layout.leftMargin: Theme.margin
            text: qsTr("Port")
        }

        SpinBox {
            objectName: "apiPortSpin"
            editable: true
            from: 1
            to: 65535
            value: section.api.port
            // A port is written without digit grouping.
            textFromValue: (value, locale) => value.toString()
            valueFromText: (text, locale) => parseInt(text, 10)
            onValueModified: section.api.port = value
        }
    }

    RowLayout {
        Layout.fillWidth: true
        visible: section.api.server.running
        spacing: Theme.spacing

        TextField {
            id: urlField

            objectName: "apiUrlField"
            Layout.fillWidth: true
            readOnly: true
            selectByMouse: true
            text: section.api.server.url
        }

        Button {
            objectName: "apiUrlCopy"
            text: qsTr("Copy")
            onClicked: {
                urlField.selectAll()
                urlField.copy()
                urlField.deselect()
            }
        }
    }

    Label {
        objectName: "apiServerStatus"
        Layout.fillWidth: true
        wrapMode: Text.Wrap
        font.pixelSize: Theme.smallFontSize
        color: section.failed ? Theme.errorText : Theme.textSecondary
        text: section.failed
              ? section.api.server.lastError
              : qsTr("Lets programs on this computer use the loaded model through an OpenAI-compatible API. It listens on 127.0.0.1 only and has no authentication.")
    }
}
