import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Quanta.Core

// "Downloads": each download of the models folder with its progress, speed
// and time left, and Pause, Resume, Cancel, Load and Dismiss. A download
// that failed shows why; it stays resumable.
ColumnLayout {
    id: tab

    required property ModelLibrary library
    required property InferenceService inference

    readonly property DownloadManager downloads: library.downloads

    signal modelChosen()

    // DownloadJob::State
    readonly property int statePaused: 0
    readonly property int stateChecking: 1
    readonly property int stateDownloading: 2
    readonly property int stateRetrying: 3
    readonly property int stateInstalling: 4
    readonly property int stateCompleted: 5
    readonly property int stateFailed: 6

    spacing: Theme.spacing

    Label {
        objectName: "downloadsEmptyText"
        Layout.fillWidth: true
        Layout.margins: Theme.margin
        visible: !tab.downloads || tab.downloads.jobs.count === 0
        wrapMode: Text.Wrap
        text: qsTr("No downloads. Models you download from Recommended or Search Hugging Face appear here until they are in the models folder.")
        color: Theme.textSecondary
    }

    ListView {
        objectName: "downloadList"
        Layout.fillWidth: true
        Layout.fillHeight: true
        clip: true
        spacing: 2
        model: tab.downloads ? tab.downloads.jobs : null
        ScrollBar.vertical: ScrollBar {}

        delegate: Rectangle {
            id: job

            required property var model

            readonly property string jobId: model.id
            readonly property int jobState: model.state
            readonly property bool running: jobState === tab.stateChecking || jobState === tab.stateDownloading
                                            || jobState === tab.stateRetrying || jobState === tab.stateInstalling

            objectName: "downloadRow"
            width: ListView.view.width
            implicitHeight: column.implicitHeight + 2 * Theme.spacing + 4
            color: Theme.surface

            ColumnLayout {
                id: column
                anchors.fill: parent
                anchors.leftMargin: Theme.margin
                anchors.rightMargin: Theme.margin
                anchors.topMargin: Theme.spacing
                spacing: 4

                RowLayout {
                    Layout.fillWidth: true
                    spacing: Theme.spacing

                    Label {
                        Layout.fillWidth: true
                        text: job.model.fileCount > 1 ? qsTr("%1 (%n file(s))", "", job.model.fileCount).arg(job.model.name)
                                                      : job.model.name
                        font.bold: true
                        elide: Text.ElideMiddle
                        color: Theme.textPrimary
                    }

                    Label {
                        objectName: "downloadState"
                        text: job.model.stateText
                        color: job.jobState === tab.stateFailed ? Theme.errorText : Theme.textSecondary
                        font.pixelSize: Theme.smallFontSize
                    }

                    Button {
                        objectName: "downloadPauseButton"
                        visible: job.running && job.jobState !== tab.stateInstalling
                        text: qsTr("Pause")
                        onClicked: tab.downloads.pause(job.jobId)
                    }

                    Button {
                        objectName: "downloadResumeButton"
                        visible: job.jobState === tab.statePaused || job.jobState === tab.stateFailed
                        text: job.jobState === tab.stateFailed ? qsTr("Retry") : qsTr("Resume")
                        onClicked: tab.downloads.resume(job.jobId)
                    }

                    Button {
                        objectName: "downloadCancelButton"
                        visible: job.jobState !== tab.stateCompleted && job.jobState !== tab.stateInstalling
                        text: qsTr("Cancel")
                        flat: true
                        onClicked: tab.downloads.cancel(job.jobId)
                    }

                    Button {
                        objectName: "downloadLoadButton"
                        visible: job.jobState === tab.stateCompleted
                        enabled: job.model.path !== tab.inference.modelPath
                        text: qsTr("Load")
                        highlighted: true
                        onClicked: {
                            tab.library.loadModel(job.model.path)
                            tab.modelChosen()
                        }
                    }

                    Button {
                        visible: job.jobState === tab.stateCompleted
                        text: qsTr("Dismiss")
                        flat: true
                        onClicked: tab.downloads.dismiss(job.jobId)
                    }
                }

                ProgressBar {
                    objectName: "downloadProgress"
                    Layout.fillWidth: true
                    visible: job.jobState !== tab.stateCompleted
                    from: 0
                    to: 1
                    indeterminate: job.model.progress < 0 && job.running
                    value: Math.max(0, job.model.progress)
                }

                Label {
                    objectName: "downloadDetails"
                    Layout.fillWidth: true
                    wrapMode: Text.Wrap
                    font.pixelSize: Theme.smallFontSize
                    color: job.jobState === tab.stateFailed ? Theme.errorText : Theme.textSecondary
                    text: {
                        if (job.jobState === tab.stateFailed)
                            return job.model.error
                        if (job.jobState === tab.stateCompleted)
                            return qsTr("In the models folder: %1").arg(job.model.path)
                        let parts = []
                        if (job.model.totalBytes >= 0)
                            parts.push(qsTr("%1 of %2").arg(tab.library.formatSize(job.model.receivedBytes))
                                                           .arg(tab.library.formatSize(job.model.totalBytes)))
                        else
                            parts.push(tab.library.formatSize(job.model.receivedBytes))
                        if (job.jobState === tab.stateDownloading && job.model.bytesPerSecond > 0)
                            parts.push(qsTr("%1/s").arg(tab.library.formatSize(job.model.bytesPerSecond)))
                        if (job.jobState === tab.stateDownloading && job.model.secondsLeft >= 0)
                            parts.push(tab.library.formatTimeLeft(job.model.secondsLeft))
                        return parts.join("  ·  ")
                    }
                }
            }
        }
    }
}
