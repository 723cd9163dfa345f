#include "ui/editor/CustomClassActions.h"

#include <QInputDialog>
#include <QMenu>
#include <QMessageBox>
#include <QUndoStack>
#include <functional>

#include "engine/core/Error.h"
#include "engine/io/KerasCustomClasses.h"
#include "ui/editor/CustomClassLibrary.h"
#include "ui/editor/GraphCommands.h"
#include "ui/editor/GraphDocument.h"
#include "ui/editor/GraphEditorWidget.h"

namespace tessel::ui {

CustomClassLibraryCommand::CustomClassLibraryCommand(const QString& name,
                                                     std::optional<nlohmann::json> definition,
                                                     QUndoCommand* parent)
    : QUndoCommand(definition ? QObject::tr("Define class %1").arg(name)
                              : QObject::tr("Delete class %1").arg(name),
                   parent),
      name_(name),
      new_(std::move(definition)),
      old_(CustomClassLibrary::instance().find(name)) {}

void CustomClassLibraryCommand::redo() {
  CustomClassLibrary::instance().set(name_, new_);
}

void CustomClassLibraryCommand::undo() {
  CustomClassLibrary::instance().set(name_, old_);
}

namespace {

// The open model's CustomLayer nodes of class `name`, except `skip`.
QStringList nodesOfClass(GraphEditorWidget* editor, const QString& name, const QString& skip = {}) {
  QStringList out;
  const std::string cls = name.toStdString();
  for (const NodeSpec& n : editor->document()->spec().nodes)
    if (n.className == "CustomLayer" && n.config.is_object() &&
        n.config.value("custom_class", json()) == json(cls) &&
        QString::fromStdString(n.name) != skip)
      out << QString::fromStdString(n.name);
  return out;
}

// Runs `body` as one macro on the editor's stack; a refusal inside undoes what ran before it.
QString inMacro(GraphEditorWidget* editor, const QString& text,
                const std::function<QString(QUndoStack*)>& body) {
  QUndoStack* stack = editor->undoStack();
  stack->beginMacro(text);
  const QString why = body(stack);
  stack->endMacro();
  // A refusal (none expected: the names were checked first) leaves nothing half done; the
  // undone macro stays as the redo step until the next edit replaces it.
  if (!why.isEmpty()) stack->undo();
  return why;
}

}  // namespace

QString defineCustomClass(GraphEditorWidget* editor, const QString& nodeName,
                          const QString& className, int* updated) {
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
  const bool isClassAlready =
      node->config.value("custom_class", std::string()) == name.toStdString();
  const QStringList others = nodesOfClass(editor, name, nodeName);
  if (updated) *updated = 0;
  return inMacro(editor, QObject::tr("Save %1 as class %2").arg(nodeName, name),
                 [&](QUndoStack* stack) -> QString {
                   if (!isClassAlready) {
                     const QString why = GraphCommand::push(
                         stack, new SetConfigCommand(editor->document(), nodeName, "custom_class",
                                                     name.toStdString()));
                     if (!why.isEmpty()) return why;
                   }
                   stack->push(new CustomClassLibraryCommand(name, def));
                   // Redefinition: the other nodes of the class take its weights and call.
                   for (const QString& other : others) {
                     const NodeSpec* o = editor->document()->node(other);
                     for (const char* key : {"weights", "call"}) {
                       if (o->config.value(key, json()) == def[key]) continue;
                       const QString why = GraphCommand::push(
                           stack, new SetConfigCommand(editor->document(), other, key, def[key]));
                       if (!why.isEmpty()) return QObject::tr("%1: %2").arg(other, why);
                     }
                     if (updated) ++*updated;
                   }
                   return QString();
                 });
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

QString renameCustomClass(GraphEditorWidget* editor, const QString& from, const QString& toIn) {
  const QString to = toIn.trimmed();
  const auto def = CustomClassLibrary::instance().find(from);
  if (!def) return QObject::tr("There is no class %1.").arg(from);
  if (to == from) return {};
  if (QString why = CustomClassLibrary::checkName(to); !why.isEmpty()) return why;
  if (CustomClassLibrary::instance().find(to))
    return QObject::tr("A class named %1 exists already.").arg(to);
  const QStringList nodes = nodesOfClass(editor, from);
  return inMacro(
      editor, QObject::tr("Rename class %1 to %2").arg(from, to),
      [&](QUndoStack* stack) -> QString {
        stack->push(new CustomClassLibraryCommand(to, *def));
        stack->push(new CustomClassLibraryCommand(from, std::nullopt));
        for (const QString& n : nodes) {
          const QString why = GraphCommand::push(
              stack, new SetConfigCommand(editor->document(), n, "custom_class", to.toStdString()));
          if (!why.isEmpty()) return QObject::tr("%1: %2").arg(n, why);
        }
        return QString();
      });
}

QString deleteCustomClass(GraphEditorWidget* editor, const QString& name) {
  if (!CustomClassLibrary::instance().find(name))
    return QObject::tr("There is no class %1.").arg(name);
  const QStringList nodes = nodesOfClass(editor, name);
  return inMacro(
      editor, QObject::tr("Delete class %1").arg(name), [&](QUndoStack* stack) -> QString {
        stack->push(new CustomClassLibraryCommand(name, std::nullopt));
        // The nodes keep their weights and call; "" = no class (written as
        // CustomLayer in model.json).
        for (const QString& n : nodes) {
          const QString why = GraphCommand::push(
              stack, new SetConfigCommand(editor->document(), n, "custom_class", std::string()));
          if (!why.isEmpty()) return QObject::tr("%1: %2").arg(n, why);
        }
        return QString();
      });
}

QMenu* showCustomClassMenu(GraphEditorWidget* editor, const QString& name, QPoint globalPos) {
  auto* menu = new QMenu(editor);
  menu->setObjectName("customClassMenu");
  menu->setAttribute(Qt::WA_DeleteOnClose);
  const int used = nodesOfClass(editor, name).size();
  QAction* rename = menu->addAction(QObject::tr("Rename Class…"));
  rename->setObjectName("renameCustomClass");
  QObject::connect(rename, &QAction::triggered, editor, [editor, name] {
    bool ok = false;
    const QString to = QInputDialog::getText(editor, QObject::tr("Rename Custom Class"),
                                             QObject::tr("New name of class %1:").arg(name),
                                             QLineEdit::Normal, name, &ok);
    if (!ok) return;
    const QString why = renameCustomClass(editor, name, to);
    if (!why.isEmpty()) QMessageBox::warning(editor, QObject::tr("Rename Custom Class"), why);
  });
  QAction* remove = menu->addAction(
      used ? QObject::tr("Delete Class (%n layer(s) keep their definition)", "", used)
           : QObject::tr("Delete Class"));
  remove->setObjectName("deleteCustomClass");
  QObject::connect(remove, &QAction::triggered, editor, [editor, name] {
    const QString why = deleteCustomClass(editor, name);
    if (!why.isEmpty()) QMessageBox::warning(editor, QObject::tr("Delete Custom Class"), why);
  });
  menu->popup(globalPos);
  return menu;
}

}  // namespace tessel::ui
