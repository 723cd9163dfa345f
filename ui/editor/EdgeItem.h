#pragma once
// One edge: a cubic curve from a producer's output port to a consumer's input port, labelled
// with the tensor shape it carries, e.g. "(None, 28, 28, 1)". An edge whose tensor carries a mask
// (Embedding mask_zero, Masking) is drawn dashed with a small "mask" tag. The label sits on the
// curve where no node covers it (the scene decides, see placeLabel); when every place is covered
// the edge is drawn above the nodes.
#include <QGraphicsPathItem>
#include <QString>
#include <functional>

#include "ui/editor/NodeId.h"

namespace tessel::ui {

class EdgeItem : public QGraphicsPathItem {
 public:
  enum { Type = UserType + 2 };
  EdgeItem(NodeId from, NodeId to, int port);
  int type() const override { return Type; }

  NodeId from() const { return from_; }
  NodeId to() const { return to_; }
  int port() const { return port_; }
  // Which output of `from` it leaves (a node with several outputs: LSTM return_state).
  int output() const { return output_; }
  void setOutput(int output) { output_ = output; }
  bool masked() const { return masked_; }
  void setMasked(bool masked);
  const QString& label() const { return label_; }
  void setLabel(const QString& label);  // the tooltip (layer names) is the scene's
  void setEnds(QPointF start, QPointF end);
  // Moves the label along the curve (middle first, then outwards) to the first place where
  // `covered` is false; none: the middle, with the edge raised above the nodes.
  void placeLabel(const std::function<bool(const QRectF&)>& covered);
  QRectF labelSceneRect() const { return mapRectToScene(labelRect_); }
  bool labelRaised() const { return zValue() > 1; }
  // The curve used for edges and for the edge being dragged.
  static QPainterPath curve(QPointF start, QPointF end);
  static QColor maskColor() { return QColor(0x7b, 0x52, 0xab); }

  QRectF boundingRect() const override;
  QPainterPath shape() const override;
  void paint(QPainter* painter, const QStyleOptionGraphicsItem* option, QWidget* widget) override;

 private:
  QRectF labelRect() const { return labelRect_; }
  QRectF labelRectAt(double percent) const;
  void updateLabelRect();
  NodeId from_, to_;
  int port_;
  int output_ = 0;
  bool masked_ = false;
  QString label_;
  QPointF start_, end_;
  bool hasEnds_ = false;
  QRectF labelRect_;      // cached: boundingRect() is called often
  double labelAt_ = 0.5;  // where on the curve (0: start, 1: end)
};

}  // namespace tessel::ui
