#pragma once
// Shared helpers of the graph editor GUI tests: real events through the view's viewport
// (palette drops, port-to-port drags, clicks), on the offscreen platform.
#include <QApplication>
#include <QLineEdit>
#include <QMimeData>
#include <QSplitter>
#include <QtTest>
#include <memory>

#include "ui/editor/GraphEditorWidget.h"
#include "ui/editor/GraphScene.h"
#include "ui/editor/GraphView.h"
#include "ui/editor/LayerPalette.h"
#include "ui/editor/NodeInspector.h"
#include "ui/editor/NodeItem.h"

namespace tessel::ui::test {

inline QWidget* viewport(GraphEditorWidget& w) {
  return w.view()->viewport();
}

inline QPoint toView(GraphEditorWidget& w, QPointF scenePos) {
  return w.view()->mapFromScene(scenePos);
}

// What a real drop from the palette delivers to the canvas, at view position `at`.
inline bool dropLayerAtView(GraphEditorWidget& w, const QString& className, QPoint at) {
  QTreeWidgetItem* item = w.palette()->itemFor(className);
  if (!item || !(item->flags() & Qt::ItemIsDragEnabled)) return false;
  std::unique_ptr<QMimeData> data(LayerPaletteTree::mimeDataFor(className));
  QDragEnterEvent enter(at, Qt::CopyAction, data.get(), Qt::LeftButton, Qt::NoModifier);
  QApplication::sendEvent(viewport(w), &enter);
  if (!enter.isAccepted()) return false;
  QDragMoveEvent move(at, Qt::CopyAction, data.get(), Qt::LeftButton, Qt::NoModifier);
  QApplication::sendEvent(viewport(w), &move);
  if (!move.isAccepted()) return false;
  QDropEvent drop(QPointF(at), Qt::CopyAction, data.get(), Qt::LeftButton, Qt::NoModifier);
  QApplication::sendEvent(viewport(w), &drop);
  return drop.isAccepted();
}

// The same drop at scene position `scenePos`.
inline bool dropLayer(GraphEditorWidget& w, const QString& className, QPointF scenePos) {
  return dropLayerAtView(w, className, toView(w, scenePos));
}

// Mouse drag from `from`'s output port to `to`'s input `port`.
inline void dragEdge(GraphEditorWidget& w, const QString& from, const QString& to, int port) {
  NodeItem* a = w.scene()->nodeItem(from);
  NodeItem* b = w.scene()->nodeItem(to);
  QVERIFY(a && b);
  const QPoint p1 = toView(w, a->outputPortScenePos());
  const QPoint p2 = toView(w, b->inputPortScenePos(port));
  QTest::mousePress(viewport(w), Qt::LeftButton, {}, p1);
  QTest::mouseMove(viewport(w), (p1 + p2) / 2);
  QTest::mouseMove(viewport(w), p2);
  QTest::mouseRelease(viewport(w), Qt::LeftButton, {}, p2);
}

inline void clickNode(GraphEditorWidget& w, const QString& name,
                      Qt::KeyboardModifiers modifiers = {}) {
  NodeItem* n = w.scene()->nodeItem(name);
  QVERIFY(n);
  QTest::mouseClick(viewport(w), Qt::LeftButton, modifiers,
                    toView(w, n->mapToScene(QPointF(90, 40))));
}

// Types `text` + Return into the inspector's line editor of `key` for the selected node.
inline void typeInInspector(GraphEditorWidget& w, const std::string& key, const QString& text) {
  auto* edit = qobject_cast<QLineEdit*>(w.inspector()->editorFor(key));
  QVERIFY2(edit, key.c_str());
  edit->setFocus();
  edit->selectAll();
  QTest::keyClicks(edit, text);
  QTest::keyClick(edit, Qt::Key_Return);
}

// Shows the editor at `size`, zoom 1, centred on scene point `centre`.
inline void setupWindow(GraphEditorWidget& w, QSize size = {1500, 900},
                        QPointF centre = {400, 200}) {
  w.resize(size);
  w.splitter()->setSizes({200, 1000, 300});
  w.show();
  QVERIFY(QTest::qWaitForWindowExposed(&w));
  w.view()->setZoom(1);
  w.view()->centerOn(centre);
}

}  // namespace tessel::ui::test
