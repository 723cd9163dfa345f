#include "ui/editor/GraphDocument.h"

#include <algorithm>
#include <set>

#include "engine/core/Error.h"
#include "engine/graph/Blocks.h"
#include "engine/io/KerasCustomClasses.h"
#include "engine/layers/LayerRegistry.h"
#include "ui/editor/CustomClassLibrary.h"
#include "ui/editor/GraphLayout.h"

namespace tessel::ui {

namespace {

std::string s(const QString& q) {
  return q.toStdString();
}
QString q(const std::string& v) {
  return QString::fromStdString(v);
}

}  // namespace

GraphDocument::GraphDocument(QObject* parent) : QObject(parent) {
  revalidate();
}

QString GraphDocument::noLayer(const QString& name) {
  return "no layer named '" + name + "'";
}

int GraphDocument::indexOf(NodeId id) const {
  if (id == kInvalidNodeId) return -1;
  auto it = idIndex_.find(id);
  if (it != idIndex_.end() && *it < static_cast<int>(ids_.size()) && ids_[*it] == id) return *it;
  for (size_t i = 0; i < ids_.size(); ++i)
    if (ids_[i] == id) return static_cast<int>(i);
  return -1;
}

int GraphDocument::indexOfName(const std::string& name) const {
  auto it = nameIndex_.find(q(name));
  if (it != nameIndex_.end() && *it < static_cast<int>(spec_.nodes.size()) &&
      spec_.nodes[*it].name == name)
    return *it;
  for (size_t i = 0; i < spec_.nodes.size(); ++i)
    if (spec_.nodes[i].name == name) return static_cast<int>(i);
  return -1;
}

NodeId GraphDocument::idOfName(const std::string& name) const {
  const int i = indexOfName(name);
  return i < 0 ? kInvalidNodeId : ids_[i];
}

NodeId GraphDocument::idOf(const QString& name) const {
  return idOfName(s(name));
}

QString GraphDocument::nameOf(NodeId id) const {
  const int i = indexOf(id);
  return i < 0 ? QString() : q(spec_.nodes[i].name);
}

QStringList GraphDocument::nodeNames() const {
  QStringList out;
  for (const auto& n : spec_.nodes) out << q(n.name);
  return out;
}

const NodeSpec* GraphDocument::node(NodeId id) const {
  const int i = indexOf(id);
  return i < 0 ? nullptr : &spec_.nodes[i];
}

QPointF GraphDocument::position(NodeId id) const {
  auto it = positions_.find(id);
  return it == positions_.end() ? QPointF() : it->second;
}

int GraphDocument::edgeCount() const {
  int n = 0;
  for (const auto& node : spec_.nodes) n += static_cast<int>(node.inputs.size());
  return n;
}

std::vector<std::pair<NodeId, int>> GraphDocument::consumers(NodeId id) const {
  std::vector<std::pair<NodeId, int>> out;
  const int index = indexOf(id);
  if (index < 0) return out;
  const std::string& name = spec_.nodes[index].name;
  for (size_t i = 0; i < spec_.nodes.size(); ++i) {
    const auto& inputs = spec_.nodes[i].inputs;
    for (size_t p = 0; p < inputs.size(); ++p)
      if (inputs[p] == name) out.emplace_back(ids_[i], static_cast<int>(p));
  }
  return out;
}

int GraphDocument::inputOutput(NodeId to, int port) const {
  const NodeSpec* n = node(to);
  return n && port >= 0 ? n->inputTensor(static_cast<size_t>(port)) : 0;
}

QStringList GraphDocument::outputNames(NodeId id) const {
  // Inferred with one output: no need to build the layer again (the scene asks for every node).
  if (const NodeShapes* shapes = nodeShapes(id);
      shapes && shapes->output && shapes->outputs.empty())
    return {QStringLiteral("output")};
  QStringList out;
  if (const NodeSpec* n = node(id))
    for (const std::string& name : nodeOutputNames(*n)) out << q(name);
  if (out.isEmpty()) out << QStringLiteral("output");
  return out;
}

NodeId GraphDocument::createNode(const QString& className, QPointF pos, QString* error, NodeId id) {
  const LayerInfo* info = LayerRegistry::instance().find(s(className));
  if (!info) {
    // A project custom class (palette "Custom"): a CustomLayer with the class's weights and call.
    if (auto def = CustomClassLibrary::instance().find(className)) {
      NodeSpec node;
      node.className = "CustomLayer";
      node.name = spec_.uniqueName(ModelSpec::defaultBaseName(s(className)));
      json config = customLayerConfigFor(s(className), *def);
      config["name"] = node.name;
      try {
        node.config = LayerRegistry::instance().completeConfig(node.className, config, node.name);
      } catch (const Error& e) {
        if (error) *error = QString::fromUtf8(e.what());
        return kInvalidNodeId;
      }
      return insertNode(node, pos, -1, id);
    }
    if (error) *error = "layer type '" + className + "' is not supported";
    return kInvalidNodeId;
  }
  NodeSpec node;
  node.className = info->className;
  node.name = spec_.uniqueName(ModelSpec::defaultBaseName(node.className));
  json config = json::object();
  for (const auto& p : info->params)
    if (p.required || !p.suggested.is_null())
      config[p.key] = p.suggested.is_null() ? p.defaultValue : p.suggested;
  config["name"] = node.name;
  try {
    // Keras writes every key of get_config(): store the completed config.
    node.config = LayerRegistry::instance().completeConfig(node.className, config, node.name);
  } catch (const Error& e) {
    if (error) *error = QString::fromUtf8(e.what());
    return kInvalidNodeId;
  }
  if (node.isInput()) {
    Shape shape{kNone};
    for (const auto& d : config["batch_input_shape"])
      if (!d.is_null()) shape.push_back(d.get<Index>());
    NodeSpec input = makeInputLayerNode(node.name, shape);
    node.config = input.config;
  }
  return insertNode(node, pos, -1, id);
}

QString GraphDocument::addNode(const QString& className, QPointF pos, QString* error) {
  return nameOf(createNode(className, pos, error));
}

NodeId GraphDocument::insertNode(const NodeSpec& node, QPointF pos, int index, NodeId id) {
  if (id == kInvalidNodeId || hasNode(id)) id = newNodeId();
  NodeSpec copy = node;
  copy.config["name"] = copy.name;
  if (index < 0 || index > static_cast<int>(spec_.nodes.size()))
    index = static_cast<int>(spec_.nodes.size());
  spec_.nodes.insert(spec_.nodes.begin() + index, copy);
  ids_.insert(ids_.begin() + index, id);
  positions_[id] = pos;
  syncIo();
  emit nodeAdded(id);
  for (size_t p = 0; p < copy.inputs.size(); ++p)
    if (NodeId from = idOfName(copy.inputs[p]); from != kInvalidNodeId)
      emit edgeAdded(from, id, static_cast<int>(p));
  revalidate();
  return id;
}

GraphDocument::RemovedNode GraphDocument::removeNode(NodeId id) {
  RemovedNode removed;
  const int index = indexOf(id);
  if (index < 0) return removed;
  removed.id = id;
  removed.index = index;
  removed.node = spec_.nodes[index];
  removed.pos = position(id);
  removed.consumers = consumers(id);
  for (const auto& [consumer, port] : removed.consumers)
    removed.consumerOutputs.push_back(inputOutput(consumer, port));
  // Edges out of the node: erase from the highest port down so lower ports keep their index.
  for (auto it = removed.consumers.rbegin(); it != removed.consumers.rend(); ++it) {
    NodeSpec& c = spec_.nodes[indexOf(it->first)];
    c.eraseInput(static_cast<size_t>(it->second));
    emit edgeRemoved(id, it->first, it->second);
  }
  for (size_t p = removed.node.inputs.size(); p-- > 0;)
    if (NodeId from = idOfName(removed.node.inputs[p]); from != kInvalidNodeId)
      emit edgeRemoved(from, id, static_cast<int>(p));
  spec_.nodes.erase(spec_.nodes.begin() + index);
  ids_.erase(ids_.begin() + index);
  positions_.erase(id);
  removed.groups = spec_.groups;
  forgetNodeInBlocks(spec_, removed.node.name);
  syncIo();
  emit nodeRemoved(id);
  if (removed.groups != spec_.groups) emit groupsChanged();
  revalidate();
  return removed;
}

void GraphDocument::restoreNode(const RemovedNode& removed) {
  if (removed.index < 0 || removed.id == kInvalidNodeId || hasNode(removed.id)) return;
  const NodeSpec& node = removed.node;
  const size_t at = std::min<size_t>(removed.index, spec_.nodes.size());
  spec_.nodes.insert(spec_.nodes.begin() + static_cast<long>(at), node);
  ids_.insert(ids_.begin() + static_cast<long>(at), removed.id);
  positions_[removed.id] = removed.pos;
  emit nodeAdded(removed.id);
  for (size_t p = 0; p < node.inputs.size(); ++p)
    if (NodeId from = idOfName(node.inputs[p]); from != kInvalidNodeId)
      emit edgeAdded(from, removed.id, static_cast<int>(p));
  for (size_t k = 0; k < removed.consumers.size(); ++k) {
    const auto& [consumer, port] = removed.consumers[k];
    const int ci = indexOf(consumer);
    if (ci < 0) continue;
    const size_t p = std::min<size_t>(port, spec_.nodes[ci].inputs.size());
    spec_.nodes[ci].insertInput(
        p, node.name, k < removed.consumerOutputs.size() ? removed.consumerOutputs[k] : 0);
    emit edgeAdded(removed.id, consumer, static_cast<int>(p));
  }
  if (removed.groups != spec_.groups) {
    spec_.groups = removed.groups;
    emit groupsChanged();
  }
  syncIo();
  revalidate();
}

bool GraphDocument::reaches(NodeId from, NodeId target) const {
  // Follows edges producer -> consumer starting at `from`.
  std::set<NodeId> seen;
  std::vector<NodeId> stack{from};
  while (!stack.empty()) {
    NodeId cur = stack.back();
    stack.pop_back();
    if (cur == target) return true;
    if (!seen.insert(cur).second) continue;
    for (const auto& [consumer, port] : consumers(cur)) stack.push_back(consumer);
  }
  return false;
}

QString GraphDocument::canConnect(NodeId from, NodeId to, int port, int output) const {
  const NodeSpec* src = node(from);
  const NodeSpec* dst = node(to);
  if (!src || !dst) return tr("the layer is no longer in the model");
  const QString fromName = q(src->name), toName = q(dst->name);
  if (from == to) return "cannot connect '" + fromName + "' to itself";
  if (output < 0 || output >= outputNames(from).size())
    return "'" + fromName + "' has no output " + QString::number(output);
  const LayerInfo* info = LayerRegistry::instance().find(dst->className);
  const int maxInputs = info ? info->maxInputs : 1;
  if (maxInputs == 0) return "'" + toName + "' (" + q(dst->className) + ") takes no input";
  const int n = static_cast<int>(dst->inputs.size());
  if (maxInputs > 0 && n >= maxInputs) {
    if (maxInputs == 1)
      return "the input of '" + toName + "' is already connected (from '" + q(dst->inputs[0]) +
             "')";
    return "'" + toName + "' already has its " + QString::number(maxInputs) + " inputs";
  }
  (void)port;
  if (reaches(to, from))
    return "connecting '" + fromName + "' to '" + toName + "' would make a cycle";
  return {};
}

QString GraphDocument::connect(NodeId from, NodeId to, int port, int* usedPort, int output) {
  QString why = canConnect(from, to, port, output);
  if (!why.isEmpty()) return why;
  NodeSpec& dst = spec_.nodes[indexOf(to)];
  const int n = static_cast<int>(dst.inputs.size());
  if (port < 0 || port > n) port = n;
  dst.insertInput(static_cast<size_t>(port), node(from)->name, output);
  if (usedPort) *usedPort = port;
  syncIo();
  emit edgeAdded(from, to, port);
  revalidate();
  return {};
}

QString GraphDocument::connect(const QString& from, const QString& to, int port) {
  if (!hasNode(from)) return noLayer(from);
  if (!hasNode(to)) return noLayer(to);
  return connect(idOf(from), idOf(to), port);
}

QString GraphDocument::disconnect(NodeId from, NodeId to, int port) {
  const int di = indexOf(to);
  const NodeSpec* src = node(from);
  if (di < 0 || !src) return tr("the layer is no longer in the model");
  NodeSpec& dst = spec_.nodes[di];
  if (port < 0 || port >= static_cast<int>(dst.inputs.size()) || dst.inputs[port] != src->name)
    return "no edge from '" + q(src->name) + "' into port " + QString::number(port) + " of '" +
           q(dst.name) + "'";
  dst.eraseInput(static_cast<size_t>(port));
  syncIo();
  emit edgeRemoved(from, to, port);
  revalidate();
  return {};
}

QString GraphDocument::disconnect(const QString& from, const QString& to, int port) {
  if (!hasNode(from)) return noLayer(from);
  if (!hasNode(to)) return noLayer(to);
  return disconnect(idOf(from), idOf(to), port);
}

QString GraphDocument::validateConfig(NodeId id, const std::string& key, const json& value) const {
  const NodeSpec* n = node(id);
  if (!n) return tr("the layer is no longer in the model");
  if (key == "name")
    return value.is_string() ? canRename(id, q(value.get<std::string>()))
                             : tr("a layer name must be a string");
  json config = n->config;
  config[key] = value;
  try {
    LayerRegistry::instance().completeConfig(n->className, config, n->name);
  } catch (const SpecError& e) {
    return QString::fromStdString(e.detail());
  } catch (const Error& e) {
    return QString::fromUtf8(e.what());
  }
  return {};
}

QString GraphDocument::setConfig(NodeId id, const std::string& key,
                                 const std::optional<json>& value) {
  const int index = indexOf(id);
  if (index < 0) return tr("the layer is no longer in the model");
  if (key == "name") {
    if (!value || !value->is_string()) return tr("a layer name must be a string");
    return rename(id, q(value->get<std::string>()));
  }
  if (value) {
    QString why = validateConfig(id, key, *value);
    if (!why.isEmpty()) return why;
    spec_.nodes[index].config[key] = *value;
  } else {
    spec_.nodes[index].config.erase(key);
  }
  emit nodeChanged(id);
  revalidate();
  return {};
}

QString GraphDocument::setConfigs(
    const std::string& key, const std::vector<std::pair<NodeId, std::optional<json>>>& values) {
  if (key == "name") return tr("layers are renamed one at a time");
  for (const auto& [id, value] : values) {
    if (indexOf(id) < 0) return tr("the layer is no longer in the model");
    if (value)
      if (QString why = validateConfig(id, key, *value); !why.isEmpty()) return why;
  }
  for (const auto& [id, value] : values) {
    json& config = spec_.nodes[indexOf(id)].config;
    if (value)
      config[key] = *value;
    else
      config.erase(key);
  }
  for (const auto& [id, value] : values) emit nodeChanged(id);
  revalidate();
  return {};
}

QString GraphDocument::setConfig(const QString& name, const std::string& key,
                                 const std::optional<json>& value) {
  if (!hasNode(name)) return noLayer(name);
  return setConfig(idOf(name), key, value);
}

QString GraphDocument::canRename(NodeId id, const QString& newName) const {
  const NodeSpec* n = node(id);
  if (!n) return tr("the layer is no longer in the model");
  if (newName.trimmed().isEmpty()) return "a layer name must not be empty";
  if (newName != newName.trimmed()) return "a layer name must not start or end with spaces";
  const NodeId other = idOf(newName);
  if (other != kInvalidNodeId && other != id)
    return "the name '" + newName + "' is already used by another layer";
  if (findBlock(spec_, s(newName))) return "the name '" + newName + "' is used by a block";
  return {};
}

QString GraphDocument::rename(NodeId id, const QString& newName) {
  QString why = canRename(id, newName);
  if (!why.isEmpty()) return why;
  const int index = indexOf(id);
  const std::string o = spec_.nodes[index].name, n = s(newName);
  if (o == n) return {};
  spec_.nodes[index].name = n;
  spec_.nodes[index].config["name"] = n;
  for (auto& other : spec_.nodes)
    for (auto& in : other.inputs)
      if (in == o) in = n;
  for (auto& in : spec_.inputs)
    if (in == o) in = n;
  for (auto& out : spec_.outputs)
    if (out == o) out = n;
  renameNodeInBlocks(spec_, o, n);
  emit nodeRenamed(id, q(o), newName);
  revalidate();
  return {};
}

QString GraphDocument::rename(const QString& oldName, const QString& newName) {
  if (!hasNode(oldName)) return noLayer(oldName);
  return rename(idOf(oldName), newName);
}

void GraphDocument::moveNode(NodeId id, QPointF pos) {
  auto it = positions_.find(id);
  if (it == positions_.end() || it->second == pos) return;
  it->second = pos;
  emit nodeMoved(id, pos);
}

GraphDocument::IoState GraphDocument::io() const {
  IoState state;
  for (const auto& name : spec_.inputs) state.inputs.push_back(idOfName(name));
  for (const auto& name : spec_.outputs) state.outputs.push_back(idOfName(name));
  return state;
}

void GraphDocument::setIo(const IoState& io) {
  auto names = [this](const std::vector<NodeId>& ids) {
    std::vector<std::string> out;
    for (NodeId id : ids)
      if (const NodeSpec* n = node(id)) out.push_back(n->name);
    return out;
  };
  std::map<std::string, int> tensors;  // outputs keep the tensor they read
  for (size_t i = 0; i < spec_.outputs.size(); ++i)
    tensors[spec_.outputs[i]] = spec_.outputTensor(i);
  spec_.inputs = names(io.inputs);
  spec_.outputs = names(io.outputs);
  spec_.outputTensors.clear();
  for (size_t i = 0; i < spec_.outputs.size(); ++i)
    spec_.setOutputTensor(i, tensors[spec_.outputs[i]]);
  revalidate();
}

void GraphDocument::syncIo() {
  // Inputs: every InputLayer; outputs: every node nobody reads. Entries that still qualify keep
  // their place (the order is the model's input/output order), new ones are appended.
  std::set<std::string> consumed;
  for (const auto& n : spec_.nodes)
    for (const auto& in : n.inputs) consumed.insert(in);
  auto isInput = [&](const std::string& name) {
    const NodeSpec* n = spec_.find(name);
    return n && n->isInput();
  };
  auto isOutput = [&](const std::string& name) {
    return spec_.find(name) && !consumed.count(name);
  };
  auto update = [&](std::vector<std::string>& list, auto qualifies) {
    std::vector<std::string> out;
    for (const auto& name : list)
      if (qualifies(name) && std::find(out.begin(), out.end(), name) == out.end())
        out.push_back(name);
    for (const auto& n : spec_.nodes)
      if (qualifies(n.name) && std::find(out.begin(), out.end(), n.name) == out.end())
        out.push_back(n.name);
    list = std::move(out);
  };
  std::map<std::string, int> tensors;  // outputs that stay keep the tensor they read
  for (size_t i = 0; i < spec_.outputs.size(); ++i)
    tensors[spec_.outputs[i]] = spec_.outputTensor(i);
  update(spec_.inputs, isInput);
  update(spec_.outputs, isOutput);
  spec_.outputTensors.clear();
  for (size_t i = 0; i < spec_.outputs.size(); ++i)
    spec_.setOutputTensor(i, tensors.count(spec_.outputs[i]) ? tensors[spec_.outputs[i]] : 0);
}

void GraphDocument::reindex() {
  nameIndex_.clear();
  idIndex_.clear();
  for (size_t i = 0; i < spec_.nodes.size(); ++i) {
    nameIndex_.insert(q(spec_.nodes[i].name), static_cast<int>(i));
    idIndex_.insert(ids_[i], static_cast<int>(i));
  }
}

void GraphDocument::revalidate() {
  try {
    report_ = inferShapes(spec_);
  } catch (const std::exception& e) {
    report_ = ShapeReport{};
    report_.errors.emplace_back(SpecErrorKind::Other, "", e.what());
  }
  reindex();
  reportIndex_.clear();
  for (size_t i = 0; i < report_.nodes.size(); ++i)
    if (NodeId id = idOfName(report_.nodes[i].first); id != kInvalidNodeId)
      reportIndex_.insert(id, static_cast<int>(i));
  errors_.clear();
  modelErrors_.clear();
  for (const auto& e : report_.errors) {
    const QString detail = QString::fromStdString(e.detail());
    const NodeId id = e.node().empty() ? kInvalidNodeId : idOfName(e.node());
    if (id == kInvalidNodeId) {
      modelErrors_ << QString::fromUtf8(e.what());
      continue;
    }
    QString& text = errors_[id];
    if (!text.contains(detail)) text += (text.isEmpty() ? "" : "\n") + detail;
  }
  emit validated();
}

const NodeShapes* GraphDocument::nodeShapes(NodeId id) const {
  auto it = reportIndex_.find(id);
  return it == reportIndex_.end() ? nullptr : &report_.nodes[*it].second;
}

QString GraphDocument::outputShapeText(NodeId id, int output) const {
  const NodeShapes* shapes = nodeShapes(id);
  const std::optional<Shape> shape =
      shapes && output >= 0 ? shapes->outputAt(static_cast<size_t>(output)) : std::nullopt;
  return shape ? q(shapeToString(*shape)) : QString();
}

bool GraphDocument::outputMasked(NodeId id, int output) const {
  const NodeShapes* shapes = nodeShapes(id);
  return shapes && output >= 0 && shapes->maskedAt(static_cast<size_t>(output));
}

QString GraphDocument::errorText(NodeId id) const {
  return errors_.value(id);
}

QStringList GraphDocument::modelErrors() const {
  return modelErrors_;
}

json GraphDocument::toJson() const {
  json doc = spec_.toKerasJson();
  json layout = json::object();
  for (size_t i = 0; i < spec_.nodes.size(); ++i) {
    const QPointF p = position(ids_[i]);
    layout[spec_.nodes[i].name] = json::array({p.x(), p.y()});
  }
  doc["tessel_layout"] = layout;
  return doc;
}

QString GraphDocument::toJsonString() const {
  return q(toJson().dump(1));
}

void GraphDocument::fromJson(const json& doc) {
  json topology = doc;
  std::map<std::string, QPointF> positions;
  if (topology.is_object() && topology.contains("tessel_layout")) {
    for (const auto& [name, xy] : topology["tessel_layout"].items())
      if (xy.is_array() && xy.size() == 2 && xy[0].is_number() && xy[1].is_number())
        positions[name] = QPointF(xy[0].get<double>(), xy[1].get<double>());
    topology.erase("tessel_layout");
  }
  setModel(ModelSpec::fromKerasJson(topology), positions);
}

void GraphDocument::setModel(const ModelSpec& spec,
                             const std::map<std::string, QPointF>& positions) {
  spec_ = spec;
  positions_.clear();
  ids_.clear();
  std::map<std::string, QPointF> layered;
  bool needLayout = false;
  for (const auto& n : spec_.nodes)
    if (!positions.count(n.name)) needLayout = true;
  if (needLayout) layered = GraphLayout::layered(spec_);
  // New identities: ids are never reused, so a command of an earlier model finds no node.
  for (const auto& n : spec_.nodes) {
    const NodeId id = newNodeId();
    ids_.push_back(id);
    auto it = positions.find(n.name);
    positions_[id] = it != positions.end() ? it->second : layered[n.name];
  }
  reindex();
  syncIo();
  emit modelReset();
  revalidate();
}

QString GraphDocument::addGroup(const BlockSpec& block) {
  if (const std::string why = checkNewBlock(spec_, block); !why.empty()) return q(why);
  addBlock(spec_, block);
  emit groupsChanged();
  return {};
}

void GraphDocument::setGroups(const std::vector<BlockSpec>& groups) {
  if (groups == spec_.groups) return;
  spec_.groups = groups;
  emit groupsChanged();
}

QString GraphDocument::setGroupCollapsed(const QString& block, bool collapsed) {
  for (BlockSpec& b : spec_.groups)
    if (b.name == s(block)) {
      if (b.collapsed == collapsed) return {};
      b.collapsed = collapsed;
      emit groupsChanged();
      return {};
    }
  return "no block named '" + block + "'";
}

void GraphDocument::clear() {
  setModel(ModelSpec{});
}

}  // namespace tessel::ui
