// CompilePanel: Keras training_config JSON in and out (single and multi-output, dict forms,
// schedules), Keras defaults of optimizers and callbacks, the engine callbacks built from the
// config; and a multi-output model (resources/examples/wide_deep_multi_output) trained from the
// dashboard with one plot per output.
#include <qcustomplot.h>
#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QGroupBox>
#include <QPushButton>
#include <QSpinBox>
#include <QTableWidget>
#include <QtTest>

#include "engine/callbacks/EarlyStopping.h"
#include "engine/callbacks/ModelCheckpoint.h"
#include "engine/callbacks/ReduceLROnPlateau.h"
#include "engine/callbacks/TerminateOnNaN.h"
#include "engine/catalog/CallbackCatalog.h"
#include "engine/core/Rng.h"
#include "engine/io/TfjsModel.h"
#include "engine/session/RunCallbacks.h"
#include "ui/training/CompilePanel.h"
#include "ui/training/LossPlot.h"
#include "ui/training/TrainingController.h"
#include "ui/training/TrainingDashboard.h"
#include "ui/training/TrainingPanel.h"

using namespace tessel;
using namespace tessel::ui;

namespace {

ModelSpec wideDeep() {
  return readModelFile(TESSEL_SOURCE_DIR "/resources/examples/wide_deep_multi_output/model.json")
      .spec;
}

ModelSpec classifier() {
  json m = {{"class_name", "Sequential"},
            {"config",
             {{"name", "clf"},
              {"layers",
               {{{"class_name", "Dense"},
                 {"config",
                  {{"name", "dense"},
                   {"units", 10},
                   {"activation", "softmax"},
                   {"batch_input_shape", {nullptr, 4}}}}}}}}}};
  return ModelSpec::fromKerasJson(m);
}

// Inputs in the model's input order (input_wide (N,5), input_deep (N,6)); two regression targets.
Dataset wideDeepData(const ModelSpec& spec, Index n) {
  Rng rng(3);
  Dataset d;
  for (const auto& in : spec.inputs) {
    Index w = in == "input_wide" ? 5 : 6;
    Array x(DType::Float32, {n, w});
    auto* p = reinterpret_cast<float*>(x.bytes());
    for (Index i = 0; i < n * w; ++i) p[i] = rng.uniform(-1, 1);
    d.x.push_back(x);
  }
  for (size_t k = 0; k < spec.outputs.size(); ++k) {
    Array y(DType::Float32, {n, 1});
    auto* p = reinterpret_cast<float*>(y.bytes());
    const float* x0 = reinterpret_cast<const float*>(d.x[0].bytes());
    for (Index i = 0; i < n; ++i) p[i] = x0[i * 5] * (k == 0 ? 1.0f : -0.5f) + 0.2f;
    d.y.push_back(y);
  }
  return d;
}

}  // namespace

class TestCompilePanel : public QObject {
  Q_OBJECT

 private slots:
  void defaultsFromTheModel() {
    CompilePanel p;
    p.setModel(classifier());
    QCOMPARE(p.lossBox(0)->currentText(), QString("sparse_categorical_crossentropy"));
    json tc = p.trainingConfig();
    QCOMPARE(tc["loss"], json("sparse_categorical_crossentropy"));
    QCOMPARE(tc["metrics"], json({"accuracy"}));
    QVERIFY(tc["loss_weights"].is_null());
    // Keras compile() default optimizer: RMSprop with Keras defaults.
    QCOMPARE(tc["optimizer_config"]["class_name"], json("RMSprop"));
    json c = tc["optimizer_config"]["config"];
    QCOMPARE(c["learning_rate"].get<double>(), 0.001);
    QCOMPARE(c["rho"].get<double>(), 0.9);
    QCOMPARE(c["epsilon"].get<double>(), 1e-7);
    QCOMPARE(c["centered"], json(false));
    // Switching the optimizer shows its own Keras defaults.
    p.optimizerBox()->setCurrentText("Adam");
    c = p.trainingConfig()["optimizer_config"]["config"];
    QCOMPARE(c["beta_1"].get<double>(), 0.9);
    QCOMPARE(c["beta_2"].get<double>(), 0.999);
    QCOMPARE(c["amsgrad"], json(false));
    QCOMPARE(p.learningRateBox()->value(), 0.001);
    // The engine accepts it.
    CompileOptions co = p.compileOptions();
    QCOMPARE(co.losses.size(), size_t(1));
    FitOptions f = p.fitOptions();
    QCOMPARE(f.batchSize, 32);
    QCOMPARE(f.validationSplit, 0.0);
  }

  void trainingConfigRoundTrip() {
    CompilePanel p;
    ModelSpec spec = wideDeep();
    p.setModel(spec);
    QCOMPARE(p.outputNames().size(), 2);
    const std::string o0 = spec.outputs[0], o1 = spec.outputs[1];
    json tc = {{"loss", {{o0, "mse"}, {o1, "mae"}}},
               {"metrics", {{o0, {"mae"}}, {o1, json::array()}}},
               {"loss_weights", {{o0, 0.9}, {o1, 0.1}}},
               {"optimizer_config",
                {{"class_name", "SGD"},
                 {"config",
                  {{"learning_rate",
                    {{"class_name", "ExponentialDecay"},
                     {"config",
                      {{"initial_learning_rate", 0.05},
                       {"decay_steps", 100},
                       {"decay_rate", 0.5},
                       {"staircase", true}}}}},
                   {"momentum", 0.9},
                   {"nesterov", true}}}}}};
    p.setTrainingConfig(tc);
    json back = p.trainingConfig();
    QCOMPARE(back["loss"], tc["loss"]);
    QCOMPARE(back["metrics"], tc["metrics"]);
    QCOMPARE(back["loss_weights"], tc["loss_weights"]);
    QCOMPARE(back["optimizer_config"]["class_name"], json("SGD"));
    QCOMPARE(back["optimizer_config"]["config"]["learning_rate"],
             tc["optimizer_config"]["config"]["learning_rate"]);
    QCOMPARE(back["optimizer_config"]["config"]["momentum"].get<double>(), 0.9);
    QCOMPARE(back["optimizer_config"]["config"]["nesterov"], json(true));
    // Through the engine's parser too.
    CompileOptions co = p.compileOptions();
    QCOMPARE(co.lossWeights, std::vector<double>({0.9, 0.1}));
    // Fit and callbacks survive settings() -> setSettings() on a fresh panel.
    p.epochsBox()->setValue(7);
    p.batchSizeBox()->setValue(64);
    p.validationSplitBox()->setValue(0.2);
    json cbs = {{{"class_name", "EarlyStopping"},
                 {"config", {{"monitor", "val_loss"}, {"patience", 3}, {"min_delta", 0.01}}}},
                {{"class_name", "TerminateOnNaN"}, {"config", json::object()}}};
    p.setCallbacksConfig(cbs);
    json s = p.settings();
    CompilePanel q;
    q.setModel(spec);
    q.setSettings(s);
    QCOMPARE(q.settings(), s);
    QCOMPARE(q.fitOptions().epochs, 7);
    QCOMPARE(q.fitOptions().batchSize, 64);
  }

  void callbackDefaultsAndEngineObjects() {
    CompilePanel p;
    p.setModel(classifier());
    QCOMPARE(p.callbacksConfig(), json::array());
    // Check every callback box: Keras 2 defaults.
    for (auto* box : p.findChildren<QGroupBox*>())
      if (box->isCheckable()) box->setChecked(true);
    json cbs = p.callbacksConfig();
    // One box per catalog callback the form can edit (all but LearningRateScheduler), each
    // showing the catalog's defaults (ModelCheckpoint's filepath empty: kept in the project).
    QCOMPARE(cbs.size(), callbackCatalog().all().size() - 1);
    for (const json& c : cbs) {
      const CallbackEntry& e = callbackCatalog().get(c["class_name"].get<std::string>());
      json expected = e.defaultConfig();
      for (const ParamSpec& ps : e.params)
        if (ps.required) expected[ps.key] = ps.suggested;
      if (e.className == "ModelCheckpoint") expected["filepath"] = "";
      QCOMPARE(c["config"], expected);
    }
    std::map<std::string, json> byName;
    for (const json& c : cbs) byName[c["class_name"]] = c["config"];
    QCOMPARE(byName["EarlyStopping"]["patience"], json(0));
    QCOMPARE(byName["EarlyStopping"]["restore_best_weights"], json(false));
    QVERIFY(byName["EarlyStopping"]["baseline"].is_null());
    QCOMPARE(byName["ReduceLROnPlateau"]["factor"].get<double>(), 0.1);
    QCOMPARE(byName["ReduceLROnPlateau"]["patience"], json(10));
    QCOMPARE(byName["ReduceLROnPlateau"]["min_delta"].get<double>(), 1e-4);
    QCOMPARE(byName["ModelCheckpoint"]["save_freq"], json("epoch"));
    QCOMPARE(byName["ModelCheckpoint"]["save_best_only"], json(false));
    QCOMPARE(byName["TerminateOnNaN"], json::object());
    QCOMPARE(byName["CSVLogger"]["separator"], json(","));
    byName.erase("CSVLogger");    // would write training.log in the working folder
    byName.erase("ResetStates");  // stateful RNNs only (tst_engine_layers_stateful)

    byName["EarlyStopping"]["patience"] = 4;
    byName["ReduceLROnPlateau"]["factor"] = 0.5;
    json list = json::array();
    for (auto& [k, v] : byName) list.push_back({{"class_name", k}, {"config", v}});
    auto made = makeCallbacks(list);
    QCOMPARE(made.size(), size_t(4));
    int seen = 0;
    for (auto& c : made) {
      if (auto* e = dynamic_cast<EarlyStopping*>(c.get())) {
        QCOMPARE(e->options().patience, 4);
        ++seen;
      }
      if (auto* r = dynamic_cast<ReduceLROnPlateau*>(c.get())) {
        QCOMPARE(r->options().factor, 0.5);
        ++seen;
      }
      if (dynamic_cast<ModelCheckpoint*>(c.get())) ++seen;
      if (dynamic_cast<TerminateOnNaN*>(c.get())) ++seen;
    }
    QCOMPARE(seen, 4);
    QVERIFY_THROWS_EXCEPTION(std::exception,
                             makeCallbacks(json::array({{{"class_name", "CSVLoggerX"}}})));
  }

  void multiOutputDashboard() {
    ModelSpec spec = wideDeep();
    TrainingDashboard dash;
    dash.resize(1400, 900);
    dash.show();
    dash.setModel(spec);
    dash.setData(wideDeepData(spec, 200));
    CompilePanel* cp = dash.compilePanel();
    // Loss weights column is shown for two outputs.
    auto* table = cp->findChild<QTableWidget*>("outputTable");
    QVERIFY(table);
    QCOMPARE(table->rowCount(), 2);
    QVERIFY(!table->isColumnHidden(2));
    cp->setTrainingConfig(
        readModelFile(TESSEL_SOURCE_DIR "/resources/examples/wide_deep_multi_output/model.json")
            .trainingConfig);
    QCOMPARE(cp->lossBox(1)->currentText(), QString("mean_squared_error"));
    cp->epochsBox()->setValue(3);
    cp->batchSizeBox()->setValue(16);
    cp->validationSplitBox()->setValue(0.2);
    TrainingPanel* panel = dash.trainingPanel();
    QCOMPARE(panel->outputPlotNames().size(), 2);
    QTest::mouseClick(panel->startButton(), Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(!panel->controller()->isRunning(), 15000);
    for (const auto& out : spec.outputs) {
      LossPlot* p = panel->outputPlot(QString::fromStdString(out));
      QVERIFY(p);
      QString key = QString::fromStdString(out) + "_loss";
      QCOMPARE(p->epochValues(key).size(), 3);
      QCOMPARE(p->epochValues("val_" + key).size(), 3);
      QVERIFY(p->epochValues("loss").isEmpty());  // only this output's keys
      QCOMPARE(p->batchPointCount(), 0);
    }
    QCOMPARE(panel->plot()->epochValues("loss").size(), 3);
  }
};

QTEST_MAIN(TestCompilePanel)
#include "tst_ui_compilepanel.moc"
