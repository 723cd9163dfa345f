#pragma once
// One layer on the canvas: a rounded box with the layer name as title, the type and its key
// settings as subtitle ("Dense 100 · selu"), input ports on the left, the output port on the
// right (a layer with several outputs, LSTM return_state: one port per output, labelled "output",
// "h", "c" with its shape). A node with an error gets a red outline and the message as tooltip. The
// item only displays; the GraphScene turns user gestures into undo commands on the document.
#include <QGraphicsItem>
#include <QString>
#include <algorithm>
#include <optional>

#include "ui/editor/NodeId.h"

namespace tessel {
struct LayerInfo;
}

namespace tessel::ui {

class NodeItem : public QGraphicsItem {
 public:
  enum { Type = UserType + 1 };
  static constexpr double kWidth = 180;
  static constexpr double kPortRadius = 6;
  // Below this zoom the node is drawn compact: its colour and class name in a font large enough
  // to read (abbreviated, "GAP2D", when it does not fit), no ports or subtitle.
  static constexpr double kDetailedZoom = 0.55;  // below GraphView::kMinLegibleZoom

  struct Port {
    bool output = false;
    int index = 0;
  };
  struct Content {
    QString className, subtitle, group, outputShape, error;
    QString hint;      // a suggestion that is not an error (amber outline), e.g. Flatten
    QString fixLabel;  // the first suggested fix ("Insert Flatten before 'dense'"), if any
    int fixCount = 0;
    int inputPorts = 1;  // ports drawn on the left
    int connectedInputs = 0;
    // Several outputs: one port each on the right, labelled with name and shape (empty: one).
    QStringList outputNames, outputShapes;
    bool isModelOutput = false;
    bool frozen = false;  // config "trainable": false (drawn hatched and grey, with a lock)
    bool operator==(const Content&) const = default;
  };

  NodeItem(NodeId id, const QString& name);
  int type() const override { return Type; }

  NodeId id() const { return id_; }
  const QString& name() const { return name_; }  // the Keras layer name shown as title
  void setName(const QString& name);
  const Content& content() const { return content_; }
  void setContent(const Content& content);
  QString subtitle() const { return content_.subtitle; }
  bool hasError() const { return !content_.error.isEmpty(); }
  bool hasFix() const { return content_.fixCount > 0; }
  // The clickable "Fix" badge in the header (item coordinates; empty without a fix).
  QRectF fixBadgeRect() const;
  bool fixBadgeAt(QPointF scenePos) const;

  double height() const;
  QPointF inputPortPos(int index) const;  // item coordinates
  int outputPorts() const {
    return std::max<int>(1, static_cast<int>(content_.outputNames.size()));
  }
  QPointF outputPortPos(int index = 0) const;
  QPointF inputPortScenePos(int index) const { return mapToScene(inputPortPos(index)); }
  QPointF outputPortScenePos(int index = 0) const { return mapToScene(outputPortPos(index)); }
  // The port under a scene position (within a few pixels), if any.
  std::optional<Port> portAt(QPointF scenePos) const;

  QRectF boundingRect() const override;
  QPainterPath shape() const override;
  void paint(QPainter* painter, const QStyleOptionGraphicsItem* option, QWidget* widget) override;

  // The colour of a Keras docs group ("Core", "Convolution", ...; "Input" for model inputs).
  static QColor groupColor(const QString& group);
  // The group a layer is drawn with (colour, icon): its catalog group, or "Input" for a model
  // input; "" for an unknown layer.
  static QString lookGroup(const LayerInfo* info);
  // The palette to draw `item` with: the painting widget's, else (cached pixmaps are painted
  // without a widget) the first view's, else the application's.
  static QPalette paletteFor(const QGraphicsItem* item, const QWidget* widget);
  // Capitals and digits of a class name: "GlobalAveragePooling2D" -> "GAP2D".
  static QString abbreviation(const QString& className);
  // The look of a frozen layer: its group colour greyed, diagonal hatching, a padlock glyph.
  static QColor frozenColor(const QColor& accent);
  static void paintFrozenHatch(QPainter* painter, const QRectF& box, bool dark);
  static void paintLock(QPainter* painter, QPointF centre);
  static QColor errorColor() { return QColor(0xd3, 0x2f, 0x2f); }
  static QColor hintColor() { return QColor(0xe0, 0x8a, 0x00); }

 protected:
  QVariant itemChange(GraphicsItemChange change, const QVariant& value) override;

 private:
  void paintCompact(QPainter* painter, double lod, bool selected, const QPalette& pal);
  NodeId id_;
  QString name_;
  Content content_;
};

}  // namespace tessel::ui
