import QtQuick
import QtQuick.Controls
import Quanta.Core

// The open chat's messages. Follows a streaming reply while the view is
// scrolled to the bottom, and stays put when the user scrolls up to read.
ListView {
    id: list

    required property ChatController controller
    required property bool busy
    property bool followEnd: true

    objectName: "messageList"
    clip: true
    spacing: Theme.margin
    topMargin: Theme.margin * 1.5
    bottomMargin: Theme.margin * 1.5
    boundsBehavior: Flickable.StopAtBounds
    ScrollBar.vertical: ScrollBar {}

    delegate: MessageBubble {
        width: ListView.view.width
        controller: list.controller
        busy: list.busy
        onDeleteRequested: messageId => deleteDialog.openFor(messageId)
    }

    DeleteMessageDialog {
        id: deleteDialog

        parent: Overlay.overlay
        anchors.centerIn: parent
        onDeleteConfirmed: messageId => list.controller.deleteMessage(messageId)
    }

    // A search hit was opened: show its message instead of the end.
    Connections {
        target: list.controller
        function onMessageFocusRequested(row) {
            list.followEnd = false
            Qt.callLater(() => list.positionViewAtIndex(row, ListView.Beginning))
        }
    }

    onMovementEnded: followEnd = atYEnd
    onCountChanged: {
        followEnd = true
        Qt.callLater(list.positionViewAtEnd)
    }
    onContentHeightChanged: {
        if (followEnd)
            Qt.callLater(list.positionViewAtEnd)
    }
    // The error banner and a growing input box make the view shorter.
    onHeightChanged: {
        if (followEnd)
            Qt.callLater(list.positionViewAtEnd)
    }
}
