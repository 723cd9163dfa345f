#include "ui/editor/CustomClassActions.h"

#include <QInputDialog>
#include <QMessageBox>

#include "engine/core/Error.h"
#include "engine/io/KerasCustomClasses.h"
#include "ui/editor/CustomClassLibrary.h"
#include "ui/editor/GraphCommands.h"
#include "ui/editor/GraphDocument.h"
#include "ui/editor/GraphEditorWidget.h"

namespace tessel::ui {

QString defineCustomClass(GraphEditorWidget* editor, const QString& nodeName,
                          const QString& className) {
  const NodeSpec* node = editor->document()->node(nodeName);
  if (!node || node->className != "CustomLayer")
    return QObject::tr("Only a Custom layer node can become a custom class.");
  const QString name = className.trimmed();
  if (QString why = CustomClassLibrary::checkName(name); !why.isEmpty()) return why;
  json def;
  try {
    def = customClassDefinition(node->config);
  } catch (const Error& e) {
    return QString::fromUtf8(e.what());
  }
  if (node->config.value("custom_class", std::string()) != name.toStdString()) {
    const QString why = GraphCommand::push(
        editor->undoStack(),
        new SetConfigCommand(editor->document(), nodeName, "custom_class", name.toStdString()));
    if (!why.isEmpty()) return why;
  }
  CustomClassLibrary::instance().define(name, def);
  return {};
}

void askToDefineCustomClass(GraphEditorWidget* editor, const QString& nodeName) {
  const NodeSpec* node = editor->document()->node(nodeName);
  if (!node) return;
  bool ok = false;
  const QString name = QInputDialog::getText(
      editor, QObject::tr("Save as Custom Class"),
      QObject::tr("Class name (listed in the palette under Custom):"), QLineEdit::Normal,
      QString::fromStdString(node->config.value("custom_class", std::string("CustomLayer1"))), &ok);
  if (!ok) return;
  const QString why = defineCustomClass(editor, nodeName, name);
  if (!why.isEmpty()) QMessageBox::warning(editor, QObject::tr("Save as Custom Class"), why);
}

}  // namespace tessel::ui
