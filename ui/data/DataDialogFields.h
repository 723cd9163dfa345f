#pragma once
// What the data dialog's pages share: the source kinds and normalisation modes in combo order,
// and the number fields' conventions (shortest text, "1/255" factors, spin boxes that keep the
// exact stored value until edited).
#include <QString>
#include <optional>

class QComboBox;
class QDoubleSpinBox;
class QWidget;

namespace tessel::ui {

// The Source tab's kinds, in combo (and stacked page) order, and their DataSettings::kind.
enum DataSourceKind {
  BuiltinKind,
  LocalizationKind,
  IdxKind,
  CsvKind,
  ImageFolderKind,
  TfRecordKind,
  TextKind,
  SequenceKind
};
inline constexpr const char* kDataKinds[] = {
    "fashion_mnist", "fashion_mnist_localization", "idx", "csv", "image_folder", "tfrecord",
    "text",          "fashion_mnist_sequence"};
// Kinds read from a file or folder the person chooses.
inline bool isFileKind(int kind) {
  return kind == IdxKind || kind == CsvKind || kind == ImageFolderKind || kind == TfRecordKind ||
         kind == TextKind;
}

// The Normalisation tab's modes, in combo order (DataSettings::normalization).
enum NormalizationMode { NormNone, NormRescale, NormGlobal, NormPerFeature };
inline constexpr const char* kNormalizationModes[] = {"none", "rescale", "standardize_global",
                                                      "standardize_per_feature"};

inline constexpr int kDefaultCacheMb = 256;

// A double in its shortest text that reads back to the same value ("0.1", not "0.10000000000001").
QString shortestText(double v);
// The rescale factor as typed: a number or a fraction "a/b" (Keras users write 1./255).
std::optional<double> parseFactor(const QString& text);
// "1/255" for exactly 1.0 / 255.0 (the Keras default), else the shortest decimal.
QString factorText(double v);

// A spin box remembers the exact value it was loaded with (setSettings) until the user edits it,
// so stored values with more digits than the box shows round-trip unchanged.
void setExact(QDoubleSpinBox* spin, double v);
double exactValue(const QDoubleSpinBox* spin);
void forgetExact(QDoubleSpinBox* spin);

// A [0, 1] factor spin box (3 decimals, step 0.05).
QDoubleSpinBox* factorSpin(QWidget* parent, const char* name, const QString& tip);
void setItemEnabled(QComboBox* combo, int index, bool enabled);

}  // namespace tessel::ui
