#include "ui/MainWindow.h"

#include <QDockWidget>
#include <QFileDialog>
#include <QFileInfo>
#include <QFontDatabase>
#include <QMenuBar>
#include <QPlainTextEdit>
#include <QStatusBar>
#include <QUndoStack>

#include "engine/graph/ModelSpec.h"
#include "engine/io/TfjsModel.h"
#include "ui/editor/GraphDocument.h"
#include "ui/editor/GraphEditorWidget.h"

namespace tessel::ui {

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent) {
  setWindowTitle("Tessel Studio");
  editor_ = new GraphEditorWidget(this);
  setCentralWidget(editor_);

  summary_ = new QPlainTextEdit(this);
  summary_->setReadOnly(true);
  summary_->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
  summary_->setLineWrapMode(QPlainTextEdit::NoWrap);
  auto* dock = new QDockWidget(tr("Summary"), this);
  dock->setObjectName("summaryDock");
  dock->setWidget(summary_);
  addDockWidget(Qt::BottomDockWidgetArea, dock);
  connect(editor_->document(), &GraphDocument::validated, this, &MainWindow::refreshSummary);
  connect(editor_->undoStack(), &QUndoStack::cleanChanged, this,
          [this](bool clean) { setWindowModified(!clean); });

  auto* file = menuBar()->addMenu(tr("&File"));
  file->addAction(tr("&Open model.json…"), QKeySequence::Open, this, [this] {
    QString path = QFileDialog::getOpenFileName(this, tr("Open model"), {}, "model.json (*.json)");
    if (!path.isEmpty()) openModel(path);
  });
  file->addAction(tr("&Quit"), QKeySequence::Quit, this, &QWidget::close);
  auto* edit = menuBar()->addMenu(tr("&Edit"));
  edit->addActions(editor_->editorActions());
  auto* view = menuBar()->addMenu(tr("&View"));
  view->addAction(dock->toggleViewAction());
  resize(1280, 820);
  refreshSummary();
}

bool MainWindow::openModel(const QString& path) {
  try {
    ModelFile file = readModelFile(path.toStdString());
    editor_->setModel(file.spec);
    setWindowTitle(QFileInfo(path).fileName() + "[*] — Tessel Studio");
    statusBar()->showMessage(tr("Opened %1").arg(path));
    refreshSummary();
    return true;
  } catch (const std::exception& e) {
    summary_->setPlainText(tr("Could not open %1:\n%2").arg(path, QString::fromUtf8(e.what())));
    statusBar()->showMessage(tr("Could not open %1").arg(path));
    return false;
  }
}

void MainWindow::refreshSummary() {
  const ModelSpec& spec = editor_->document()->spec();
  if (spec.nodes.empty()) {
    summary_->setPlainText(tr("Drag layers from the palette to start a model."));
    return;
  }
  try {
    summary_->setPlainText(QString::fromStdString(summaryTable(spec)));
  } catch (const std::exception& e) {
    summary_->setPlainText(tr("The graph is not valid yet:\n%1").arg(QString::fromUtf8(e.what())));
  }
}

QString MainWindow::summaryText() const {
  return summary_->toPlainText();
}

}  // namespace tessel::ui
