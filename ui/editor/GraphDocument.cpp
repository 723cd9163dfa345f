#include "ui/editor/GraphDocument.h"

#include <algorithm>
#include <set>

#include "engine/core/Error.h"
#include "engine/layers/LayerRegistry.h"

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

QStringList GraphDocument::nodeNames() const {
  QStringList out;
  for (const auto& n : spec_.nodes) out << q(n.name);
  return out;
}

bool GraphDocument::hasNode(const QString& name) const {
  return spec_.find(s(name)) != nullptr;
}

const NodeSpec* GraphDocument::node(const QString& name) const {
  auto it = nodeIndex_.find(name);
  if (it != nodeIndex_.end() && *it < static_cast<int>(spec_.nodes.size()) &&
      q(spec_.nodes[*it].name) == name)
    return &spec_.nodes[*it];
  return spec_.find(s(name));
}

QPointF GraphDocument::position(const QString& name) const {
  auto it = positions_.find(s(name));
  return it == positions_.end() ? QPointF() : it->second;
}

int GraphDocument::edgeCount() const {
  int n = 0;
  for (const auto& node : spec_.nodes) n += static_cast<int>(node.inputs.size());
  return n;
}

std::vector<std::pair<std::string, int>> GraphDocument::consumers(const std::string& name) const {
  std::vector<std::pair<std::string, int>> out;
  for (const auto& n : spec_.nodes)
    for (size_t p = 0; p < n.inputs.size(); ++p)
      if (n.inputs[p] == name) out.emplace_back(n.name, static_cast<int>(p));
  return out;
}

int GraphDocument::indexOf(const std::string& name) const {
  for (size_t i = 0; i < spec_.nodes.size(); ++i)
    if (spec_.nodes[i].name == name) return static_cast<int>(i);
  return -1;
}

QString GraphDocument::addNode(const QString& className, QPointF pos, QString* error) {
  const LayerInfo* info = LayerRegistry::instance().find(s(className));
  if (!info) {
    if (error) *error = "layer type '" + className + "' is not supported";
    return {};
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
    return {};
  }
  if (node.className == "InputLayer") {
    Shape shape{kNone};
    for (const auto& d : config["batch_input_shape"])
      if (!d.is_null()) shape.push_back(d.get<Index>());
    NodeSpec input = makeInputLayerNode(node.name, shape);
    node.config = input.config;
  }
  return insertNode(node, pos);
}

QString GraphDocument::insertNode(const NodeSpec& node, QPointF pos, int index) {
  NodeSpec copy = node;
  copy.config["name"] = copy.name;
  if (index < 0 || index > static_cast<int>(spec_.nodes.size()))
    index = static_cast<int>(spec_.nodes.size());
  spec_.nodes.insert(spec_.nodes.begin() + index, copy);
  positions_[copy.name] = pos;
  syncIo();
  emit nodeAdded(q(copy.name));
  for (size_t p = 0; p < copy.inputs.size(); ++p)
    emit edgeAdded(q(copy.inputs[p]), q(copy.name), static_cast<int>(p));
  revalidate();
  return q(copy.name);
}

GraphDocument::RemovedNode GraphDocument::removeNode(const QString& name) {
  RemovedNode removed;
  const int index = indexOf(s(name));
  if (index < 0) return removed;
  removed.index = index;
  removed.node = spec_.nodes[index];
  removed.pos = position(name);
  removed.consumers = consumers(removed.node.name);
  // Edges out of the node: erase from the highest port down so lower ports keep their index.
  for (auto it = removed.consumers.rbegin(); it != removed.consumers.rend(); ++it) {
    NodeSpec* c = spec_.find(it->first);
    c->inputs.erase(c->inputs.begin() + it->second);
    emit edgeRemoved(name, q(it->first), it->second);
  }
  for (size_t p = removed.node.inputs.size(); p-- > 0;)
    emit edgeRemoved(q(removed.node.inputs[p]), name, static_cast<int>(p));
  spec_.nodes.erase(spec_.nodes.begin() + index);
  positions_.erase(removed.node.name);
  syncIo();
  emit nodeRemoved(name);
  revalidate();
  return removed;
}

void GraphDocument::restoreNode(const RemovedNode& removed) {
  if (removed.index < 0) return;
  NodeSpec node = removed.node;
  spec_.nodes.insert(spec_.nodes.begin() + std::min<size_t>(removed.index, spec_.nodes.size()),
                     node);
  positions_[node.name] = removed.pos;
  const QString name = q(node.name);
  emit nodeAdded(name);
  for (size_t p = 0; p < node.inputs.size(); ++p)
    emit edgeAdded(q(node.inputs[p]), name, static_cast<int>(p));
  for (const auto& [consumer, port] : removed.consumers) {
    NodeSpec* c = spec_.find(consumer);
    if (!c) continue;
    const size_t at = std::min<size_t>(port, c->inputs.size());
    c->inputs.insert(c->inputs.begin() + at, node.name);
    emit edgeAdded(name, q(consumer), static_cast<int>(at));
  }
  syncIo();
  revalidate();
}

bool GraphDocument::reaches(const std::string& from, const std::string& target) const {
  // Follows edges producer -> consumer starting at `from`.
  std::set<std::string> seen;
  std::vector<std::string> stack{from};
  while (!stack.empty()) {
    std::string cur = stack.back();
    stack.pop_back();
    if (cur == target) return true;
    if (!seen.insert(cur).second) continue;
    for (const auto& [consumer, port] : consumers(cur)) stack.push_back(consumer);
  }
  return false;
}

QString GraphDocument::canConnect(const QString& from, const QString& to, int port) const {
  const NodeSpec* src = spec_.find(s(from));
  const NodeSpec* dst = spec_.find(s(to));
  if (!src) return "no layer named '" + from + "'";
  if (!dst) return "no layer named '" + to + "'";
  if (from == to) return "cannot connect '" + from + "' to itself";
  const LayerInfo* info = LayerRegistry::instance().find(dst->className);
  const int maxInputs = info ? info->maxInputs : 1;
  if (maxInputs == 0) return "'" + to + "' (" + q(dst->className) + ") takes no input";
  const int n = static_cast<int>(dst->inputs.size());
  if (maxInputs > 0 && n >= maxInputs) {
    if (maxInputs == 1)
      return "the input of '" + to + "' is already connected (from '" + q(dst->inputs[0]) + "')";
    return "'" + to + "' already has its " + QString::number(maxInputs) + " inputs";
  }
  (void)port;
  if (reaches(s(to), s(from)))
    return "connecting '" + from + "' to '" + to + "' would make a cycle";
  return {};
}

QString GraphDocument::connect(const QString& from, const QString& to, int port, int* usedPort) {
  QString why = canConnect(from, to, port);
  if (!why.isEmpty()) return why;
  NodeSpec* dst = spec_.find(s(to));
  const int n = static_cast<int>(dst->inputs.size());
  if (port < 0 || port > n) port = n;
  dst->inputs.insert(dst->inputs.begin() + port, s(from));
  if (usedPort) *usedPort = port;
  syncIo();
  emit edgeAdded(from, to, port);
  revalidate();
  return {};
}

QString GraphDocument::disconnect(const QString& from, const QString& to, int port) {
  NodeSpec* dst = spec_.find(s(to));
  if (!dst) return "no layer named '" + to + "'";
  if (port < 0 || port >= static_cast<int>(dst->inputs.size()) || dst->inputs[port] != s(from))
    return "no edge from '" + from + "' into port " + QString::number(port) + " of '" + to + "'";
  dst->inputs.erase(dst->inputs.begin() + port);
  syncIo();
  emit edgeRemoved(from, to, port);
  revalidate();
  return {};
}

QString GraphDocument::validateConfig(const QString& name, const std::string& key,
                                      const json& value) const {
  const NodeSpec* n = spec_.find(s(name));
  if (!n) return "no layer named '" + name + "'";
  if (key == "name") return "use rename to change a layer's name";
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

QString GraphDocument::setConfig(const QString& name, const std::string& key,
                                 const std::optional<json>& value) {
  NodeSpec* n = spec_.find(s(name));
  if (!n) return "no layer named '" + name + "'";
  if (value) {
    QString why = validateConfig(name, key, *value);
    if (!why.isEmpty()) return why;
    n->config[key] = *value;
  } else {
    if (key == "name") return "use rename to change a layer's name";
    n->config.erase(key);
  }
  emit nodeChanged(name);
  revalidate();
  return {};
}

QString GraphDocument::canRename(const QString& oldName, const QString& newName) const {
  if (!spec_.find(s(oldName))) return "no layer named '" + oldName + "'";
  if (newName.trimmed().isEmpty()) return "a layer name must not be empty";
  if (newName != newName.trimmed()) return "a layer name must not start or end with spaces";
  if (newName != oldName && spec_.find(s(newName)))
    return "the name '" + newName + "' is already used by another layer";
  return {};
}

QString GraphDocument::rename(const QString& oldName, const QString& newName) {
  QString why = canRename(oldName, newName);
  if (!why.isEmpty()) return why;
  if (oldName == newName) return {};
  const std::string o = s(oldName), n = s(newName);
  NodeSpec* node = spec_.find(o);
  node->name = n;
  node->config["name"] = n;
  for (auto& other : spec_.nodes)
    for (auto& in : other.inputs)
      if (in == o) in = n;
  for (auto& in : spec_.inputs)
    if (in == o) in = n;
  for (auto& out : spec_.outputs)
    if (out == o) out = n;
  auto pos = positions_.extract(o);
  if (!pos.empty()) {
    pos.key() = n;
    positions_.insert(std::move(pos));
  }
  emit nodeRenamed(oldName, newName);
  revalidate();
  return {};
}

void GraphDocument::moveNode(const QString& name, QPointF pos) {
  auto it = positions_.find(s(name));
  if (it == positions_.end() || it->second == pos) return;
  it->second = pos;
  emit nodeMoved(name, pos);
}

void GraphDocument::setIo(const IoState& io) {
  spec_.inputs = io.inputs;
  spec_.outputs = io.outputs;
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
    return n && n->className == "InputLayer";
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
  update(spec_.inputs, isInput);
  update(spec_.outputs, isOutput);
}

void GraphDocument::revalidate() {
  try {
    report_ = inferShapes(spec_);
  } catch (const std::exception& e) {
    report_ = ShapeReport{};
    report_.errors.emplace_back(SpecErrorKind::Other, "", e.what());
  }
  nodeIndex_.clear();
  for (size_t i = 0; i < spec_.nodes.size(); ++i)
    nodeIndex_.insert(q(spec_.nodes[i].name), static_cast<int>(i));
  reportIndex_.clear();
  for (size_t i = 0; i < report_.nodes.size(); ++i)
    reportIndex_.insert(q(report_.nodes[i].first), static_cast<int>(i));
  errors_.clear();
  modelErrors_.clear();
  for (const auto& e : report_.errors) {
    const QString detail = QString::fromStdString(e.detail());
    if (e.node().empty() || !spec_.find(e.node())) {
      modelErrors_ << QString::fromUtf8(e.what());
      continue;
    }
    QString& text = errors_[q(e.node())];
    if (!text.contains(detail)) text += (text.isEmpty() ? "" : "\n") + detail;
  }
  emit validated();
}

const NodeShapes* GraphDocument::nodeShapes(const QString& name) const {
  auto it = reportIndex_.find(name);
  return it == reportIndex_.end() ? nullptr : &report_.nodes[*it].second;
}

QString GraphDocument::outputShapeText(const QString& name) const {
  const NodeShapes* shapes = nodeShapes(name);
  if (!shapes || !shapes->output) return {};
  return q(shapeToString(*shapes->output));
}

QString GraphDocument::errorText(const QString& name) const {
  return errors_.value(name);
}

QStringList GraphDocument::modelErrors() const {
  return modelErrors_;
}

json GraphDocument::toJson() const {
  json doc = spec_.toKerasJson();
  json layout = json::object();
  for (const auto& n : spec_.nodes) {
    QPointF p = position(q(n.name));
    layout[n.name] = json::array({p.x(), p.y()});
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
  std::map<std::string, QPointF> layered;
  bool needLayout = false;
  for (const auto& n : spec_.nodes)
    if (!positions.count(n.name)) needLayout = true;
  if (needLayout) layered = layeredLayout(spec_);
  for (const auto& n : spec_.nodes) {
    auto it = positions.find(n.name);
    positions_[n.name] = it != positions.end() ? it->second : layered[n.name];
  }
  syncIo();
  emit modelReset();
  revalidate();
}

void GraphDocument::clear() {
  setModel(ModelSpec{});
}

std::map<std::string, QPointF> GraphDocument::layeredLayout(const ModelSpec& spec) {
  constexpr double kColumn = 300, kRow = 110;
  std::map<std::string, int> depth;
  std::vector<std::string> order;
  try {
    order = topologicalOrder(spec);
  } catch (const Error&) {
    for (const auto& n : spec.nodes) order.push_back(n.name);
  }
  for (const auto& name : order) {
    int d = 0;
    if (const NodeSpec* n = spec.find(name))
      for (const auto& in : n->inputs)
        if (depth.count(in)) d = std::max(d, depth[in] + 1);
    depth[name] = d;
  }
  for (const auto& n : spec.nodes)
    if (!depth.count(n.name)) depth[n.name] = 0;
  int maxDepth = 0;
  for (const auto& [name, d] : depth) maxDepth = std::max(maxDepth, d);
  // Sugiyama-style columns: an edge spanning several columns gets a placeholder in each column
  // it crosses, so the nodes in between move aside instead of sitting on the edge.
  struct Entry {
    std::string id;                  // node name, or "\x01..." for a placeholder
    std::vector<std::string> preds;  // ids in the previous column
  };
  std::vector<std::vector<Entry>> columns(maxDepth + 1);
  for (const auto& n : spec.nodes) {
    Entry e{n.name, {}};
    const int d = depth[n.name];
    for (const auto& in : n.inputs) {
      if (!depth.count(in)) continue;
      std::string prev = in;
      for (int c = depth[in] + 1; c < d; ++c) {
        std::string id = "\x01" + in + ">" + n.name + "#" + std::to_string(c);
        columns[c].push_back(Entry{id, {prev}});
        prev = id;
      }
      e.preds.push_back(prev);
    }
    columns[d].insert(columns[d].begin() + static_cast<long>(std::count_if(
                                               columns[d].begin(), columns[d].end(),
                                               [](const Entry& x) { return x.id[0] != '\x01'; })),
                      e);
  }
  // Successors (with the consumer's input port) for the backward sweep.
  std::map<std::string, std::vector<std::pair<std::string, int>>> succ;
  for (const auto& col : columns)
    for (const auto& e : col)
      for (size_t p = 0; p < e.preds.size(); ++p) {
        // A placeholder carries the port of the edge it stands for.
        int port = static_cast<int>(p);
        if (e.id[0] == '\x01') port = 0;
        succ[e.preds[p]].emplace_back(e.id, port);
      }
  // Rows: a forward barycentre sweep (mean y of the predecessors), then a backward one (mean y
  // of the successors, offset by the input port so an edge into port 0 lies above one into
  // port 1). Real nodes come before placeholders on ties; each column is centred on y = 0.
  std::map<std::string, double> y;
  auto place = [&](std::vector<Entry>& col, const std::map<std::string, double>& key) {
    std::stable_sort(col.begin(), col.end(),
                     [&](const Entry& a, const Entry& b) { return key.at(a.id) < key.at(b.id); });
    const double top = -0.5 * (static_cast<double>(col.size()) - 1) * kRow;
    for (size_t i = 0; i < col.size(); ++i) y[col[i].id] = top + static_cast<double>(i) * kRow;
  };
  for (int c = 0; c <= maxDepth; ++c) {
    std::map<std::string, double> key;
    for (size_t i = 0; i < columns[c].size(); ++i) {
      double sum = 0;
      int count = 0;
      for (const auto& p : columns[c][i].preds)
        if (y.count(p)) sum += y[p], ++count;
      key[columns[c][i].id] = count ? sum / count : -1e9 + static_cast<double>(i);
    }
    place(columns[c], key);
  }
  for (int c = maxDepth - 1; c >= 0; --c) {
    std::map<std::string, double> key;
    for (const auto& e : columns[c]) {
      double sum = 0;
      int count = 0;
      for (const auto& [s, port] : succ[e.id]) sum += y[s] + 0.25 * kRow * port, ++count;
      key[e.id] = count ? sum / count : y[e.id];
    }
    place(columns[c], key);
  }
  // Long chains (a deep CNN) wrap into bands of at most kBand columns, each band below the
  // previous one, so a fitted view stays readable.
  constexpr int kBand = 6;
  constexpr double kBandGap = 150;
  const int ncols = maxDepth + 1;
  const int bands = (ncols + kBand - 1) / kBand;
  const int perBand = (ncols + bands - 1) / bands;
  std::vector<double> bandTop(bands, 0.0);
  double next = 0;
  for (int b = 0; b < bands; ++b) {
    double lo = 0, hi = 0;
    for (int c = b * perBand; c < std::min(ncols, (b + 1) * perBand); ++c)
      for (const auto& e : columns[c]) lo = std::min(lo, y[e.id]), hi = std::max(hi, y[e.id]);
    bandTop[b] = next - lo;
    next += (hi - lo) + kRow + kBandGap;
  }
  std::map<std::string, QPointF> out;
  for (int c = 0; c <= maxDepth; ++c)
    for (const auto& e : columns[c])
      if (e.id[0] != '\x01')
        out[e.id] = QPointF((c % perBand) * kColumn, bandTop[c / perBand] + y[e.id]);
  return out;
}

}  // namespace tessel::ui
