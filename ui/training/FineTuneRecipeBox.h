#pragma once
// "Fine-tune in two phases" in the compile panel: the engine's FineTuneRecipe
// (engine/session/FineTuneRecipe.h) as a checkable group — head epochs (phase 1, the base
// frozen), "unfreeze the last N layers", the learning-rate factor and the fine-tune epochs
// (phase 2), and the base's last layer picked from the graph ("freeze everything up to here" in
// phase 1; "(the graph's own flags)" keeps the trainable flags as drawn).
//
// Validated live against the model (setModel): the status line says what each phase trains
// (trainable parameters, from countParameters on the phase's graph) or what is wrong (a base
// layer the graph no longer has, a phase 1 with nothing trainable, an invalid graph). problem()
// is that error (empty when the recipe can run, or when the group is unchecked); a phase 2 that
// unfreezes nothing more than phase 1 is a warning, not an error.
//
// JSON form: FineTuneRecipe::toJson() when checked, null when not (config / setConfig).
#include <QGroupBox>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <utility>

#include "engine/graph/FineTune.h"
#include "engine/graph/ModelSpec.h"
#include "engine/session/FineTuneRecipe.h"

class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QSpinBox;

namespace tessel::ui {

class FineTuneRecipeBox : public QGroupBox {
  Q_OBJECT
 public:
  explicit FineTuneRecipeBox(QWidget* parent = nullptr);

  // The graph the recipe applies to: fills the base-layer list (Keras layer order) and checks.
  void setModel(const ModelSpec& spec);

  // The recipe when checked (whatever problem() says), std::nullopt when not.
  std::optional<FineTuneRecipe> recipe() const;
  nlohmann::json config() const;
  // null / not an object: unchecked. A bad recipe JSON leaves the group unchecked.
  void setConfig(const nlohmann::json& config);
  // Why Train cannot run this recipe; empty when it can or the group is unchecked.
  QString problem() const { return problem_; }
  // The status line's text (what each phase trains, or the problem).
  QString statusText() const;

  QSpinBox* headEpochsBox() const { return headEpochs_; }
  QSpinBox* unfreezeLastBox() const { return unfreezeLast_; }
  QDoubleSpinBox* lrFactorBox() const { return lrFactor_; }
  QSpinBox* fineTuneEpochsBox() const { return fineTuneEpochs_; }
  QComboBox* baseEndBox() const { return baseEnd_; }
  QLabel* statusLabel() const { return status_; }

 signals:
  void changed();

 private:
  void validate();
  void onEdited();
  // countParameters of a phase's graph, cached by (base end, unfreeze last; -1 = phase 1).
  ParamCounts counts(const FineTuneRecipe& r, bool phase2);

  QSpinBox* headEpochs_;
  QSpinBox* unfreezeLast_;
  QDoubleSpinBox* lrFactor_;
  QSpinBox* fineTuneEpochs_;
  QComboBox* baseEnd_;
  QLabel* status_;
  ModelSpec spec_;
  int layerCount_ = 0;
  std::map<std::pair<std::string, int>, ParamCounts> cache_;
  QString problem_;
  bool building_ = false;
};

}  // namespace tessel::ui
