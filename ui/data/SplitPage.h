#pragma once
// The data dialog's Split tab: fractions {train, validation, test} + seed (sum <= 1), or given
// files: a training / validation / test file or folder (DataSettings::trainFile ...).
#include <QList>
#include <QWidget>

#include "engine/data/DataSettings.h"

class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QRadioButton;
class QSpinBox;
class QVBoxLayout;

namespace tessel::ui {

class SplitPage : public QWidget {
  Q_OBJECT
 public:
  explicit SplitPage(QWidget* parent);

  // Built-in sets have their own split; the localization set takes the seed.
  void setSourceKind(bool file, bool localization);
  bool givenFiles() const;  // the given-files mode is chosen
  void load(const DataSettings& s);
  // Fractions and seed; with `file` sources in given-files mode, the files.
  void store(DataSettings& s, bool file) const;
  // OK: throws Error when the fractions or the given files do not work (image folders need
  // folders).
  void check(bool imageFolder) const;

  QRadioButton* fractionsRadio() const { return fractionsRadio_; }
  QRadioButton* givenFilesRadio() const { return givenRadio_; }
  QDoubleSpinBox* trainFractionSpin() const { return train_; }
  QDoubleSpinBox* validationFractionSpin() const { return valid_; }
  QDoubleSpinBox* testFractionSpin() const { return test_; }
  QSpinBox* seedSpin() const { return seed_; }
  QLabel* fractionSumLabel() const { return fractionSum_; }
  QLineEdit* trainFileEdit() const { return trainFile_; }
  QLineEdit* validationFileEdit() const { return validFile_; }
  QLineEdit* testFileEdit() const { return testFile_; }

 signals:
  void modeToggled();                                             // fractions <-> given files
  void fractionsEdited();                                         // by the person
  void browseRequested(QLineEdit* edit, const QString& caption);  // a given file's Browse...

 private:
  void buildFractions(QVBoxLayout* parent);
  void buildGivenFiles(QVBoxLayout* parent);
  void update();  // fractions vs given files, the sum line

  QRadioButton *fractionsRadio_, *givenRadio_;
  QDoubleSpinBox *train_, *valid_, *test_;
  QSpinBox* seed_;
  QLabel* fractionSum_;
  QLineEdit *trainFile_, *validFile_, *testFile_;
  QList<QWidget*> givenWidgets_;  // edits and browse buttons of the given files
  QLabel* splitNote_;
  bool file_ = false;     // the source is read from files
  bool loading_ = false;  // load() is filling the fields
};

}  // namespace tessel::ui
