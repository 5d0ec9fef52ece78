import QtQuick
import QtQuick.Dialogs
import Quanta.Core

// Saves a chat as Markdown or JSON, or opens a JSON chat to import.
FileDialog {
    id: dialog

    required property ChatController controller
    property double chatId: 0
    // "markdown", "json", or "import"
    property string mode: "markdown"

    function exportChat(id, title, format) {
        chatId = id
        mode = format
        fileMode = FileDialog.SaveFile
        const suggested = controller.suggestedExportUrl(id, format).toString()
        currentFolder = suggested.substring(0, suggested.lastIndexOf("/"))
        selectedFile = suggested
        open()
    }

    function importChat() {
        mode = "import"
        fileMode = FileDialog.OpenFile
        open()
    }

    objectName: "chatFileDialog"
    title: mode === "import" ? qsTr("Import chat") : mode === "json" ? qsTr("Export chat as JSON")
                                                                       : qsTr("Export chat as Markdown")
    acceptLabel: mode === "import" ? qsTr("Import") : qsTr("Save")
    defaultSuffix: mode === "markdown" ? "md" : "json"
    nameFilters: mode === "markdown" ? [qsTr("Markdown files (*.md)")] : [qsTr("Quanta chat files (*.json)")]
    onAccepted: {
        if (mode === "import")
            controller.importChat(selectedFile)
        else
            controller.exportChat(chatId, selectedFile, mode)
    }
}
