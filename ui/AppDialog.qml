import QtQuick
import QtQuick.Controls

// A modal dialog in the app's style: rounded card, bold title, roomy padding.
Dialog {
    id: dialog

    modal: true
    padding: 20
    // Popups take the window's palette when they are created, so a theme
    // switch while one exists needs these bindings.
    palette.window: Theme.surface
    palette.base: Theme.surface
    palette.text: Theme.textPrimary
    palette.windowText: Theme.textPrimary
    palette.buttonText: Theme.textPrimary
    palette.button: Theme.windowBackground
    palette.highlight: Theme.accent
    palette.highlightedText: Theme.textOnAccent
    palette.placeholderText: Theme.textSecondary
    topPadding: 8
    width: 440

    background: Rectangle {
        radius: Theme.radius + 2
        color: Theme.surface
        border.color: Theme.border
    }

    header: Label {
        text: dialog.title
        visible: dialog.title.length > 0
        padding: 20
        bottomPadding: 8
        font.pixelSize: Theme.titleFontSize + 1
        font.bold: true
        color: Theme.textPrimary
        elide: Text.ElideRight
    }

    footer: DialogButtonBox {
        visible: count > 0
        padding: 12
        background: null
    }

    Overlay.modal: Rectangle {
        color: "#661b1f29"
    }
}
