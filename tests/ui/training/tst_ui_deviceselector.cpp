// The compile panel's device selector (issue 22): the GPUs with name and memory, greyed out with
// the reason where no GPU can be used (this machine: no GPU, and maybe no CUDA build), the choice
// recorded in the run's fit settings, and the pre-flight check's GPU item.
#include <QAbstractItemView>
#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QLabel>
#include <QScrollArea>
#include <QScrollBar>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

#include "engine/data/Array.h"
#include "engine/gpu/GpuDevice.h"
#include "engine/graph/ModelSpec.h"
#include "engine/session/RunSettings.h"
#include "tests/support/Screenshot.h"
#include "ui/MainWindow.h"
#include "ui/project/ExampleLibrary.h"
#include "ui/training/CompilePanel.h"
#include "ui/training/DeviceSelector.h"
#include "ui/training/PreflightCheck.h"
#include "ui/training/TrainingDashboard.h"

using namespace tessel;
using namespace tessel::ui;

namespace {

std::vector<gpu::DeviceInfo> twoGpus() {
  gpu::DeviceInfo a;
  a.index = 0;
  a.name = "NVIDIA H100 80GB HBM3";
  a.totalBytes = std::size_t(80) << 30;
  a.freeBytes = std::size_t(79) << 30;
  gpu::DeviceInfo b = a;
  b.index = 1;
  b.name = "NVIDIA H200";
  b.totalBytes = std::size_t(141) << 30;
  b.freeBytes = std::size_t(140) << 30;
  return {a, b};
}

ModelSpec cnn() {
  return ModelSpec::fromKerasJson(
      {{"class_name", "Sequential"},
       {"config",
        {{"name", "m"},
         {"layers",
          {{{"class_name", "Conv2D"},
            {"config",
             {{"name", "c"},
              {"filters", 8},
              {"kernel_size", 3},
              {"batch_input_shape", {nullptr, 12, 12, 1}}}}},
           {{"class_name", "Flatten"}, {"config", {{"name", "f"}}}},
           {{"class_name", "Dense"},
            {"config", {{"name", "out"}, {"units", 3}, {"activation", "softmax"}}}}}}}}});
}

void shot(QWidget& w, const QString& name) {
  w.resize(w.sizeHint().expandedTo(QSize(420, 60)));
  tessel::testutil::saveScreenshot(&w, name);
}

}  // namespace

class TestDeviceSelector : public QObject {
  Q_OBJECT

 private slots:
  // Here (CI, the developer machines): no GPU, so the box is greyed out on the CPU and says why.
  void noGpuIsGreyedOutWithTheReason() {
    if (gpu::deviceCount() > 0) QSKIP("a CUDA device is present");
    DeviceSelector s;
    s.show();
    QVERIFY(!s.box()->isEnabled());
    QCOMPARE(s.device(), QStringLiteral("cpu"));
    QCOMPARE(s.box()->currentText(), QStringLiteral("CPU"));
    QVERIFY(s.reasonLabel()->isVisible());
    QVERIFY(!s.reasonLabel()->isEnabled());  // grey
    const QString why = QString::fromStdString(gpu::unavailableReason());
    QVERIFY(!why.isEmpty());
    QCOMPARE(s.reasonLabel()->text(), QStringLiteral("GPU training unavailable: ") + why);
    QVERIFY(
        s.reasonLabel()->text().contains(gpu::cudaBuild() ? "no CUDA device" : "no CUDA backend"));
    QCOMPARE(s.box()->toolTip(), s.reasonLabel()->text());
    shot(s, QStringLiteral("h22_device_unavailable.png"));
  }

  void listsGpusWithNameAndMemory() {
    DeviceSelector s;
    s.setAvailable(twoGpus(), QString());
    s.show();
    QVERIFY(s.box()->isEnabled());
    QVERIFY(!s.reasonLabel()->isVisible());
    QCOMPARE(s.box()->count(), 3);
    QCOMPARE(s.box()->itemText(1),
             QStringLiteral("cuda:0 · NVIDIA H100 80GB HBM3 · 80.0 GiB, 79.0 GiB free"));
    QCOMPARE(s.box()->itemText(2),
             QStringLiteral("cuda:1 · NVIDIA H200 · 141.0 GiB, 140.0 GiB free"));
    QSignalSpy changed(&s, &DeviceSelector::changed);
    s.box()->setFocus();
    QTest::keyClick(s.box(), Qt::Key_Down);
    QCOMPARE(s.device(), QStringLiteral("cuda:0"));
    QTest::keyClick(s.box(), Qt::Key_Down);
    QCOMPARE(s.device(), QStringLiteral("cuda:1"));
    QCOMPARE(changed.count(), 2);
    QVERIFY(s.info(QStringLiteral("cuda:1")) != nullptr);
    QCOMPARE(s.info(QStringLiteral("cuda:1"))->name, std::string("NVIDIA H200"));
    QVERIFY(s.info(QStringLiteral("cpu")) == nullptr);
    shot(s, QStringLiteral("h22_device_gpus.png"));
  }

  // A project saved on a GPU machine, opened here: the CPU, and a line saying why.
  void savedDeviceMissingFallsBackToCpu() {
    DeviceSelector s;
    s.setAvailable({}, QStringLiteral("no CUDA device found"));
    s.show();
    s.setDevice(QStringLiteral("cuda:1"));
    QCOMPARE(s.device(), QStringLiteral("cpu"));
    QVERIFY(s.reasonLabel()->isVisible());
    QVERIFY2(s.reasonLabel()->text().contains("cuda:1"), qPrintable(s.reasonLabel()->text()));
    QVERIFY(s.reasonLabel()->text().contains("no CUDA device found"));
    // With GPUs listed, "cuda" means cuda:0 and a missing index falls back too.
    s.setAvailable(twoGpus(), QString());
    s.setDevice(QStringLiteral("cuda"));
    QCOMPARE(s.device(), QStringLiteral("cuda:0"));
    s.setDevice(QStringLiteral("cuda:7"));
    QCOMPARE(s.device(), QStringLiteral("cpu"));
    QVERIFY(s.reasonLabel()->text().contains("cuda:7"));
  }

  // The compile panel writes the choice into its fit settings, so the run records fit.device.
  void compilePanelRecordsTheDevice() {
    CompilePanel panel;
    panel.setModel(cnn());
    panel.show();
    QVERIFY(panel.deviceSelector() != nullptr);
    QVERIFY(!panel.fitConfig().contains("device"));  // the CPU: not written, as RunSettings
    QCOMPARE(panel.fitOptions().device, std::string("cpu"));
    panel.deviceSelector()->setAvailable(twoGpus(), QString());
    QSignalSpy changed(&panel, &CompilePanel::changed);
    panel.deviceSelector()->box()->setFocus();
    QTest::keyClick(panel.deviceSelector()->box(), Qt::Key_Down);
    QVERIFY(changed.count() >= 1);
    QCOMPARE(panel.fitConfig().at("device").get<std::string>(), std::string("cuda:0"));
    QCOMPARE(panel.fitOptions().device, std::string("cuda:0"));
    const RunSettings run = RunSettings::fromJson(panel.settings());
    QCOMPARE(run.fit.device, std::string("cuda:0"));
    // Settings read back select the saved device; without "device" the CPU.
    nlohmann::json fit = panel.fitConfig();
    fit["device"] = "cuda:1";
    panel.setFitConfig(fit);
    QCOMPARE(panel.deviceSelector()->device(), QStringLiteral("cuda:1"));
    fit.erase("device");
    panel.setFitConfig(fit);
    QCOMPARE(panel.deviceSelector()->device(), QStringLiteral("cpu"));
    shot(*panel.deviceSelector()->parentWidget(), QStringLiteral("h22_compile_fit_box.png"));
  }

  // Keras's enable_op_determinism as a check box under the device: clicked, the fit settings
  // carry "deterministic": true, the run records it and the FitOptions the Trainer gets ask the
  // GPU plan for deterministic cuDNN algorithms; off is not written (Keras's default).
  void compilePanelRecordsDeterminism() {
    CompilePanel panel;
    panel.setModel(cnn());
    panel.show();
    auto* box = panel.findChild<QCheckBox*>("deterministic");
    QVERIFY(box);
    QVERIFY(!box->isChecked());
    QVERIFY(!panel.fitConfig().contains("deterministic"));
    QVERIFY(!panel.fitOptions().deterministic);
    QSignalSpy changed(&panel, &CompilePanel::changed);
    QTest::mouseClick(box, Qt::LeftButton, {}, QPoint(8, box->height() / 2));
    QVERIFY(box->isChecked());
    QVERIFY(changed.count() >= 1);
    QCOMPARE(panel.fitConfig().at("deterministic").get<bool>(), true);
    QVERIFY(panel.fitOptions().deterministic);
    const RunSettings run = RunSettings::fromJson(panel.settings());
    QVERIFY(run.fit.deterministic);
    QVERIFY(run.fitOptions().deterministic);
    QCOMPARE(run.toJson().at("fit").at("deterministic").get<bool>(), true);
    // TF32 (Keras's enable_tensor_float_32_execution) the same way.
    auto* tf32 = panel.findChild<QCheckBox*>("tf32");
    QVERIFY(tf32);
    QVERIFY(!panel.fitConfig().contains("tf32"));
    QTest::mouseClick(tf32, Qt::LeftButton, {}, QPoint(8, tf32->height() / 2));
    QVERIFY(tf32->isChecked());
    QCOMPARE(panel.fitConfig().at("tf32").get<bool>(), true);
    QVERIFY(panel.fitOptions().tf32);
    QVERIFY(RunSettings::fromJson(panel.settings()).fitOptions().tf32);
    // Read back: a saved run without the key unchecks the box.
    nlohmann::json fit = panel.fitConfig();
    fit.erase("deterministic");
    fit.erase("tf32");
    panel.setFitConfig(fit);
    QVERIFY(!box->isChecked());
    QVERIFY(!tf32->isChecked());
    fit["deterministic"] = true;
    panel.setFitConfig(fit);
    QVERIFY(box->isChecked());
  }

  // Keras's dtype policy as a combo under TF32: greyed out at float32 on the CPU (mixed precision
  // is a GPU option here, and the tooltip says so); with a GPU chosen, picked with the keyboard,
  // written as fit.dtype_policy, recorded in the run and handed to the Trainer; back on the CPU
  // it returns to float32.
  void compilePanelRecordsTheDtypePolicy() {
    CompilePanel panel;
    panel.setModel(cnn());
    panel.show();
    auto* policy = panel.findChild<QComboBox*>("dtypePolicy");
    QVERIFY(policy);
    QCOMPARE(policy->currentText(), QStringLiteral("float32"));
    QVERIFY(!policy->isEnabled());
    QVERIFY(policy->toolTip().contains("GPU"));
    QVERIFY(!panel.fitConfig().contains("dtype_policy"));
    panel.deviceSelector()->setAvailable(twoGpus(), QString());
    panel.deviceSelector()->box()->setFocus();
    QTest::keyClick(panel.deviceSelector()->box(), Qt::Key_Down);
    QCOMPARE(panel.fitOptions().device, std::string("cuda:0"));
    QVERIFY(policy->isEnabled());
    QVERIFY(policy->toolTip().contains("LossScaleOptimizer"));
    QSignalSpy changed(&panel, &CompilePanel::changed);
    policy->setFocus();
    QTest::keyClick(policy, Qt::Key_Down);
    QCOMPARE(policy->currentText(), QStringLiteral("mixed_float16"));
    QVERIFY(changed.count() >= 1);
    QCOMPARE(panel.fitConfig().at("dtype_policy").get<std::string>(), std::string("mixed_float16"));
    QCOMPARE(panel.fitOptions().dtypePolicy, std::string("mixed_float16"));
    const RunSettings run = RunSettings::fromJson(panel.settings());
    QCOMPARE(run.fit.dtypePolicy, std::string("mixed_float16"));
    QCOMPARE(run.fitOptions().dtypePolicy, std::string("mixed_float16"));
    QTest::keyClick(policy, Qt::Key_Down);
    QCOMPARE(panel.fitOptions().dtypePolicy, std::string("mixed_bfloat16"));
    shot(*panel.deviceSelector()->parentWidget(), QStringLiteral("h22_dtype_policy.png"));
    // Read back from saved settings.
    nlohmann::json fit = panel.fitConfig();
    fit["dtype_policy"] = "mixed_float16";
    panel.setFitConfig(fit);
    QCOMPARE(policy->currentText(), QStringLiteral("mixed_float16"));
    // Back to the CPU: float32, greyed out, not written.
    panel.deviceSelector()->box()->setFocus();
    QTest::keyClick(panel.deviceSelector()->box(), Qt::Key_Home);
    QCOMPARE(panel.fitOptions().device, std::string("cpu"));
    QCOMPARE(policy->currentText(), QStringLiteral("float32"));
    QVERIFY(!policy->isEnabled());
    QVERIFY(!panel.fitConfig().contains("dtype_policy"));
  }

  // The same boxes in the whole studio window (1280x800, Train page): scrolled into view in the
  // compile panel and clicked there; the example's fit settings then carry both.
  void gpuOptionsInTheWholeWindow() {
    QStandardPaths::setTestModeEnabled(true);
    QTemporaryDir tmp;
    const QString path = tmp.filePath("Examples.tessel");
    QVERIFY(ExampleLibrary::writeExampleProject(path));
    MainWindow w;
    QVERIFY(w.openProject(path));
    w.resize(1280, 800);
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    w.showPage(MainWindow::Page::Train);
    CompilePanel* panel = w.dashboard()->compilePanel();
    for (const char* name : {"deterministic", "tf32"}) {
      auto* box = panel->findChild<QCheckBox*>(name);
      QVERIFY(box);
      auto* scroll = qobject_cast<QScrollArea*>(panel->parentWidget()->parentWidget());
      if (scroll) scroll->ensureWidgetVisible(box);
      QTest::qWait(50);
      QVERIFY2(box->isVisible() && !box->visibleRegion().isEmpty(), name);
      QTest::mouseClick(box, Qt::LeftButton, {}, QPoint(8, box->height() / 2));
      QVERIFY(box->isChecked());
      QCOMPARE(panel->fitConfig().at(name).get<bool>(), true);
    }
    // The dtype policy in the same window: greyed at float32 on the CPU; with a GPU chosen,
    // opened with a click and mixed_float16 picked from its list.
    auto* scroll = qobject_cast<QScrollArea*>(panel->parentWidget()->parentWidget());
    QVERIFY(scroll);
    auto* policy = panel->findChild<QComboBox*>("dtypePolicy");
    QVERIFY(policy);
    scroll->ensureWidgetVisible(policy);
    QTest::qWait(50);
    QVERIFY(policy->isVisible() && !policy->visibleRegion().isEmpty());
    QVERIFY(!policy->isEnabled());
    QCOMPARE(policy->currentText(), QStringLiteral("float32"));
    panel->deviceSelector()->setAvailable(twoGpus(), QString());
    panel->deviceSelector()->box()->setFocus();
    QTest::keyClick(panel->deviceSelector()->box(), Qt::Key_Down);
    QCOMPARE(panel->fitOptions().device, std::string("cuda:0"));
    QVERIFY(policy->isEnabled());
    scroll->ensureWidgetVisible(policy);
    QTest::qWait(50);
    QTest::mouseClick(policy, Qt::LeftButton, {},
                      QPoint(policy->width() / 2, policy->height() / 2));
    QTRY_VERIFY(policy->view()->isVisible());
    QTest::keyClick(policy->view(), Qt::Key_Down);
    QTest::keyClick(policy->view(), Qt::Key_Return);
    QTRY_VERIFY(!policy->view()->isVisible());
    QCOMPARE(policy->currentText(), QStringLiteral("mixed_float16"));
    QCOMPARE(panel->fitConfig().at("dtype_policy").get<std::string>(),
             std::string("mixed_float16"));
    // The form fits its column: nothing scrolled sideways, every label left of its field.
    QVERIFY(!scroll->horizontalScrollBar()->isVisible());
    QVERIFY2(panel->width() <= scroll->viewport()->width(),
             qPrintable(QString("form %1 px, column %2 px")
                            .arg(panel->width())
                            .arg(scroll->viewport()->width())));
    QCOMPARE(panel->mapTo(scroll->viewport(), QPoint(0, 0)).x(), 0);
    tessel::testutil::saveScreenshot(&w, QStringLiteral("train_gpu_options_1280.png"));
  }

  // The pre-flight check of a GPU run: no usable GPU here is an error naming the reason; the
  // device memory estimate grows with the batch size and counts cuDNN's workspace.
  void preflightChecksTheGpu() {
    Dataset d;
    d.x.push_back(Array(DType::Float32, {16, 12, 12, 1}));
    Array y(DType::Float32, {16});
    d.y.push_back(y);
    CompileOptions c;
    c.losses = {"sparse_categorical_crossentropy"};
    c.optimizer = "adam";
    FitOptions fit;
    fit.batchSize = 8;
    fit.device = "cuda:0";
    const PreflightCheck::Result r = PreflightCheck::run(cnn(), c, d, fit, std::int64_t(1) << 34);
    if (gpu::deviceCount() == 0) {
      QVERIFY(!r.ok());
      auto it = std::find_if(r.items.begin(), r.items.end(),
                             [](const PreflightItem& i) { return i.code == "gpu"; });
      QVERIFY(it != r.items.end());
      QVERIFY2(it->message.find("use --device cpu") != std::string::npos, it->message.c_str());
      QCOMPARE(it->fix, std::string("choose the CPU in the device box"));
    }
    fit.device = "cpu";
    const PreflightCheck::Result cpu = PreflightCheck::run(cnn(), c, d, fit, std::int64_t(1) << 34);
    QVERIFY(std::none_of(cpu.items.begin(), cpu.items.end(), [](const PreflightItem& i) {
      return i.code == "gpu" || i.code == "gpu_memory";
    }));
    // Conv2D 8 3x3 on 12x12: features per sample 144 + 800 + 800 + 3 (+ the input layer).
    const std::int64_t b1 = gpu::estimateDeviceBytes(cnn(), 2507, 1, 2);
    const std::int64_t b101 = gpu::estimateDeviceBytes(cnn(), 2507, 101, 2);
    QVERIFY(b101 > b1);
    QVERIFY((b101 - b1) % 100 == 0);
    QVERIFY((b101 - b1) / 100 >= 4 * 3 * (800 + 800 + 3));
    QVERIFY(b1 > (std::int64_t(256 + 32 + 400) << 20));  // cuDNN, cuBLAS, context
    // An LSTM keeps every step: 20 steps x 16 units x (3 x 4 gates + 6) floats per sample more
    // than its output alone.
    const ModelSpec lstm = ModelSpec::fromKerasJson(nlohmann::json::parse(
        R"({"class_name": "Sequential", "config": {"name": "m", "layers": [{"class_name": "LSTM",
            "config": {"name": "lstm", "units": 16, "batch_input_shape": [null, 20, 3]}}]}})"));
    const std::int64_t l1 = gpu::estimateDeviceBytes(lstm, 1264, 1, 2);
    const std::int64_t l2 = gpu::estimateDeviceBytes(lstm, 1264, 2, 2);
    QVERIFY2(l2 - l1 >= 4 * 20 * 16 * (3 * 4 + 6), qPrintable(QString::number(l2 - l1)));
  }
};

QTEST_MAIN(TestDeviceSelector)
#include "tst_ui_deviceselector.moc"
