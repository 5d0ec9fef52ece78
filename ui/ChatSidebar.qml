import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Quanta.Core

// The left column: the app's name, "New chat", search, the chat list (or the
// search results), Import and Settings.
Rectangle {
    id: sidebar

    required property ChatListModel chats
    required property ChatController controller
    required property ChatSearchModel search

    signal renameRequested(double chatId, string title)
    signal deleteRequested(double chatId, string title)
    signal settingsRequested()
    signal exportRequested(double chatId, string title, string format)
    signal importRequested()

    function focusSearch() {
        searchField.forceActiveFocus()
        searchField.selectAll()
    }

    color: Theme.sidebar

    ColumnLayout {
        anchors.fill: parent
        anchors.margins: Theme.margin
        spacing: Theme.spacing * 1.5

        RowLayout {
            spacing: Theme.spacing
            Layout.bottomMargin: Theme.spacing

            Rectangle {
                implicitWidth: 30
                implicitHeight: 30
                radius: 8
                color: Theme.accent

                Label {
                    anchors.centerIn: parent
                    text: "Q"
                    color: Theme.textOnAccent
                    font.bold: true
                    font.pixelSize: 17
                }
            }

            Label {
                text: "Quanta"
                font.pixelSize: 19
                font.bold: true
                color: Theme.textPrimary
            }
        }

        Button {
            id: newChatButton
            objectName: "newChatButton"
            Layout.fillWidth: true
            implicitHeight: 40
            text: qsTr("New chat")
            icon.color: Theme.textOnAccent
            onClicked: sidebar.controller.newChat()

            contentItem: Label {
                text: "+  " + newChatButton.text
                color: Theme.textOnAccent
                font.bold: true
                horizontalAlignment: Text.AlignHCenter
                verticalAlignment: Text.AlignVCenter
            }
            background: Rectangle {
                radius: Theme.radius
                color: newChatButton.down ? Theme.accentPressed
                                          : newChatButton.hovered ? Theme.accentHover : Theme.accent
            }
        }

        TextField {
            id: searchField
            objectName: "searchField"
            Layout.fillWidth: true
            placeholderText: qsTr("Search all chats")
            selectByMouse: true
            // Searching as the user types, after a short pause.
            onTextChanged: searchTimer.restart()
            Keys.onEscapePressed: text = ""

            Timer {
                id: searchTimer
                interval: 200
                onTriggered: sidebar.search.query = searchField.text
            }
        }

        Label {
            text: searchField.text.trim().length > 0 ? qsTr("Search results") : qsTr("Chats")
            color: Theme.textSecondary
            font.pixelSize: Theme.smallFontSize
            font.bold: true
            Layout.topMargin: Theme.spacing
        }

        ListView {
            id: resultList
            objectName: "searchResults"
            visible: searchField.text.trim().length > 0
            Layout.fillWidth: true
            Layout.fillHeight: true
            clip: true
            spacing: 2
            model: sidebar.search
            boundsBehavior: Flickable.StopAtBounds
            ScrollBar.vertical: ScrollBar {}

            delegate: ItemDelegate {
                id: hit
                required property double chatId
                required property double messageId
                required property string chatTitle
                required property string snippet

                objectName: "searchHit"
                width: ListView.view.width
                onClicked: sidebar.controller.openMessage(chatId, messageId)
                background: Rectangle {
                    radius: Theme.radius
                    color: hit.hovered ? Theme.sidebarHover : "transparent"
                }
                contentItem: ColumnLayout {
                    spacing: 2
                    Label {
                        Layout.fillWidth: true
                        text: hit.chatTitle
                        textFormat: Text.PlainText
                        maximumLineCount: 1
                        font.bold: true
                        elide: Text.ElideRight
                        color: Theme.textPrimary
                    }
                    Label {
                        Layout.fillWidth: true
                        text: hit.snippet
                        textFormat: Text.PlainText
                        wrapMode: Text.Wrap
                        maximumLineCount: 3
                        elide: Text.ElideRight
                        color: Theme.textSecondary
                        font.pixelSize: Theme.smallFontSize
                    }
                }
            }

            Label {
                anchors.top: parent.top
                anchors.topMargin: Theme.spacing
                width: parent.width
                visible: resultList.count === 0
                text: sidebar.search.error.length > 0 ? sidebar.search.error : qsTr("No messages match.")
                wrapMode: Text.WordWrap
                color: Theme.textSecondary
            }
        }

        ListView {
            id: chatList
            objectName: "chatList"
            visible: !resultList.visible
            Layout.fillWidth: true
            Layout.fillHeight: true
            clip: true
            spacing: 2
            model: sidebar.chats
            boundsBehavior: Flickable.StopAtBounds
            ScrollBar.vertical: ScrollBar {}

            delegate: ChatListItem {
                width: ListView.view.width
                currentChatId: sidebar.controller.currentChatId
                onSelected: chatId => sidebar.controller.selectChat(chatId)
                onRenameRequested: (chatId, title) => sidebar.renameRequested(chatId, title)
                onDeleteRequested: (chatId, title) => sidebar.deleteRequested(chatId, title)
                onPinRequested: (chatId, pinned) => sidebar.controller.setPinned(chatId, pinned)
                onExportRequested: (chatId, title, format) => sidebar.exportRequested(chatId, title, format)
            }

            Label {
                anchors.top: parent.top
                anchors.topMargin: Theme.spacing
                width: parent.width
                visible: chatList.count === 0
                text: qsTr("No chats yet. Your conversations will appear here.")
                wrapMode: Text.WordWrap
                color: Theme.textSecondary
            }
        }

        ItemDelegate {
            id: importButton
            objectName: "importButton"
            Layout.fillWidth: true
            text: qsTr("Import chat…")
            onClicked: sidebar.importRequested()

            contentItem: Label {
                text: "⇩  " + importButton.text
                color: Theme.textPrimary
                verticalAlignment: Text.AlignVCenter
            }
            background: Rectangle {
                radius: Theme.radius
                color: importButton.hovered ? Theme.sidebarHover : "transparent"
            }
        }

        ItemDelegate {
            id: settingsButton
            objectName: "settingsButton"
            Layout.fillWidth: true
            text: qsTr("Settings")
            onClicked: sidebar.settingsRequested()

            contentItem: Label {
                text: "⚙  " + settingsButton.text
                color: Theme.textPrimary
                verticalAlignment: Text.AlignVCenter
            }
            background: Rectangle {
                radius: Theme.radius
                color: settingsButton.hovered ? Theme.sidebarHover : "transparent"
            }
        }
    }
}
