import QtQuick
import QtQuick.Controls
import QtQuick.Layouts

// One chat in the sidebar, with a menu to pin, rename, export or delete it.
ItemDelegate {
    id: item

    required property double chatId
    required property string title
    required property bool pinned
    property double currentChatId: 0
    readonly property bool current: chatId === currentChatId

    signal selected(double chatId)
    signal renameRequested(double chatId, string title)
    signal deleteRequested(double chatId, string title)
    signal pinRequested(double chatId, bool pinned)
    signal exportRequested(double chatId, string title, string format)

    implicitHeight: 40
    onClicked: selected(chatId)

    background: Rectangle {
        radius: Theme.radius
        color: item.current ? Theme.sidebarSelected : item.hovered ? Theme.sidebarHover : "transparent"
    }

    contentItem: RowLayout {
        spacing: Theme.spacing

        Label {
            objectName: "pinMarker"
            visible: item.pinned
            text: "★"
            font.pixelSize: Theme.smallFontSize
            Accessible.name: qsTr("Pinned")
        }

        Label {
            Layout.fillWidth: true
            text: item.title
            // Titles are the user's or an imported file's text: never markup.
            textFormat: Text.PlainText
            maximumLineCount: 1
            elide: Text.ElideRight
            color: Theme.textPrimary
            font.bold: item.current
        }

        ToolButton {
            id: menuButton
            objectName: "chatMenuButton"
            visible: item.hovered || item.current || chatMenu.visible
            implicitWidth: 28
            implicitHeight: 28
            text: "⋯"
            Accessible.name: qsTr("Chat actions")
            ToolTip.visible: hovered
            ToolTip.text: qsTr("Pin, rename, export or delete this chat")
            onClicked: chatMenu.popup(menuButton, 0, menuButton.height)
        }
    }

    Menu {
        id: chatMenu

        MenuItem {
            objectName: "pinChatItem"
            text: item.pinned ? qsTr("Unpin") : qsTr("Pin to top")
            onTriggered: item.pinRequested(item.chatId, !item.pinned)
        }
        MenuItem {
            objectName: "renameChatItem"
            text: qsTr("Rename…")
            onTriggered: item.renameRequested(item.chatId, item.title)
        }
        MenuItem {
            objectName: "exportMarkdownItem"
            text: qsTr("Export as Markdown…")
            onTriggered: item.exportRequested(item.chatId, item.title, "markdown")
        }
        MenuItem {
            objectName: "exportJsonItem"
            text: qsTr("Export as JSON…")
            onTriggered: item.exportRequested(item.chatId, item.title, "json")
        }
        MenuItem {
            objectName: "deleteChatItem"
            text: qsTr("Delete")
            onTriggered: item.deleteRequested(item.chatId, item.title)
        }
    }
}
