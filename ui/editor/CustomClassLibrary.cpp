#include "ui/editor/CustomClassLibrary.h"

#include <QRegularExpression>

#include "engine/layers/LayerRegistry.h"

namespace tessel::ui {

CustomClassLibrary& CustomClassLibrary::instance() {
  static CustomClassLibrary library;
  return library;
}

QStringList CustomClassLibrary::names() const {
  QStringList out;
  for (auto it = classes_.begin(); it != classes_.end(); ++it)
    out << QString::fromStdString(it.key());
  return out;
}

std::optional<nlohmann::json> CustomClassLibrary::find(const QString& name) const {
  auto it = classes_.find(name.toStdString());
  if (it == classes_.end()) return std::nullopt;
  return *it;
}

void CustomClassLibrary::define(const QString& name, const nlohmann::json& definition) {
  classes_[name.toStdString()] = definition;
  emit changed();
  emit edited();
}

void CustomClassLibrary::replaceAll(const nlohmann::json& classes) {
  classes_ = classes.is_object() ? classes : nlohmann::json::object();
  emit changed();
}

QString CustomClassLibrary::checkName(const QString& name) {
  static const QRegularExpression identifier("^[A-Za-z_][A-Za-z0-9_]*$");
  if (!identifier.match(name).hasMatch())
    return tr("'%1' is not a class name (letters, digits and _, not starting with a digit)")
        .arg(name);
  if (LayerRegistry::instance().find(name.toStdString()))
    return tr("'%1' is a built-in layer").arg(name);
  return {};
}

}  // namespace tessel::ui
