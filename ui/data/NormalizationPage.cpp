#include "ui/data/NormalizationPage.h"

#include <QComboBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>

#include "ui/data/DataDialogFields.h"

namespace tessel::ui {

NormalizationPage::NormalizationPage(QWidget* parent) : QWidget(parent) {
  auto* layout = new QVBoxLayout(this);
  auto* form = new QFormLayout;
  norm_ = new QComboBox(this);
  norm_->setObjectName("normalizationCombo");
  norm_->addItem(tr("none"), kNormalizationModes[NormNone]);
  norm_->addItem(tr("rescale (x * factor, Keras Rescaling)"), kNormalizationModes[NormRescale]);
  norm_->addItem(tr("standardize_global (one mean/std over the training split)"),
                 kNormalizationModes[NormGlobal]);
  norm_->addItem(tr("standardize_per_feature (per CSV column, fitted on the training split)"),
                 kNormalizationModes[NormPerFeature]);
  rescale_ = new QLineEdit(factorText(1.0 / 255.0), this);
  rescale_->setObjectName("rescaleEdit");
  rescale_->setToolTip(tr("A number or a fraction such as 1/255"));
  stats_ = new QLineEdit(this);
  stats_->setObjectName("statisticsEdit");
  stats_->setReadOnly(true);
  form->addRow(tr("Mode"), norm_);
  form->addRow(tr("Rescale factor"), rescale_);
  form->addRow(tr("Fitted statistics"), stats_);
  layout->addLayout(form);
  note_ = new QLabel(this);
  note_->setObjectName("normalizationNoteLabel");
  note_->setWordWrap(true);
  layout->addWidget(note_);
  layout->addStretch(1);
  connect(norm_, &QComboBox::currentIndexChanged, this, [this] {
    update();
    emit modeChanged();
  });
  update();
}

int NormalizationPage::mode() const {
  return norm_->currentIndex();
}

void NormalizationPage::setSourceKind(int kind) {
  kind_ = kind;
  // Per feature is for CSV columns; the CSV import only standardises per column.
  const bool file = isFileKind(kind);
  const bool csv = kind == CsvKind;
  norm_->setEnabled(file && kind != TextKind);  // text: ids are not scaled
  setItemEnabled(norm_, NormRescale, !csv);
  setItemEnabled(norm_, NormGlobal, !csv);
  setItemEnabled(norm_, NormPerFeature, csv);
  if (file && (csv ? (norm_->currentIndex() == NormRescale || norm_->currentIndex() == NormGlobal)
                   : norm_->currentIndex() == NormPerFeature))
    norm_->setCurrentIndex(NormNone);
  update();
}

void NormalizationPage::applyKindDefaults(int kind) {
  // Images are 0..255: Rescaling(1/255); CSV numeric columns are standardised per feature.
  if (kind == CsvKind)
    norm_->setCurrentIndex(NormPerFeature);
  else if (kind == IdxKind || kind == ImageFolderKind || kind == TfRecordKind)
    norm_->setCurrentIndex(NormRescale);
  else
    norm_->setCurrentIndex(NormNone);
}

void NormalizationPage::setFitted(double mean, double std) {
  if (!(std > 0) || !std::isfinite(mean)) return;
  fitted_ = true;
  fittedMean_ = mean;
  fittedStd_ = std;
  update();
}

void NormalizationPage::forgetFitted() {
  fitted_ = false;
  fittedMean_ = 0.0;
  fittedStd_ = 1.0;
  update();
}

void NormalizationPage::update() {
  const int mode = norm_->currentIndex();
  rescale_->setEnabled(norm_->isEnabled() && mode == NormRescale);
  stats_->setEnabled(norm_->isEnabled() && mode == NormGlobal);
  if (mode == NormGlobal && fitted_)
    stats_->setText(tr("mean %1, std %2").arg(shortestText(fittedMean_), shortestText(fittedStd_)));
  else if (mode == NormGlobal)
    stats_->setText(tr("not fitted yet (fitted on the training split when the data is loaded)"));
  else
    stats_->clear();
  QString note;
  if (kind_ == BuiltinKind)
    note = tr("Built-in Fashion-MNIST is standardised with one mean/std.");
  else if (kind_ == LocalizationKind)
    note = tr("The generated localization images are in [0, 1].");
  else if (kind_ == SequenceKind)
    note = tr("The generated strips are in [0, 1] (uint8 pixels scaled by 1/255).");
  else if (mode == NormRescale)
    note = tr("x * factor, as Keras's Rescaling layer (1/255 maps 0..255 to 0..1).");
  else if (mode == NormGlobal)
    note = tr("(x - mean) / std with one mean and std over every value of the training split.");
  else if (mode == NormPerFeature)
    note =
        tr("Each numeric CSV column: (x - mean) / std over the training split (scikit-learn "
           "StandardScaler).");
  else
    note = tr("The values are used as they are.");
  note_->setText(note);
}

void NormalizationPage::load(const DataSettings& s, const std::string& normalization) {
  for (int i = 0; i < norm_->count(); ++i)
    if (norm_->itemData(i).toString().toStdString() == normalization) norm_->setCurrentIndex(i);
  rescale_->setText(factorText(s.rescale));
  fitted_ = s.normalization == "standardize_global" && !(s.mean == 0.0 && s.std == 1.0);
  fittedMean_ = fitted_ ? s.mean : 0.0;
  fittedStd_ = fitted_ ? s.std : 1.0;
}

void NormalizationPage::store(DataSettings& s) const {
  s.normalization = kNormalizationModes[std::max(0, norm_->currentIndex())];
  if (std::optional<double> f = parseFactor(rescale_->text())) s.rescale = *f;
  if (s.normalization == "standardize_global" && fitted_) {
    s.mean = fittedMean_;
    s.std = fittedStd_;
  }
}

bool NormalizationPage::rescaleValid() const {
  return parseFactor(rescale_->text()).has_value();
}

}  // namespace tessel::ui
