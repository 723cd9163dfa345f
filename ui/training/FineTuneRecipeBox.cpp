#include "ui/training/FineTuneRecipeBox.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QLabel>
#include <QLocale>
#include <QSpinBox>
#include <QVBoxLayout>
#include <exception>

#include "engine/core/Error.h"
#include "engine/graph/LayerOrder.h"

namespace tessel::ui {

namespace {

QString number(Index n) {
  return QLocale(QLocale::English).toString(static_cast<qlonglong>(n));
}

}  // namespace

FineTuneRecipeBox::FineTuneRecipeBox(QWidget* parent)
    : QGroupBox(tr("Fine-tune in two phases"), parent) {
  setObjectName("fineTuneRecipe");
  setCheckable(true);
  setChecked(false);
  setToolTip(
      tr("Keras's transfer-learning recipe as one run: train the head with the base frozen, then "
         "unfreeze the last layers and continue at a lower learning rate (the optimizer is "
         "compiled again). A marker in the curves shows where phase 2 starts."));
  const FineTuneRecipe defaults;
  headEpochs_ = new QSpinBox(this);
  headEpochs_->setObjectName("headEpochsBox");
  headEpochs_->setRange(1, 1000000);
  headEpochs_->setValue(defaults.headEpochs);
  unfreezeLast_ = new QSpinBox(this);
  unfreezeLast_->setObjectName("unfreezeLastBox");
  unfreezeLast_->setRange(0, 1000000);
  unfreezeLast_->setValue(defaults.unfreezeLast);
  unfreezeLast_->setToolTip(
      tr("Phase 2: all layers frozen, then the last N of model.layers "
         "trainable (InputLayers count, as in Keras's layers[-N:])"));
  lrFactor_ = new QDoubleSpinBox(this);
  lrFactor_->setObjectName("lrFactorBox");
  lrFactor_->setDecimals(4);
  lrFactor_->setRange(0.0001, 100);
  lrFactor_->setSingleStep(0.05);
  lrFactor_->setValue(defaults.lrFactor);
  lrFactor_->setToolTip(tr("Phase 2's learning rate is phase 1's last learning rate times this"));
  fineTuneEpochs_ = new QSpinBox(this);
  fineTuneEpochs_->setObjectName("fineTuneEpochsBox");
  fineTuneEpochs_->setRange(1, 1000000);
  fineTuneEpochs_->setValue(defaults.fineTuneEpochs);
  baseEnd_ = new QComboBox(this);
  baseEnd_->setObjectName("baseEndBox");
  // Long layer names elide instead of widening the compile column.
  baseEnd_->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
  baseEnd_->setMinimumContentsLength(12);
  baseEnd_->setToolTip(tr("Phase 1 freezes this layer and every layer before it"));
  status_ = new QLabel(this);
  status_->setObjectName("fineTuneStatus");
  status_->setWordWrap(true);

  // The status line below the form (a word-wrapped label in a form row gets too little height).
  auto* layout = new QVBoxLayout(this);
  auto* form = new QFormLayout;
  form->addRow(tr("head epochs"), headEpochs_);
  form->addRow(tr("base ends at"), baseEnd_);
  form->addRow(tr("unfreeze last N layers"), unfreezeLast_);
  form->addRow(tr("learning-rate factor"), lrFactor_);
  form->addRow(tr("fine-tune epochs"), fineTuneEpochs_);
  layout->addLayout(form);
  layout->addWidget(status_);

  for (QSpinBox* b : {headEpochs_, unfreezeLast_, fineTuneEpochs_})
    connect(b, &QSpinBox::valueChanged, this, &FineTuneRecipeBox::onEdited);
  connect(lrFactor_, &QDoubleSpinBox::valueChanged, this, &FineTuneRecipeBox::onEdited);
  connect(baseEnd_, &QComboBox::currentIndexChanged, this, &FineTuneRecipeBox::onEdited);
  connect(this, &QGroupBox::toggled, this, &FineTuneRecipeBox::onEdited);
  setModel(ModelSpec{});
}

void FineTuneRecipeBox::setModel(const ModelSpec& spec) {
  building_ = true;
  const QString current = baseEnd_->currentData().toString();
  spec_ = spec;
  cache_.clear();
  baseEnd_->clear();
  baseEnd_->addItem(tr("(the graph's own trainable flags)"), QString());
  layerCount_ = 0;
  for (const std::string& name : kerasLayerOrder(spec)) {
    ++layerCount_;
    const NodeSpec* n = spec.find(name);
    if (!n || n->isInput()) continue;
    const QString q = QString::fromStdString(name);
    baseEnd_->addItem(QStringLiteral("%1 (%2)").arg(q, QString::fromStdString(n->className)), q);
  }
  int index = baseEnd_->findData(current);
  if (index < 0 && !current.isEmpty()) {  // kept, and reported: the graph lost that layer
    baseEnd_->addItem(tr("%1 (not in the graph)").arg(current), current);
    index = baseEnd_->count() - 1;
  }
  baseEnd_->setCurrentIndex(std::max(0, index));
  building_ = false;
  validate();
}

std::optional<FineTuneRecipe> FineTuneRecipeBox::recipe() const {
  if (!isChecked()) return std::nullopt;
  FineTuneRecipe r;
  r.headEpochs = headEpochs_->value();
  r.unfreezeLast = unfreezeLast_->value();
  r.lrFactor = lrFactor_->value();
  r.fineTuneEpochs = fineTuneEpochs_->value();
  r.baseEnd = baseEnd_->currentData().toString().toStdString();
  return r;
}

nlohmann::json FineTuneRecipeBox::config() const {
  const std::optional<FineTuneRecipe> r = recipe();
  return r ? r->toJson() : nlohmann::json();
}

void FineTuneRecipeBox::setConfig(const nlohmann::json& config) {
  building_ = true;
  std::optional<FineTuneRecipe> r;
  if (config.is_object()) try {
      r = FineTuneRecipe::fromJson(config);
    } catch (const std::exception&) {
      r.reset();
    }
  if (r) {
    headEpochs_->setValue(r->headEpochs);
    unfreezeLast_->setValue(r->unfreezeLast);
    lrFactor_->setValue(r->lrFactor);
    fineTuneEpochs_->setValue(r->fineTuneEpochs);
    const QString base = QString::fromStdString(r->baseEnd);
    int index = baseEnd_->findData(base);
    if (index < 0) {
      baseEnd_->addItem(tr("%1 (not in the graph)").arg(base), base);
      index = baseEnd_->count() - 1;
    }
    baseEnd_->setCurrentIndex(index);
  }
  setChecked(r.has_value());
  building_ = false;
  validate();
}

ParamCounts FineTuneRecipeBox::counts(const FineTuneRecipe& r, bool phase2) {
  const auto key = std::make_pair(r.baseEnd, phase2 ? r.unfreezeLast : -1);
  if (auto it = cache_.find(key); it != cache_.end()) return it->second;
  const ParamCounts c = countParameters(phase2 ? r.phase2(spec_) : r.phase1(spec_));
  cache_[key] = c;
  return c;
}

void FineTuneRecipeBox::validate() {
  problem_.clear();
  QString text, color;
  const std::optional<FineTuneRecipe> r = recipe();
  if (!r) {
    status_->setText(tr("Off: Train runs the Fit settings' epochs."));
    status_->setStyleSheet(QString());
    return;
  }
  try {
    if (spec_.nodes.empty() || spec_.outputs.empty()) throw Error("the model has no outputs yet");
    if (!r->baseEnd.empty() && !spec_.find(r->baseEnd))
      throw Error("the base layer '" + r->baseEnd + "' is not in the graph: pick another");
    const ParamCounts one = counts(*r, false), two = counts(*r, true);
    if (one.trainable == 0)
      throw Error(
          "phase 1 has nothing to train: every layer with weights is frozen (pick an "
          "earlier base layer, or unfreeze the head)");
    const int epochs = r->headEpochs + r->fineTuneEpochs;
    text = tr("Phase 1: %1 trainable parameters for %2 epochs.\nPhase 2: the last %3 layers, %4 "
              "trainable parameters, learning rate \u00d7 %5, for %6 epochs (%7 epochs in all).")
               .arg(number(one.trainable))
               .arg(r->headEpochs)
               .arg(std::min(r->unfreezeLast, layerCount_))
               .arg(number(two.trainable))
               .arg(r->lrFactor)
               .arg(r->fineTuneEpochs)
               .arg(epochs);
    if (two.trainable == 0) {
      throw Error("phase 2 has nothing to train: the last " + std::to_string(r->unfreezeLast) +
                  " layers hold no weights (unfreeze more layers)");
    } else if (two.trainable <= one.trainable) {
      text += QLatin1Char(' ') + tr("Warning: phase 2 trains no more than phase 1.");
      color = QStringLiteral("color: #b06000");
    }
  } catch (const std::exception& e) {
    problem_ = tr("Fine-tune: %1").arg(QString::fromUtf8(e.what()));
    text = problem_;
    color = QStringLiteral("color: #c00000");
  }
  status_->setText(text);
  status_->setStyleSheet(color);
}

QString FineTuneRecipeBox::statusText() const {
  return status_->text();
}

void FineTuneRecipeBox::onEdited() {
  if (building_) return;
  validate();
  emit changed();
}

}  // namespace tessel::ui
