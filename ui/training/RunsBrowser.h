#pragma once
// The runs of one model in a project file, read on the GUI thread through a read-only
// connection opened for each refresh: a table (name, status, date, epochs, best val metrics,
// duration, notes), rename / delete / notes, an overlay plot of the selected runs' epoch curves
// (one colour per run, legend "run name: key"), a side-by-side config diff of two selected runs
// (architecture and hyperparameters), CSV export (Keras CSVLogger columns: epoch, then the log
// keys sorted) and Resume (from the run's last checkpoint, with optimizer state).
#include <QWidget>
#include <nlohmann/json.hpp>

class QCustomPlot;
class QLabel;
class QPushButton;
class QTableWidget;
class QTextEdit;
class QComboBox;

namespace tessel::ui {

class RunsBrowser : public QWidget {
  Q_OBJECT
 public:
  explicit RunsBrowser(QWidget* parent = nullptr);

  void setProject(const QString& path);
  void setModelId(qint64 modelId);  // 0 = runs of all models
  QString projectPath() const { return path_; }
  qint64 modelId() const { return modelId_; }

  QList<qint64> runIds() const;  // table order (newest first)
  QList<qint64> selectedRunIds() const;
  void selectRuns(const QList<qint64>& ids);
  QTableWidget* table() const { return table_; }
  QCustomPlot* overlayPlot() const { return overlay_; }
  QTextEdit* diffView() const { return diff_; }
  QPushButton* resumeButton() const { return resume_; }
  QComboBox* overlayKeyBox() const { return key_; }

  // Writes mutations through a short-lived read-write connection (fails while another process
  // holds the project lock; then the error is shown and false returned).
  bool renameRun(qint64 runId, const QString& name);
  bool deleteRun(qint64 runId);
  bool setNotes(qint64 runId, const QString& notes);
  bool exportCsv(qint64 runId, const QString& path);

  // The CSVLogger text of a run's epoch metrics ("epoch,key1,key2\n0,...").
  static QString historyCsv(const QString& projectPath, qint64 runId);
  // Side-by-side diff rows of two run configs: (path, left value, right value) for every leaf
  // that differs, architecture ("spec/...") then hyperparameters ("settings/...").
  struct DiffRow {
    QString path, left, right;
  };
  static QVector<DiffRow> configDiff(const nlohmann::json& a, const nlohmann::json& b);

 public slots:
  void refresh();

 signals:
  // The user asked to resume this run (the dashboard starts it).
  void resumeRequested(qint64 runId);
  void errorOccurred(const QString& message);

 private:
  void updateOverlay();
  void updateDiff();
  QString path_;
  qint64 modelId_ = 0;
  QTableWidget* table_;
  QCustomPlot* overlay_;
  QTextEdit* diff_;
  QComboBox* key_;
  QLabel* message_;
  QPushButton *rename_, *delete_, *export_, *resume_;
};

}  // namespace tessel::ui
