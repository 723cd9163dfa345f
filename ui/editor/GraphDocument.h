#pragma once
// The node-graph editor's document: an engine ModelSpec plus, per node, an identity (NodeId) and
// a position. It knows no widgets; the scene mirrors its signals and undo commands call its
// operations. Nodes are referred to by NodeId: the Keras layer name is a property that rename()
// changes without touching the node's identity, edges, position or the undo history. Every
// change re-runs shape inference, so each node's output shape and error message are always
// current. The by-name overloads resolve the name first (for code that builds models by name).
#include <QHash>
#include <QObject>
#include <QPointF>
#include <QString>
#include <QStringList>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "engine/graph/ModelSpec.h"
#include "ui/editor/NodeId.h"

namespace tessel::ui {

class GraphDocument : public QObject {
  Q_OBJECT

 public:
  // What removeNode took away, enough to put it back exactly (identity, node order, edges,
  // position).
  struct RemovedNode {
    NodeId id = kInvalidNodeId;
    NodeSpec node;
    int index = -1;
    QPointF pos;
    std::vector<std::pair<NodeId, int>> consumers;  // (consumer, port), ascending per consumer
    std::vector<BlockSpec> groups;                  // the blocks before (the node left them)
    std::vector<int> consumerOutputs;  // per consumer entry: which output of the node it read
  };
  // The model's input and output lists (their order is part of the Keras JSON).
  struct IoState {
    std::vector<NodeId> inputs;
    std::vector<NodeId> outputs;
  };

  explicit GraphDocument(QObject* parent = nullptr);

  const ModelSpec& spec() const { return spec_; }
  int edgeCount() const;

  // --- identity ---
  const std::vector<NodeId>& nodeIds() const { return ids_; }  // in spec order
  QStringList nodeNames() const;                               // in spec order
  NodeId idOf(const QString& name) const;  // kInvalidNodeId when no layer has that name
  QString nameOf(NodeId id) const;         // empty when the node is not in the document
  // A fresh identity, never given before in this document (commands reserve theirs up front).
  NodeId newNodeId() { return nextId_++; }

  // --- queries ---
  bool hasNode(NodeId id) const { return indexOf(id) >= 0; }
  bool hasNode(const QString& name) const { return idOf(name) != kInvalidNodeId; }
  const NodeSpec* node(NodeId id) const;
  const NodeSpec* node(const QString& name) const { return node(idOf(name)); }
  QPointF position(NodeId id) const;
  QPointF position(const QString& name) const { return position(idOf(name)); }
  // Nodes reading `id`'s output, with their port, in spec order.
  std::vector<std::pair<NodeId, int>> consumers(NodeId id) const;
  // Which output of its producer `to`'s input `port` reads (NodeSpec::inputTensor).
  int inputOutput(NodeId to, int port) const;
  // The outputs of a node by name ({"output"}, or {"output", "h", "c"} for LSTM return_state).
  QStringList outputNames(NodeId id) const;

  // --- operations (each returns an empty string on success, else a one-line reason) ---
  // Adds a node of `className` with a Keras auto name and the palette's suggested values for
  // required parameters, as `id` (kInvalidNodeId: a fresh one). Returns the node's id, or
  // kInvalidNodeId with `error` set.
  NodeId createNode(const QString& className, QPointF pos, QString* error = nullptr,
                    NodeId id = kInvalidNodeId);
  // The same, returning the new node's name (empty when refused).
  QString addNode(const QString& className, QPointF pos, QString* error = nullptr);
  // Adds a complete node (undo of removeNode, redo of addNode) at `index` (-1: at the end) as
  // `id` (kInvalidNodeId: a fresh one). Returns its id.
  NodeId insertNode(const NodeSpec& node, QPointF pos, int index = -1, NodeId id = kInvalidNodeId);
  RemovedNode removeNode(NodeId id);
  void restoreNode(const RemovedNode& removed);
  // Edge from `from`'s output to `to`'s input `port` (-1: the first free port; for a merge
  // layer a port inside the connected range inserts there). Refuses cycles, self loops, ports
  // already taken and layers that take no input.
  // `output` picks one output of a node with several (0 for the usual one).
  QString canConnect(NodeId from, NodeId to, int port = -1, int output = 0) const;
  QString connect(NodeId from, NodeId to, int port = -1, int* usedPort = nullptr, int output = 0);
  QString connect(const QString& from, const QString& to, int port = -1);
  // Removes the edge into `to`'s `port` (it must come from `from`).
  QString disconnect(NodeId from, NodeId to, int port);
  QString disconnect(const QString& from, const QString& to, int port);
  // Sets one property: a config key (validated by LayerRegistry::completeConfig) or "name"
  // (the Keras layer name: a rename). `value` absent removes the key (used by undo to restore a
  // config that did not have it).
  QString validateConfig(NodeId id, const std::string& key, const json& value) const;
  QString setConfig(NodeId id, const std::string& key, const std::optional<json>& value);
  QString setConfig(const QString& name, const std::string& key, const std::optional<json>& value);
  // The same config key on several layers at once (freezing a base: "trainable"), with one
  // re-validation; every value is checked first, so a refusal changes nothing. Not for "name".
  QString setConfigs(const std::string& key,
                     const std::vector<std::pair<NodeId, std::optional<json>>>& values);
  // Renames the layer; edges, model inputs/outputs and the config follow, the id stays.
  QString canRename(NodeId id, const QString& newName) const;
  QString rename(NodeId id, const QString& newName);
  QString rename(const QString& oldName, const QString& newName);
  void moveNode(NodeId id, QPointF pos);
  void moveNode(const QString& name, QPointF pos) { moveNode(idOf(name), pos); }

  IoState io() const;
  void setIo(const IoState& io);

  // --- composite blocks (engine/graph/Blocks.h; GroupCommands push these) ---
  const std::vector<BlockSpec>& groups() const { return spec_.groups; }
  QString addGroup(const BlockSpec& block);              // checkNewBlock's refusal, or empty
  void setGroups(const std::vector<BlockSpec>& groups);  // undo / redo of a grouping
  // Collapsed / expanded: how the block is drawn (saved with the model, not an undo step).
  QString setGroupCollapsed(const QString& block, bool collapsed);

  // --- validation results (refreshed after every change) ---
  const ShapeReport& report() const { return report_; }
  // The node's entry of report() in constant time (the report is a list; large graphs ask per
  // node).
  const NodeShapes* nodeShapes(NodeId id) const;
  const NodeShapes* nodeShapes(const QString& name) const { return nodeShapes(idOf(name)); }
  QString outputShapeText(NodeId id, int output = 0) const;  // "(None, 30)" or empty
  // Whether that output carries a mask (Embedding mask_zero, Masking; NodeShapes::masked).
  bool outputMasked(NodeId id, int output = 0) const;
  QString outputShapeText(const QString& name) const { return outputShapeText(idOf(name)); }
  QString errorText(NodeId id) const;  // empty when the node is fine
  QString errorText(const QString& name) const { return errorText(idOf(name)); }
  QStringList modelErrors() const;  // errors naming no node

  // --- serialisation: Keras JSON plus {"tessel_layout": {"layer name": [x, y]}} ---
  // Positions are keyed by the layer name: ids are not saved (a loaded model gets new ones).
  json toJson() const;
  QString toJsonString() const;  // toJson().dump(1)
  // Replaces the whole document. Nodes without a stored position get GraphLayout::layered's
  // placement. Throws tessel::Error on a bad topology.
  void fromJson(const json& doc);
  void setModel(const ModelSpec& spec, const std::map<std::string, QPointF>& positions = {});
  void clear();

 signals:
  void nodeAdded(tessel::ui::NodeId id);
  void nodeRemoved(tessel::ui::NodeId id);
  void nodeChanged(tessel::ui::NodeId id);  // config changed
  void nodeRenamed(tessel::ui::NodeId id, const QString& oldName, const QString& newName);
  void nodeMoved(tessel::ui::NodeId id, QPointF pos);
  void edgeAdded(tessel::ui::NodeId from, tessel::ui::NodeId to, int port);
  void edgeRemoved(tessel::ui::NodeId from, tessel::ui::NodeId to, int port);
  void modelReset();
  void validated();      // shapes and errors recomputed
  void groupsChanged();  // a block was added, removed, collapsed or expanded

 private:
  void syncIo();
  void reindex();
  void revalidate();
  bool reaches(NodeId from, NodeId target) const;
  int indexOf(NodeId id) const;
  int indexOfName(const std::string& name) const;
  NodeId idOfName(const std::string& name) const;
  static QString noLayer(const QString& name);

  ModelSpec spec_;
  std::vector<NodeId> ids_;  // ids_[i] is the identity of spec_.nodes[i]
  NodeId nextId_ = 1;
  std::map<NodeId, QPointF> positions_;
  ShapeReport report_;
  QHash<NodeId, int> reportIndex_;  // node -> index in report_.nodes
  // node name / id -> index in spec_.nodes, rebuilt on validation; lookups check the hit and
  // fall back to a linear search between a change and its re-validation.
  QHash<QString, int> nameIndex_;
  QHash<NodeId, int> idIndex_;
  QHash<NodeId, QString> errors_;
  QStringList modelErrors_;
};

}  // namespace tessel::ui
