#pragma once
// The node-graph editor's document: an engine ModelSpec plus a position per node. It knows no
// widgets; the scene mirrors its signals and undo commands call its operations. Every change
// re-runs shape inference, so each node's output shape and error message are always current.
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

namespace tessel::ui {

class GraphDocument : public QObject {
  Q_OBJECT

 public:
  // What removeNode took away, enough to put it back exactly (node order, edges, position).
  struct RemovedNode {
    NodeSpec node;
    int index = -1;
    QPointF pos;
    std::vector<std::pair<std::string, int>> consumers;  // (consumer, port), ascending per consumer
  };
  // The model's input and output lists (their order is part of the Keras JSON).
  struct IoState {
    std::vector<std::string> inputs;
    std::vector<std::string> outputs;
  };

  explicit GraphDocument(QObject* parent = nullptr);

  const ModelSpec& spec() const { return spec_; }
  QStringList nodeNames() const;  // in spec order
  bool hasNode(const QString& name) const;
  const NodeSpec* node(const QString& name) const;
  QPointF position(const QString& name) const;
  int edgeCount() const;
  // Names of nodes reading `name`'s output, with their port, in spec order.
  std::vector<std::pair<std::string, int>> consumers(const std::string& name) const;

  // --- operations (each returns an empty string on success, else a one-line reason) ---
  // Adds a node of `className` with a Keras auto name and the palette's suggested values for
  // required parameters. Returns the new name, or empty with `error` set.
  QString addNode(const QString& className, QPointF pos, QString* error = nullptr);
  // Adds a complete node (undo of removeNode, redo of addNode) at `index` (-1: at the end).
  QString insertNode(const NodeSpec& node, QPointF pos, int index = -1);
  RemovedNode removeNode(const QString& name);
  void restoreNode(const RemovedNode& removed);
  // Edge from `from`'s output to `to`'s input `port` (-1: the first free port; for a merge
  // layer a port inside the connected range inserts there). Refuses cycles, self loops, ports
  // already taken and layers that take no input.
  QString canConnect(const QString& from, const QString& to, int port = -1) const;
  QString connect(const QString& from, const QString& to, int port = -1, int* usedPort = nullptr);
  // Removes the edge into `to`'s `port` (it must come from `from`).
  QString disconnect(const QString& from, const QString& to, int port);
  // Sets one config key (validated by LayerRegistry::completeConfig). `value` absent removes the
  // key (used by undo to restore a config that did not have it).
  QString validateConfig(const QString& name, const std::string& key, const json& value) const;
  QString setConfig(const QString& name, const std::string& key, const std::optional<json>& value);
  QString canRename(const QString& oldName, const QString& newName) const;
  QString rename(const QString& oldName, const QString& newName);
  void moveNode(const QString& name, QPointF pos);

  IoState io() const { return {spec_.inputs, spec_.outputs}; }
  void setIo(const IoState& io);

  // --- validation results (refreshed after every change) ---
  const ShapeReport& report() const { return report_; }
  // report().find(name) in constant time (the report is a list; large graphs ask per node).
  const NodeShapes* nodeShapes(const QString& name) const;
  QString outputShapeText(const QString& name) const;  // "(None, 30)" or empty
  QString errorText(const QString& name) const;        // empty when the node is fine
  QStringList modelErrors() const;                     // errors naming no node

  // --- serialisation: Keras JSON plus {"tessel_layout": {"node": [x, y]}} ---
  json toJson() const;
  QString toJsonString() const;  // toJson().dump(1)
  // Replaces the whole document. Nodes without a stored position get a layered placement by
  // topological depth. Throws tessel::Error on a bad topology.
  void fromJson(const json& doc);
  void setModel(const ModelSpec& spec, const std::map<std::string, QPointF>& positions = {});
  void clear();
  // Layered placement by topological depth (columns left to right).
  static std::map<std::string, QPointF> layeredLayout(const ModelSpec& spec);

 signals:
  void nodeAdded(const QString& name);
  void nodeRemoved(const QString& name);
  void nodeChanged(const QString& name);  // config changed
  void nodeRenamed(const QString& oldName, const QString& newName);
  void nodeMoved(const QString& name, QPointF pos);
  void edgeAdded(const QString& from, const QString& to, int port);
  void edgeRemoved(const QString& from, const QString& to, int port);
  void modelReset();
  void validated();  // shapes and errors recomputed

 private:
  void syncIo();
  void revalidate();
  bool reaches(const std::string& from, const std::string& target) const;
  int indexOf(const std::string& name) const;

  ModelSpec spec_;
  std::map<std::string, QPointF> positions_;
  ShapeReport report_;
  QHash<QString, int> reportIndex_;  // node name -> index in report_.nodes
  // node name -> index in spec_.nodes, rebuilt on validation; node() checks the hit and falls
  // back to a linear search between a change and its re-validation.
  QHash<QString, int> nodeIndex_;
  QHash<QString, QString> errors_;
  QStringList modelErrors_;
};

}  // namespace tessel::ui
