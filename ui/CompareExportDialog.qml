import QtQuick
import QtQuick.Dialogs
import Quanta.Core

// Saves the comparison on screen as CSV or Markdown.
FileDialog {
    id: dialog

    required property CompareController compare
    // "csv" or "md"
    property string format: "csv"

    function openFor(suffix) {
        format = suffix
        const suggested = compare.suggestedFileUrl(suffix)
        currentFolder = suggested.toString().substring(0, suggested.toString().lastIndexOf("/"))
        selectedFile = suggested
        open()
    }

    objectName: "compareExportDialog"
    title: format === "csv" ? qsTr("Export as CSV") : qsTr("Export as Markdown")
    fileMode: FileDialog.SaveFile
    acceptLabel: qsTr("Save")
    defaultSuffix: format
    nameFilters: format === "csv" ? [qsTr("CSV files (*.csv)")] : [qsTr("Markdown files (*.md)")]
    onAccepted: {
        if (format === "csv")
            compare.exportCsv(selectedFile)
        else
            compare.exportMarkdown(selectedFile)
    }
}
