#pragma once
// The data dialog's Normalisation tab: none | rescale (factor, "1/255" accepted) |
// standardize_global (statistics fitted on the training split, shown read-only once known) |
// standardize_per_feature (CSV only; it sets the numeric columns' standardize).
#include <QWidget>

#include "engine/data/DataSettings.h"

class QComboBox;
class QLabel;
class QLineEdit;

namespace tessel::ui {

class NormalizationPage : public QWidget {
  Q_OBJECT
 public:
  explicit NormalizationPage(QWidget* parent);

  // The modes the source kind (DataSourceKind) allows; an unfit mode becomes none.
  void setSourceKind(int kind);
  // A kind chosen by the person: its usual mode (images Rescaling(1/255), CSV per feature).
  void applyKindDefaults(int kind);
  int mode() const;  // NormalizationMode
  // The standardize_global statistics fitted on the training split (shown read-only).
  void setFitted(double mean, double std);
  void forgetFitted();
  bool hasFitted() const { return fitted_; }
  // The mode shown is `normalization` (it may differ from s.normalization for older CSV
  // settings); the rescale factor and fitted statistics come from `s`.
  void load(const DataSettings& s, const std::string& normalization);
  void store(DataSettings& s) const;
  // The rescale factor reads as a number or a fraction.
  bool rescaleValid() const;

  QComboBox* normalizationCombo() const { return norm_; }
  QLineEdit* rescaleEdit() const { return rescale_; }
  QLineEdit* statisticsEdit() const { return stats_; }

 signals:
  void modeChanged();

 private:
  void update();  // rescale / statistics fields of the mode, the note

  QComboBox* norm_;
  QLineEdit* rescale_;
  QLineEdit* stats_;
  QLabel* note_;
  int kind_ = 0;
  bool fitted_ = false;  // standardize_global statistics known for the current source
  double fittedMean_ = 0.0, fittedStd_ = 1.0;
};

}  // namespace tessel::ui
