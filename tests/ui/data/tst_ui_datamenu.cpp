// Train > Data... through the real main window (offscreen): the menu action opens the modal
// data dialog, which is filled with real events (CSV kind, scikit-learn's iris.csv, the label
// column, standardize_per_feature, fractions 0.7 / 0.3 / 0); OK stores the settings in the
// model's data settings and Save writes them to the project file (read back with the engine's
// Project). Cancel changes nothing, and OK with a bad path keeps the dialog open with the message
// until Cancel, leaving the project unchanged.
#include <QAbstractButton>
#include <QAction>
#include <QApplication>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QPushButton>
#include <QSettings>
#include <QStandardPaths>
#include <QTabBar>
#include <QTabWidget>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTimer>
#include <QtTest>
#include <functional>

#include "engine/data/DataSettings.h"
#include "engine/store/Project.h"
#include "support/TinyModel.h"
#include "tests/ui/data/DataDialogTestSupport.h"
#include "ui/MainWindow.h"
#include "ui/data/DataImportDialog.h"
#include "ui/project/ProjectSession.h"

using namespace tessel;
using namespace tessel::ui;
using namespace tessel::testutil;

namespace {

const QString kIris = "/usr/lib/python3/dist-packages/sklearn/datasets/data/iris.csv";

DataImportDialog* openDialog() {
  for (QWidget* w : QApplication::topLevelWidgets())
    if (auto* d = qobject_cast<DataImportDialog*>(w); d && d->isVisible()) return d;
  return nullptr;
}

void showTab(DataImportDialog* d, int tab) {
  QTabBar* bar = d->tabs()->tabBar();
  QTest::mouseClick(bar, Qt::LeftButton, {}, bar->tabRect(tab).center());
  QCOMPARE(d->tabs()->currentIndex(), tab);
}

void chooseData(QComboBox* c, const QString& value) {
  c->setFocus();
  QTest::keyClick(c, Qt::Key_Home);
  for (int i = 0; i < c->count() && c->currentData().toString() != value; ++i)
    QTest::keyClick(c, Qt::Key_Down);
  QCOMPARE(c->currentData().toString(), value);
}

void chooseCsv(DataImportDialog* d, const QString& path) {
  chooseData(d->kindCombo(), "csv");
  typeText(d->pathEdit(), path);
}

// The iris choices of the task: label column, per-feature standardisation, 0.7 / 0.3 / 0.
void fillIris(DataImportDialog* d) {
  QVERIFY(QTest::qWaitForWindowExposed(d));
  chooseCsv(d, kIris);
  QVERIFY2(d->errorText().isEmpty(), qPrintable(d->errorText()));
  QCOMPARE(d->previewTable()->columnCount(), 5);
  // The label column: the last one, set by keys (ignore, then back up to label).
  QComboBox* label = d->columnCombo(4);
  QVERIFY(label);
  label->setFocus();
  QTest::keyClick(label, Qt::Key_End);
  QCOMPARE(label->currentText(), QString("ignore"));
  QTest::keyClick(label, Qt::Key_Up);
  QCOMPARE(label->currentText(), QString("label"));
  QCOMPARE(d->featureWidth(), 4);
  showTab(d, DataImportDialog::NormalizationTab);
  chooseData(d->normalizationCombo(), "standardize_per_feature");
  showTab(d, DataImportDialog::SplitTab);
  typeNumber(d->trainFractionSpin(), "0.7");
  typeNumber(d->validationFractionSpin(), "0.3");
  typeNumber(d->testFractionSpin(), "0");
}

}  // namespace

class TestUiDataMenu : public QObject {
  Q_OBJECT

  QTemporaryDir settingsDir_;
  QTemporaryDir tmp_;
  QString path_;
  std::unique_ptr<MainWindow> window_;
  qint64 id_ = 0;

  QAction* dataAction() const { return window_->findChild<QAction*>("actionDataSettings"); }

  // Triggers Train > Data... (a modal dialog) and runs `drive` on the dialog from inside its
  // event loop. A driver that fails leaves the dialog open: it is cancelled so the test ends.
  void runDialog(const std::function<void(DataImportDialog*)>& drive) {
    bool driven = false;
    QTimer::singleShot(0, window_.get(), [&] {
      DataImportDialog* d = openDialog();
      if (!d) return;
      driven = true;
      drive(d);
      if (d->isVisible()) d->reject();
    });
    // Through the menu bar: Train > Data... .
    QMenu* train = nullptr;
    for (QAction* a : window_->menuBar()->actions())
      if (a->menu() && a->menu()->actions().contains(dataAction())) train = a->menu();
    QVERIFY(train);
    QVERIFY(dataAction()->isEnabled());
    dataAction()->trigger();
    QVERIFY2(driven, "the data dialog did not open");
  }

 private slots:
  void initTestCase() {
    QStandardPaths::setTestModeEnabled(true);
    QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, settingsDir_.path());
    QCoreApplication::setOrganizationName("TesselTest");
    QCoreApplication::setApplicationName("tst_ui_datamenu");
    QLocale::setDefault(QLocale::c());
    if (!QFile::exists(kIris)) QSKIP("python3-sklearn's iris.csv is not installed");
  }

  void init() {
    path_ = tmp_.filePath(QString("menu_%1.tessel").arg(QTest::currentTestFunction()));
    id_ = testutil::createTinyProject(path_.toStdString());
    window_ = std::make_unique<MainWindow>();
    window_->setAskPolicy([](const QString&, const QString&, QMessageBox::StandardButtons) {
      return QMessageBox::Discard;
    });
    QVERIFY(window_->openProject(path_));
    window_->resize(1200, 800);
    window_->show();
    QVERIFY(QTest::qWaitForWindowExposed(window_.get()));
    QCOMPARE(window_->currentModelId(), id_);
  }

  void cleanup() { window_.reset(); }

  // OK stores exactly what was chosen; Save writes it to the file.
  void okStoresSettings() {
    const QString before = window_->lastMessage();
    nlohmann::json accepted;
    runDialog([&](DataImportDialog* d) {
      fillIris(d);
      QTest::mouseClick(d->buttons()->button(QDialogButtonBox::Ok), Qt::LeftButton);
      QVERIFY2(!d->isVisible(), qPrintable(d->errorText()));
      accepted = d->settings();
    });
    if (QTest::currentTestFailed()) return;
    QVERIFY(accepted.is_object());
    QVERIFY(window_->lastMessage() != before);
    QVERIFY2(window_->lastMessage().contains("iris.csv"), qPrintable(window_->lastMessage()));

    auto check = [&](const nlohmann::json& stored) {
      QVERIFY2(stored == accepted, stored.dump().c_str());
      const DataSettings s = DataSettings::fromJson(stored);
      QCOMPARE(s.kind, std::string("csv"));
      QCOMPARE(QString::fromStdString(s.path), kIris);
      QCOMPARE(s.normalization, std::string("standardize_per_feature"));
      QCOMPARE(s.fractions, (std::vector<double>{0.7, 0.3, 0.0}));
      QVERIFY(s.trainFile.empty());
      const nlohmann::json& cols = s.options["columns"];
      QCOMPARE(cols.size(), size_t(5));
      QCOMPARE(cols[4]["role"], nlohmann::json("label"));
      for (int c = 0; c < 4; ++c) QCOMPARE(cols[c]["standardize"], nlohmann::json(true));
    };
    check(window_->session()->model(id_)->dataSettings);
    if (QTest::currentTestFailed()) return;
    QVERIFY(window_->session()->isDirty());
    QVERIFY(window_->saveProject());
    Project p = Project::open(path_.toStdString(), true);
    check(p.model(id_)->dataSettings);
    if (QTest::currentTestFailed()) return;

    // Opening the dialog again shows the stored choices.
    runDialog([&](DataImportDialog* d) {
      QVERIFY(QTest::qWaitForWindowExposed(d));
      QCOMPARE(d->kindCombo()->currentData().toString(), QString("csv"));
      QCOMPARE(d->pathEdit()->text(), kIris);
      QCOMPARE(d->normalizationCombo()->currentData().toString(),
               QString("standardize_per_feature"));
      QCOMPARE(d->trainFractionSpin()->value(), 0.7);
      QCOMPARE(d->columnCombo(4)->currentText(), QString("label"));
      QTest::mouseClick(d->buttons()->button(QDialogButtonBox::Cancel), Qt::LeftButton);
    });
  }

  // Cancel after changing everything: the project keeps what it had.
  void cancelChangesNothing() {
    const nlohmann::json before = window_->session()->model(id_)->dataSettings;
    const bool dirty = window_->session()->isDirty();
    runDialog([&](DataImportDialog* d) {
      fillIris(d);
      QTest::mouseClick(d->buttons()->button(QDialogButtonBox::Cancel), Qt::LeftButton);
      QVERIFY(!d->isVisible());
      QCOMPARE(d->result(), int(QDialog::Rejected));
    });
    QCOMPARE(window_->session()->model(id_)->dataSettings, before);
    QCOMPARE(window_->session()->isDirty(), dirty);
    Project p = Project::open(path_.toStdString(), true);
    QCOMPARE(p.model(id_)->dataSettings, before);
  }

  // OK with a path that does not exist: the dialog stays open with the message; Cancel then
  // leaves the project unchanged.
  void badPathKeepsDialogOpen() {
    const nlohmann::json before = window_->session()->model(id_)->dataSettings;
    const QString missing = tmp_.filePath("no_such_table.csv");
    QString message;
    bool stillOpen = false;
    runDialog([&](DataImportDialog* d) {
      QVERIFY(QTest::qWaitForWindowExposed(d));
      chooseCsv(d, missing);
      QTest::mouseClick(d->buttons()->button(QDialogButtonBox::Ok), Qt::LeftButton);
      stillOpen = d->isVisible();
      message = d->errorText();
      QVERIFY(d->errorLabel()->isVisible());
      QTest::mouseClick(d->buttons()->button(QDialogButtonBox::Cancel), Qt::LeftButton);
      QVERIFY(!d->isVisible());
    });
    QVERIFY(stillOpen);
    QVERIFY2(message.contains("no_such_table.csv"), qPrintable(message));
    QCOMPARE(window_->session()->model(id_)->dataSettings, before);
    QVERIFY(!window_->session()->isDirty());
  }
};

QTEST_MAIN(TestUiDataMenu)
#include "tst_ui_datamenu.moc"
