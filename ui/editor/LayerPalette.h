#pragma once
// The layer palette: every registered layer grouped as in the Keras docs (LayerInfo::group), a
// search field that filters by name or description, the one-line description as tooltip. Drag a
// layer onto the canvas (mime type "application/x-tessel-layer" carrying the class name) or
// double-click it to add it at the centre of the view. The project's own layer classes
// (CustomClassLibrary) are listed under "Custom" and dragged the same way.
#include <QTreeWidget>
#include <QWidget>

class QLineEdit;
class QMimeData;

namespace tessel::ui {

class LayerPaletteTree : public QTreeWidget {
  Q_OBJECT

 public:
  explicit LayerPaletteTree(QWidget* parent = nullptr);
  static QMimeData* mimeDataFor(const QString& className);

 protected:
  QStringList mimeTypes() const override;
  QMimeData* mimeData(const QList<QTreeWidgetItem*>& items) const override;
};

class LayerPalette : public QWidget {
  Q_OBJECT

 public:
  explicit LayerPalette(QWidget* parent = nullptr);

  QLineEdit* searchField() const { return search_; }
  LayerPaletteTree* tree() const { return tree_; }
  QTreeWidgetItem* itemFor(const QString& className) const;  // nullptr if unknown
  QStringList visibleLayers() const;                         // after filtering
  // Wide enough to show the longest layer name whole (no elision) next to its icon.
  QSize sizeHint() const override;
  // The project's custom classes (CustomClassLibrary) under "Custom", after the built-in entries;
  // rebuilt whenever the library changes.
  QTreeWidgetItem* customGroup() const { return customGroup_; }
  void refreshCustomClasses();
  // The project's saved blocks (BlockLibrary) under "Blocks", as "block:<name>" entries.
  QTreeWidgetItem* blocksGroup() const { return blocksGroup_; }
  void refreshBlocks();

 public slots:
  void setFilter(const QString& text);

 signals:
  void layerActivated(const QString& className);  // double-click or Enter
  // Right-click on one of the project's custom classes (rename / delete, CustomClassActions).
  void customClassMenuRequested(const QString& className, QPoint globalPos);

 private:
  QLineEdit* search_;
  LayerPaletteTree* tree_;
  QTreeWidgetItem* customGroup_ = nullptr;
  QTreeWidgetItem* blocksGroup_ = nullptr;
};

}  // namespace tessel::ui
