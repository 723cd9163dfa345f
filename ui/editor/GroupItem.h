#pragma once
// A composite block on the canvas (engine/graph/Blocks.h). Expanded, a framed region behind its
// layers with a header "▾ name · N layers" (only the header takes clicks, so a rubber band can
// start inside the frame); collapsed, one node-like box with the block name as title, "Block ·
// N layers" and the output shape, an input port per outside producer and an output port per
// output (blocks.h: several when several tensors leave it); its
// layers are hidden and the edges into and out of it end on its ports (GraphScene reroutes them).
// Double-click toggles collapsed / expanded, except on the title (the block's name), where it
// opens the in-place rename (BlockRenameEditor); each is one undo step. Dragging a collapsed block
// moves its layers (one MoveNodes step). The item only displays and forwards gestures; the
// GraphScene keeps it in step with the document.
#include <QGraphicsItem>
#include <QString>
#include <QStringList>

namespace tessel::ui {

class GraphScene;

class GroupItem : public QGraphicsItem {
 public:
  enum { Type = UserType + 7 };
  static constexpr double kHeader = 24;
  static constexpr double kPad = 14;

  struct Content {
    QString name;
    bool collapsed = true;
    int layerCount = 0;
    int inputPorts = 0;
    int outputPorts = 1;  // a block with several outputs has a port per output
    QString outputShape;  // "(None, 8, 8, 256)" (several: "(None, 3), (None, 2)") or empty
    QString error;        // not a valid block any more (an edit since): drawn red, as tooltip
    bool frozen = false;  // every layer frozen
    int depth = 0;        // nesting depth (inner frames drawn above outer ones)
    bool operator==(const Content&) const = default;
  };

  GroupItem(GraphScene* scene, const QString& name);
  int type() const override { return Type; }
  const QString& name() const { return content_.name; }
  const Content& content() const { return content_; }
  bool collapsed() const { return content_.collapsed; }
  void setContent(const Content& c);
  // Expanded: the frame around `inner` (scene rect of its visible layers and child frames);
  // collapsed: the box at `topLeft`.
  void setFrame(const QRectF& inner);
  void setCollapsedAt(QPointF topLeft);

  double collapsedHeight() const;
  QRectF sceneBox() const { return QRectF(pos(), size_); }  // frame or box, no ports
  QPointF inputPortScenePos(int index) const;
  QPointF outputPortScenePos(int index = 0) const;
  // The header band (item coordinates): the part that takes clicks when expanded.
  QRectF headerRect() const;
  // The block's name in the header (item coordinates): a double-click there renames.
  QRectF titleRect() const;

  QRectF boundingRect() const override;
  QPainterPath shape() const override;
  void paint(QPainter* painter, const QStyleOptionGraphicsItem* option, QWidget* widget) override;

 protected:
  void mouseDoubleClickEvent(QGraphicsSceneMouseEvent* event) override;
  QVariant itemChange(GraphicsItemChange change, const QVariant& value) override;

 private:
  GraphScene* graph_;
  Content content_;
  QSizeF size_;
  bool placing_ = false;  // setPos from the scene (not a user drag)
};

}  // namespace tessel::ui
