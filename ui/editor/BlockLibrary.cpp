#include "ui/editor/BlockLibrary.h"

#include <algorithm>

#include "engine/graph/Blocks.h"
#include "ui/editor/GraphDocument.h"

namespace tessel::ui {

BlockLibrary& BlockLibrary::instance() {
  static BlockLibrary library;
  return library;
}

QStringList BlockLibrary::names() const {
  QStringList out;
  for (auto it = blocks_.begin(); it != blocks_.end(); ++it)
    out << QString::fromStdString(it.key());
  return out;
}

std::optional<nlohmann::json> BlockLibrary::find(const QString& name) const {
  auto it = blocks_.find(name.toStdString());
  if (it == blocks_.end()) return std::nullopt;
  return *it;
}

void BlockLibrary::define(const QString& name, const nlohmann::json& definition) {
  blocks_[name.toStdString()] = definition;
  emit changed();
  emit edited();
}

void BlockLibrary::replaceAll(const nlohmann::json& blocks) {
  blocks_ = blocks.is_object() ? blocks : nlohmann::json::object();
  emit changed();
}

nlohmann::json BlockLibrary::definitionOf(const GraphDocument& doc, const QString& block) {
  const ModelSpec model = blockAsModel(doc.spec(), block.toStdString());
  double left = 1e300, top = 1e300;
  for (const NodeSpec& n : model.nodes)
    if (doc.hasNode(QString::fromStdString(n.name))) {
      const QPointF p = doc.position(QString::fromStdString(n.name));
      left = std::min(left, p.x());
      top = std::min(top, p.y());
    }
  nlohmann::json layout = nlohmann::json::object();
  for (const NodeSpec& n : model.nodes)
    if (doc.hasNode(QString::fromStdString(n.name))) {
      const QPointF p = doc.position(QString::fromStdString(n.name));
      layout[n.name] = nlohmann::json::array({p.x() - left, p.y() - top});
    }
  return {{"model", model.toKerasJson()}, {"layout", layout}};
}

}  // namespace tessel::ui
