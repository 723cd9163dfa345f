#pragma once
// "Save as Custom Class…" on a CustomLayer node (the canvas context menu): its weights, call and
// parameters become a named class of the project (CustomClassLibrary, palette "Custom"), and the
// node becomes an instance of it (its custom_class is set, one undo step).
#include <QString>

class QWidget;

namespace tessel::ui {

class GraphEditorWidget;

// Defines class `className` from node `nodeName`; returns "" or why not (not a CustomLayer, bad
// name, a built-in layer's name, a bad definition).
QString defineCustomClass(GraphEditorWidget* editor, const QString& nodeName,
                          const QString& className);
// Asks for the class name (prefilled with the node's custom_class), then defineCustomClass; a
// refusal is shown in a message box.
void askToDefineCustomClass(GraphEditorWidget* editor, const QString& nodeName);

}  // namespace tessel::ui
