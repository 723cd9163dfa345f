#include "ui/editor/GraphClipboard.h"

#include <algorithm>
#include <regex>
#include <set>

#include "engine/core/Error.h"
#include "ui/editor/GraphDocument.h"
#include "ui/editor/GraphLayout.h"

namespace tessel::ui {

json GraphClipboard::toJson(const GraphDocument& doc, const QStringList& names) {
  std::vector<NodeId> ids;
  for (const QString& n : names) ids.push_back(doc.idOf(n));
  return toJson(doc, ids);
}

QString GraphClipboard::toText(const GraphDocument& doc, const QStringList& names) {
  return QString::fromStdString(toJson(doc, names).dump(1));
}

json GraphClipboard::toJson(const GraphDocument& doc, const std::vector<NodeId>& ids) {
  ModelSpec part;
  part.name = "fragment";
  std::set<std::string> chosen;
  for (NodeId id : ids)
    if (const NodeSpec* n = doc.node(id)) chosen.insert(n->name);
  json layout = json::object();
  const std::vector<NodeId> order = doc.nodeIds();
  for (size_t i = 0; i < order.size(); ++i) {
    const NodeSpec& n = doc.spec().nodes[i];
    if (!chosen.count(n.name)) continue;
    NodeSpec copy = n;
    // Only edges inside the selection travel with it.
    for (size_t p = copy.inputs.size(); p-- > 0;)  // eraseInput keeps the tensor indices
      if (!chosen.count(copy.inputs[p])) copy.eraseInput(p);
    part.nodes.push_back(copy);
    const QPointF p = doc.position(order[i]);
    layout[n.name] = json::array({p.x(), p.y()});
  }
  std::set<std::string> consumed;
  for (const auto& n : part.nodes)
    for (const auto& in : n.inputs) consumed.insert(in);
  for (const auto& n : part.nodes) {
    if (n.isInput()) part.inputs.push_back(n.name);
    if (!consumed.count(n.name)) part.outputs.push_back(n.name);
  }
  json j = part.toKerasJson();
  j["tessel_layout"] = layout;
  return j;
}

QString GraphClipboard::toText(const GraphDocument& doc, const std::vector<NodeId>& ids) {
  return QString::fromStdString(toJson(doc, ids).dump(1));
}

GraphFragment GraphClipboard::parse(const QString& text) {
  json j;
  try {
    j = json::parse(text.toStdString());
  } catch (const json::exception&) {
    throw Error("the clipboard does not hold Keras model JSON");
  }
  return fromJson(j);
}

GraphFragment GraphClipboard::fromJson(const json& input) {
  if (!input.is_object()) throw Error("the clipboard does not hold Keras model JSON");
  json j = input;
  std::map<std::string, QPointF> stored;
  if (j.contains("tessel_layout") && j["tessel_layout"].is_object()) {
    for (const auto& [name, xy] : j["tessel_layout"].items())
      if (xy.is_array() && xy.size() == 2 && xy[0].is_number() && xy[1].is_number())
        stored[name] = QPointF(xy[0].get<double>(), xy[1].get<double>());
    j.erase("tessel_layout");
  }
  // A single layer as Keras writes it in a model's "layers" list.
  const std::string cls = j.value("class_name", std::string());
  if (!cls.empty() && cls != "Functional" && cls != "Model" && cls != "Sequential" &&
      !j.contains("modelTopology")) {
    json layer = j;
    layer.erase("inbound_nodes");
    j = {{"class_name", "Functional"},
         {"config",
          {{"name", "fragment"},
           {"layers", json::array({layer})},
           {"input_layers", json::array()},
           {"output_layers", json::array()}}}};
  }
  ModelSpec spec;
  try {
    spec = ModelSpec::fromKerasJson(j);
  } catch (const Error& e) {
    throw Error(std::string("cannot paste: ") + e.what());
  }
  GraphFragment f;
  // Producers first, so inserting in order always finds an edge's source.
  std::vector<std::string> order;
  try {
    order = topologicalOrder(spec);
  } catch (const Error&) {
    for (const auto& n : spec.nodes) order.push_back(n.name);
  }
  std::set<std::string> present;
  for (const auto& n : spec.nodes) present.insert(n.name);
  for (const auto& name : order) {
    NodeSpec n = *spec.find(name);
    for (size_t p = n.inputs.size(); p-- > 0;)  // eraseInput keeps the tensor indices
      if (!present.count(n.inputs[p])) n.eraseInput(p);
    f.nodes.push_back(n);
  }
  f.hadLayout = !f.nodes.empty();
  for (const auto& n : f.nodes)
    if (!stored.count(n.name)) f.hadLayout = false;
  f.positions = f.hadLayout ? stored : GraphLayout::layered(spec);
  return f;
}

std::string GraphClipboard::uniqueName(const std::string& name,
                                       const std::vector<std::string>& taken) {
  auto free = [&](const std::string& n) {
    return std::find(taken.begin(), taken.end(), n) == taken.end();
  };
  if (free(name)) return name;
  static const std::regex suffix("^(.*)_([0-9]+)$");
  std::smatch m;
  const std::string base = std::regex_match(name, m, suffix) ? m[1].str() : name;
  if (free(base)) return base;
  for (int i = 1;; ++i) {
    const std::string candidate = base + "_" + std::to_string(i);
    if (free(candidate)) return candidate;
  }
}

void GraphClipboard::makeNamesUnique(GraphFragment& fragment, const ModelSpec& existing) {
  std::vector<std::string> taken;
  for (const auto& n : existing.nodes) taken.push_back(n.name);
  std::map<std::string, std::string> renamed;
  for (auto& n : fragment.nodes) {
    const std::string fresh = uniqueName(n.name, taken);
    renamed[n.name] = fresh;
    taken.push_back(fresh);
  }
  std::map<std::string, QPointF> positions;
  for (auto& n : fragment.nodes) {
    const std::string old = n.name;
    n.name = renamed[old];
    n.config["name"] = n.name;
    for (auto& in : n.inputs) in = renamed[in];
    positions[n.name] = fragment.positions.count(old) ? fragment.positions[old] : QPointF();
  }
  fragment.positions = std::move(positions);
}

PasteCommand::PasteCommand(GraphDocument* doc, GraphFragment fragment, QPointF offset,
                           const QString& text, QUndoCommand* parent)
    : GraphCommand(doc, text, parent), fragment_(std::move(fragment)), offset_(offset) {
  for (size_t i = 0; i < fragment_.nodes.size(); ++i) ids_.push_back(doc->newNodeId());
}

QString PasteCommand::apply() {
  if (fragment_.nodes.empty()) return QObject::tr("nothing to paste");
  for (const auto& n : fragment_.nodes)
    if (doc_->hasNode(QString::fromStdString(n.name)))
      return "the name '" + QString::fromStdString(n.name) + "' is already used";
  for (size_t i = 0; i < fragment_.nodes.size(); ++i) {
    const NodeSpec& n = fragment_.nodes[i];
    doc_->insertNode(n, fragment_.positions[n.name] + offset_, -1, ids_[i]);
  }
  return {};
}

void PasteCommand::revert() {
  for (auto it = ids_.rbegin(); it != ids_.rend(); ++it) doc_->removeNode(*it);
}

}  // namespace tessel::ui
