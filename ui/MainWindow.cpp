#include "ui/MainWindow.h"

#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QFontDatabase>
#include <QMenuBar>
#include <QPlainTextEdit>
#include <QStatusBar>

#include "engine/graph/ModelSpec.h"

namespace tessel::ui {

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent) {
  setWindowTitle("Tessel Studio");
  summary_ = new QPlainTextEdit(this);
  summary_->setReadOnly(true);
  summary_->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
  setCentralWidget(summary_);
  auto* file = menuBar()->addMenu(tr("&File"));
  file->addAction(tr("&Open model.json…"), QKeySequence::Open, this, [this] {
    QString path = QFileDialog::getOpenFileName(this, tr("Open model"), {}, "model.json (*.json)");
    if (!path.isEmpty()) openModel(path);
  });
  file->addAction(tr("&Quit"), QKeySequence::Quit, this, &QWidget::close);
  resize(1000, 700);
}

bool MainWindow::openModel(const QString& path) {
  QFile f(path);
  try {
    if (!f.open(QIODevice::ReadOnly)) throw Error("cannot open " + path.toStdString());
    auto spec = ModelSpec::fromKerasJson(json::parse(f.readAll().toStdString()));
    summary_->setPlainText(QString::fromStdString(summaryTable(spec)));
    setWindowTitle(QFileInfo(path).fileName() + " — Tessel Studio");
    statusBar()->showMessage(tr("Opened %1").arg(path));
    return true;
  } catch (const std::exception& e) {
    summary_->setPlainText(tr("Could not open %1:\n%2").arg(path, QString::fromUtf8(e.what())));
    statusBar()->showMessage(tr("Error"));
    return false;
  }
}

QString MainWindow::summaryText() const {
  return summary_->toPlainText();
}

}  // namespace tessel::ui
