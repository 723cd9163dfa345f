#include "ui/editor/CustomClassLibrary.h"

#include <QRegularExpression>

#include "engine/io/KerasCustomClasses.h"
#include "engine/layers/LayerRegistry.h"

namespace tessel::ui {

using nlohmann::json;

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

void CustomClassLibrary::set(const QString& name, const std::optional<nlohmann::json>& definition) {
  if (definition)
    classes_[name.toStdString()] = *definition;
  else
    classes_.erase(name.toStdString());
  emit changed();
  emit edited();
}

QStringList CustomClassLibrary::adopt(const tessel::ModelSpec& spec, QStringList* conflicts) {
  QStringList added;
  for (const tessel::NodeSpec& node : spec.nodes) {
    if (node.className != "CustomLayer" || !node.config.is_object()) continue;
    const std::string cls = node.config.value("custom_class", json());
    if (cls.empty() || !checkName(QString::fromStdString(cls)).isEmpty()) continue;
    json def;
    try {
      def = tessel::customClassDefinition(node.config);
    } catch (const std::exception&) {
      continue;
    }
    auto it = classes_.find(cls);
    if (it == classes_.end()) {
      classes_[cls] = def;
      added << QString::fromStdString(cls);
    } else if (((*it)["call"] != def["call"] || (*it)["weights"] != def["weights"]) && conflicts &&
               !conflicts->contains(QString::fromStdString(cls))) {
      *conflicts << QString::fromStdString(cls);
    }
  }
  if (!added.isEmpty()) {
    emit changed();
    emit edited();
  }
  return added;
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
