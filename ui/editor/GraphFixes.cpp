#include "ui/editor/GraphFixes.h"

#include <QObject>
#include <cmath>
#include <regex>
#include <set>

#include "ui/editor/GraphCommands.h"
#include "ui/editor/GraphDocument.h"
#include "ui/editor/NodeItem.h"

namespace tessel::ui {

namespace {

QString shapeText(const Shape& s) {
  return QString::fromStdString(shapeToString(s));
}

bool allKnown(const Shape& s) {
  for (size_t i = 1; i < s.size(); ++i)
    if (s[i] < 0) return false;
  return true;
}

Index perSample(const Shape& s) {
  Index n = 1;
  for (size_t i = 1; i < s.size(); ++i) n *= s[i];
  return n;
}

bool isMerge(const std::string& cls) {
  return cls == "Add" || cls == "Subtract" || cls == "Multiply" || cls == "Average" ||
         cls == "Maximum" || cls == "Minimum";
}

// The rank (batch included) a layer needs, or 0 when any rank goes. Falls back to the engine's
// "expects a N-D input" message for layers not listed.
int requiredRank(const std::string& cls, const std::string& error) {
  static const std::regex expects("expects a ([0-9])-D input");
  if (cls.find("2D") != std::string::npos) return 4;
  if (cls.find("1D") != std::string::npos) return 3;
  std::smatch m;
  if (std::regex_search(error, m, expects)) return std::stoi(m[1].str());
  return 0;
}

// A target shape (batch excluded) of `rank` - 1 dimensions holding `n` values: square images
// with one channel when possible, else everything on the first axis.
json reshapeTarget(Index n, int rank) {
  json t = json::array();
  if (rank == 4) {
    const auto side = static_cast<Index>(std::llround(std::sqrt(static_cast<double>(n))));
    if (side * side == n) return json::array({side, side, 1});
    return json::array({n, 1, 1});
  }
  if (rank == 3) return json::array({n, 1});
  if (rank == 2) return json::array({n});
  return t;
}

// Where a layer inserted on the edge from -> to goes: on the edge, between the two boxes. When
// they are too close, the consumer and every layer after it move along the edge's direction to
// make room (undone with the insertion).
struct Placement {
  QPointF pos;
  MoveNodesCommand::Moves shifts;
};

Placement placeOnEdge(const GraphDocument& doc, NodeId from, NodeId to) {
  constexpr double kW = NodeItem::kWidth, kH = 70, kGapX = 60, kGapY = 40;
  const QPointF a = doc.position(from), b = doc.position(to);
  const bool across = b.x() - a.x() >= std::abs(b.y() - a.y());  // left to right
  const bool down = !across && b.y() > a.y();
  QPointF shift;
  if (across) {
    const double gap = b.x() - (a.x() + kW), need = kW + 2 * kGapX;
    if (gap < need) shift = QPointF(need - gap, 0);
  } else if (down) {
    const double gap = b.y() - (a.y() + kH), need = kH + 2 * kGapY;
    if (gap < need) shift = QPointF(0, need - gap);
  }
  Placement out;
  if (!shift.isNull()) {
    // The consumer and its descendants.
    std::set<NodeId> later{to};
    std::vector<NodeId> todo{to};
    while (!todo.empty()) {
      const NodeId id = todo.back();
      todo.pop_back();
      for (const auto& [consumer, port] : doc.consumers(id))
        if (later.insert(consumer).second) todo.push_back(consumer);
    }
    for (NodeId id : later) out.shifts[id] = {doc.position(id), doc.position(id) + shift};
  }
  const QPointF b2 = b + shift;
  if (across)
    out.pos = QPointF((a.x() + kW + b2.x()) / 2 - kW / 2, (a.y() + b2.y()) / 2);
  else if (down)
    out.pos = QPointF((a.x() + b2.x()) / 2, (a.y() + kH + b2.y()) / 2 - kH / 2);
  else
    out.pos = (a + b2) / 2;
  return out;
}

// Whether a sequence layer (embedding, recurrent, attention, text) is upstream of `node`.
bool fedBySequenceLayer(const GraphDocument& doc, const NodeSpec& node) {
  static const std::set<std::string> kSequence = {
      "Embedding",    "Masking",           "SimpleRNN",          "LSTM",
      "GRU",          "Bidirectional",     "TimeDistributed",    "RepeatVector",
      "Attention",    "AdditiveAttention", "MultiHeadAttention", "TextVectorization",
      "StringLookup", "IntegerLookup"};
  std::set<std::string> seen;
  std::vector<std::string> todo(node.inputs.begin(), node.inputs.end());
  while (!todo.empty()) {
    const std::string name = todo.back();
    todo.pop_back();
    if (!seen.insert(name).second) continue;
    const NodeSpec* p = doc.node(QString::fromStdString(name));
    if (!p) continue;
    if (kSequence.count(p->className)) return true;
    todo.insert(todo.end(), p->inputs.begin(), p->inputs.end());
  }
  return false;
}

}  // namespace

QList<GraphFix> GraphFixes::suggest(const GraphDocument& doc, const QString& name) {
  return suggest(doc, doc.idOf(name));
}

QList<GraphFix> GraphFixes::suggest(const GraphDocument& doc, NodeId node) {
  QList<GraphFix> out;
  const NodeSpec* n = doc.node(node);
  const NodeShapes* shapes = doc.nodeShapes(node);
  if (!n || !shapes || shapes->inputs.size() != n->inputs.size()) return out;
  const std::string& cls = n->className;
  const QString name = QString::fromStdString(n->name);
  const std::string error = doc.errorText(node).toStdString();
  const auto& in = shapes->inputs;

  // Dense on (None, T, F) after a sequence layer is the per-step classifier of a seq2seq or
  // tagging model (Keras applies it to every step): no Flatten hint there.
  if (cls == "Dense" && in.size() == 1 && in[0].size() > 2 &&
      !(in[0].size() == 3 && fedBySequenceLayer(doc, *n))) {
    GraphFix f{"flatten",
               node,
               QObject::tr("Insert Flatten before '%1'").arg(name),
               QObject::tr("Dense is fed %1: it would be applied to every position of the last "
                           "axis; a classifier usually flattens first")
                   .arg(shapeText(in[0])),
               0,
               json()};
    out << f;
  }
  const int rank = requiredRank(cls, error);
  if (rank > 0 && in.size() == 1 && static_cast<int>(in[0].size()) != rank && allKnown(in[0]) &&
      !error.empty()) {
    const json target = reshapeTarget(perSample(in[0]), rank);
    if (!target.empty()) {
      Shape to{kNone};
      for (const auto& d : target) to.push_back(d.get<Index>());
      out << GraphFix{"reshape",
                      node,
                      QObject::tr("Insert Reshape %1 before '%2'").arg(shapeText(to), name),
                      QObject::tr("%1 needs a %2-D input, gets %3")
                          .arg(QString::fromStdString(cls))
                          .arg(rank)
                          .arg(shapeText(in[0])),
                      0,
                      target};
    }
  }
  if (isMerge(cls) && in.size() >= 2 && allKnown(in[0]) && !error.empty()) {
    for (size_t p = 1; p < in.size(); ++p) {
      if (in[p] == in[0] || !allKnown(in[p]) || perSample(in[p]) != perSample(in[0])) continue;
      json target = json::array();
      for (size_t i = 1; i < in[0].size(); ++i) target.push_back(in[0][i]);
      out << GraphFix{"reshape",
                      node,
                      QObject::tr("Insert Reshape %1 into input %2 of '%3'")
                          .arg(shapeText(in[0]))
                          .arg(p + 1)
                          .arg(name),
                      QObject::tr("%1 needs equal shapes, gets %2 and %3")
                          .arg(QString::fromStdString(cls), shapeText(in[0]), shapeText(in[p])),
                      static_cast<int>(p),
                      target};
    }
  }
  if (cls == "Concatenate" && in.size() >= 2 && !error.empty()) {
    const size_t r = in[0].size();
    bool sameRank = true;
    for (const auto& s : in) sameRank = sameRank && s.size() == r;
    if (sameRank && r >= 2) {
      int differing = -1, count = 0;
      for (size_t a = 1; a < r; ++a) {
        bool differs = false;
        for (const auto& s : in) differs = differs || s[a] != in[0][a];
        if (differs) differing = static_cast<int>(a), ++count;
      }
      const int current = n->config.value("axis", -1);
      const int axis = differing - static_cast<int>(r);  // negative, as Keras's default -1
      if (count == 1 && current != axis && current != differing)
        out << GraphFix{
            "concat_axis",
            node,
            QObject::tr("Concatenate on axis %1").arg(axis),
            QObject::tr("the inputs differ on axis %1, not on axis %2").arg(axis).arg(current),
            0,
            json(axis)};
    }
  }
  return out;
}

QString GraphFixes::apply(GraphDocument* doc, QUndoStack* stack, const GraphFix& fix) {
  const NodeSpec* n = doc->node(fix.node);
  if (!n) return QObject::tr("the layer is no longer in the model");
  if (fix.kind == "concat_axis") {
    auto* cmd = new SetConfigCommand(doc, fix.node, "axis", fix.value);
    cmd->setText(fix.label);
    return GraphCommand::push(stack, cmd);
  }
  if (fix.kind != "flatten" && fix.kind != "reshape") return QObject::tr("unknown fix");
  if (fix.port < 0 || fix.port >= static_cast<int>(n->inputs.size()))
    return QObject::tr("'%1' has no input %2")
        .arg(QString::fromStdString(n->name))
        .arg(fix.port + 1);
  const NodeId from = doc->idOf(QString::fromStdString(n->inputs[fix.port]));
  const Placement place = placeOnEdge(*doc, from, fix.node);
  const QString cls = fix.kind == "flatten" ? "Flatten" : "Reshape";
  const int before = stack->index();
  stack->beginMacro(fix.label);
  if (!place.shifts.empty()) stack->push(new MoveNodesCommand(doc, place.shifts));
  auto* add = new AddNodeCommand(doc, cls, place.pos);
  const NodeId added = add->nodeId();
  const QString why = GraphCommand::push(stack, add);  // deleted by the stack if refused
  if (!why.isEmpty()) {
    stack->endMacro();
    if (stack->index() > before) stack->undo();  // the macro (shifts, if any)
    return why;
  }
  if (fix.kind == "reshape")
    stack->push(new SetConfigCommand(doc, added, "target_shape", fix.value));
  stack->push(new DisconnectCommand(doc, from, fix.node, fix.port));
  stack->push(new ConnectCommand(doc, from, added, 0));
  stack->push(new ConnectCommand(doc, added, fix.node, fix.port));
  stack->endMacro();
  return {};
}

}  // namespace tessel::ui
