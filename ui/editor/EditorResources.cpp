#include "ui/editor/EditorResources.h"

#include <QFile>

static void initEditorQrc() {
  Q_INIT_RESOURCE(editor);
}

namespace tessel::ui {

void initEditorResources() {
  static const bool done = [] {
    initEditorQrc();
    return true;
  }();
  (void)done;
}

QString groupIconPath(const QString& group) {
  initEditorResources();
  const QString path = ":/tessel/icons/" + group.toLower() + ".svg";
  return QFile::exists(path) ? path : QStringLiteral(":/tessel/icons/other.svg");
}

QIcon groupIcon(const QString& group) {
  return QIcon(groupIconPath(group));
}

}  // namespace tessel::ui
