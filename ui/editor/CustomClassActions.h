#pragma once
// The project's custom layer classes from the editor. "Save as Custom Class…" on a CustomLayer
// node (the canvas context menu): its weights, call and parameters become a named class of the
// project (CustomClassLibrary, palette "Custom"), and the node becomes an instance of it. Saving
// under a name that exists redefines the class: every other node of it in the open model takes
// the new weights declaration and call (each keeps its own params), as Python would after the
// class body changes. The palette's context menu on a class renames it (the open model's nodes of
// it follow) or deletes it (its nodes stay, as anonymous Custom layers). Each is one undo step,
// the library change included.
#include <QPoint>
#include <QString>
#include <QUndoCommand>
#include <nlohmann/json.hpp>
#include <optional>

class QMenu;
class QWidget;

namespace tessel::ui {

class GraphEditorWidget;

// Sets (or, with nullopt, removes) one class of the library; undo restores the old definition.
class CustomClassLibraryCommand : public QUndoCommand {
 public:
  CustomClassLibraryCommand(const QString& name, std::optional<nlohmann::json> definition,
                            QUndoCommand* parent = nullptr);
  void redo() override;
  void undo() override;

 private:
  QString name_;
  std::optional<nlohmann::json> new_, old_;
};

// Defines class `className` from node `nodeName`; returns "" or why not (not a CustomLayer, bad
// name, a built-in layer's name, a bad definition). `updated` gets the number of other nodes
// that took the new definition.
QString defineCustomClass(GraphEditorWidget* editor, const QString& nodeName,
                          const QString& className, int* updated = nullptr);
// Asks for the class name (prefilled with the node's custom_class), then defineCustomClass; a
// refusal is shown in a message box.
void askToDefineCustomClass(GraphEditorWidget* editor, const QString& nodeName);

// Renames a class of the library and the custom_class of the open model's nodes of it.
QString renameCustomClass(GraphEditorWidget* editor, const QString& from, const QString& to);
// Removes a class from the library; the open model's nodes of it keep their weights and call.
QString deleteCustomClass(GraphEditorWidget* editor, const QString& name);
// The palette's menu on class `name` (objectName "customClassMenu"; actions "renameCustomClass",
// "deleteCustomClass"), shown at `globalPos`; returns the menu (deleted on close).
QMenu* showCustomClassMenu(GraphEditorWidget* editor, const QString& name, QPoint globalPos);

}  // namespace tessel::ui
