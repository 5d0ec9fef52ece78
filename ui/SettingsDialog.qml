import QtQuick.Controls
import QtQuick.Layouts
import Quanta.Core

// Settings: the UI language, applied as soon as it is picked.
AppDialog {
    id: dialog

    required property LanguageSettings language

    objectName: "settingsDialog"
    title: qsTr("Settings")
    standardButtons: Dialog.Close

    ColumnLayout {
        anchors.fill: parent
        spacing: Theme.spacing

        Label {
            text: qsTr("Language")
            font.bold: true
        }

        ButtonGroup {
            id: languageGroup
        }

        RadioButton {
            objectName: "languageSystem"
            text: qsTr("Same as the system")
            ButtonGroup.group: languageGroup
            checked: dialog.language.language === "system"
            onClicked: dialog.language.language = "system"
        }

        // Each language is named in itself, so it can be found whatever the
        // current language is.
        RadioButton {
            objectName: "languageEnglish"
            text: "English"
            ButtonGroup.group: languageGroup
            checked: dialog.language.language === "en"
            onClicked: dialog.language.language = "en"
        }

        RadioButton {
            objectName: "languageChinese"
            text: "简体中文"
            ButtonGroup.group: languageGroup
            checked: dialog.language.language === "zh_CN"
            onClicked: dialog.language.language = "zh_CN"
        }
    }
}
