#include "ui/data/SplitPage.h"

#include <QButtonGroup>
#include <QDoubleSpinBox>
#include <QFileInfo>
#include <QGridLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRadioButton>
#include <QSpinBox>
#include <QVBoxLayout>
#include <algorithm>

#include "engine/core/Error.h"
#include "ui/data/DataDialogFields.h"

namespace tessel::ui {

SplitPage::SplitPage(QWidget* parent) : QWidget(parent) {
  auto* layout = new QVBoxLayout(this);
  fractionsRadio_ = new QRadioButton(tr("Fractions of the source, shuffled with a seed"), this);
  fractionsRadio_->setObjectName("fractionsRadio");
  givenRadio_ = new QRadioButton(tr("Given files (the fractions are not used)"), this);
  givenRadio_->setObjectName("givenFilesRadio");
  auto* group = new QButtonGroup(this);
  group->addButton(fractionsRadio_);
  group->addButton(givenRadio_);
  fractionsRadio_->setChecked(true);

  layout->addWidget(fractionsRadio_);
  buildFractions(layout);
  layout->addSpacing(8);
  layout->addWidget(givenRadio_);
  buildGivenFiles(layout);
  splitNote_ = new QLabel(this);
  splitNote_->setObjectName("splitNoteLabel");
  splitNote_->setWordWrap(true);
  layout->addSpacing(8);
  layout->addWidget(splitNote_);
  layout->addStretch(1);

  connect(fractionsRadio_, &QRadioButton::toggled, this, [this] {
    update();
    emit modeToggled();
  });
  for (QDoubleSpinBox* s : {train_, valid_, test_})
    connect(s, &QDoubleSpinBox::valueChanged, this, [this, s] {
      if (loading_) return;
      forgetExact(s);
      update();
      emit fractionsEdited();
    });
  update();
}

void SplitPage::buildFractions(QVBoxLayout* parent) {
  auto* fractions = new QGridLayout;
  fractions->setContentsMargins(24, 0, 0, 0);
  train_ = new QDoubleSpinBox(this);
  train_->setObjectName("trainFractionSpin");
  valid_ = new QDoubleSpinBox(this);
  valid_->setObjectName("validFractionSpin");
  test_ = new QDoubleSpinBox(this);
  test_->setObjectName("testFractionSpin");
  for (QDoubleSpinBox* s : {train_, valid_, test_}) {
    s->setRange(0, 1);
    s->setSingleStep(0.05);
    s->setDecimals(3);
  }
  train_->setValue(0.8);
  valid_->setValue(0.1);
  test_->setValue(0.1);
  seed_ = new QSpinBox(this);
  seed_->setObjectName("seedSpin");
  seed_->setRange(0, 1 << 30);
  seed_->setToolTip(tr("Seed of the shuffle before splitting (and of the generated set)"));
  fractionSum_ = new QLabel(this);
  fractionSum_->setObjectName("fractionSumLabel");
  fractions->addWidget(new QLabel(tr("Train"), this), 0, 0);
  fractions->addWidget(train_, 0, 1);
  fractions->addWidget(new QLabel(tr("Validation"), this), 1, 0);
  fractions->addWidget(valid_, 1, 1);
  fractions->addWidget(new QLabel(tr("Test"), this), 2, 0);
  fractions->addWidget(test_, 2, 1);
  fractions->addWidget(new QLabel(tr("Seed"), this), 3, 0);
  fractions->addWidget(seed_, 3, 1);
  fractions->addWidget(fractionSum_, 4, 0, 1, 3);
  fractions->setColumnStretch(2, 1);
  parent->addLayout(fractions);
}

void SplitPage::buildGivenFiles(QVBoxLayout* parent) {
  auto* given = new QGridLayout;
  given->setContentsMargins(24, 0, 0, 0);
  auto addFile = [&](int row, const QString& label, const char* name, QLineEdit*& edit) {
    edit = new QLineEdit(this);
    edit->setObjectName(name);
    auto* b = new QPushButton(tr("Browse..."), this);
    b->setObjectName(QString(name).replace("Edit", "Browse"));
    auto* l = new QLabel(label, this);
    given->addWidget(l, row, 0);
    given->addWidget(edit, row, 1);
    given->addWidget(b, row, 2);
    givenWidgets_ << l << edit << b;
    connect(b, &QPushButton::clicked, this,
            [this, edit, label] { emit browseRequested(edit, label); });
  };
  addFile(0, tr("Training"), "trainFileEdit", trainFile_);
  addFile(1, tr("Validation"), "validationFileEdit", validFile_);
  addFile(2, tr("Test"), "testFileEdit", testFile_);
  trainFile_->setPlaceholderText(tr("required"));
  validFile_->setPlaceholderText(tr("optional"));
  testFile_->setPlaceholderText(tr("optional (kept for evaluation, not used by fit)"));
  given->setColumnStretch(1, 1);
  parent->addLayout(given);
}

void SplitPage::setSourceKind(bool file, bool localization) {
  file_ = file;
  fractionsRadio_->setEnabled(file);
  givenRadio_->setEnabled(file);
  seed_->setEnabled(file || localization);
  splitNote_->setText(file ? QString()
                           : tr("The built-in sets have their own training/validation split."));
  update();
}

bool SplitPage::givenFiles() const {
  return givenRadio_->isChecked();
}

void SplitPage::update() {
  const bool given = givenRadio_->isChecked();
  for (QDoubleSpinBox* s : {train_, valid_, test_}) s->setEnabled(file_ && !given);
  for (QWidget* w : givenWidgets_) w->setEnabled(file_ && given);
  const double sum = train_->value() + valid_->value() + test_->value();
  fractionSum_->setText(
      sum > 1 + 1e-9
          ? tr("Sum %1: the fractions must sum to at most 1").arg(sum)
          : tr("Sum %1 (%2 of the rows left out)").arg(sum).arg(std::max(0.0, 1 - sum), 0, 'g', 3));
  fractionSum_->setEnabled(file_ && !given);
  fractionSum_->setStyleSheet(sum > 1 + 1e-9 && file_ && !given ? "color: #b00020;" : QString());
}

void SplitPage::load(const DataSettings& s) {
  loading_ = true;
  if (s.fractions.size() == 3) {
    setExact(train_, s.fractions[0]);
    setExact(valid_, s.fractions[1]);
    setExact(test_, s.fractions[2]);
  }
  seed_->setValue(static_cast<int>(s.splitSeed));
  (s.trainFile.empty() ? fractionsRadio_ : givenRadio_)->setChecked(true);
  trainFile_->setText(QString::fromStdString(s.trainFile));
  validFile_->setText(QString::fromStdString(s.validationFile));
  testFile_->setText(QString::fromStdString(s.testFile));
  loading_ = false;
}

void SplitPage::store(DataSettings& s, bool file) const {
  s.fractions = {exactValue(train_), exactValue(valid_), exactValue(test_)};
  s.splitSeed = static_cast<std::uint64_t>(seed_->value());
  if (file && givenRadio_->isChecked()) {
    s.trainFile = trainFile_->text().trimmed().toStdString();
    s.validationFile = validFile_->text().trimmed().toStdString();
    s.testFile = testFile_->text().trimmed().toStdString();
    // The fractions are not used with given files, but DataSettings still checks them.
    if (s.fractions[0] + s.fractions[1] + s.fractions[2] > 1 + 1e-9)
      s.fractions = DataSettings().fractions;
  }
}

void SplitPage::check(bool imageFolder) const {
  if (!givenRadio_->isChecked()) {
    const double sum = exactValue(train_) + exactValue(valid_) + exactValue(test_);
    if (sum > 1 + 1e-9)
      throw Error(tr("split fractions sum to %1 (train %2 + validation %3 + test %4); they must "
                     "sum to at most 1")
                      .arg(sum)
                      .arg(exactValue(train_))
                      .arg(exactValue(valid_))
                      .arg(exactValue(test_))
                      .toStdString());
    if (!(exactValue(train_) > 0)) throw Error("the training fraction must be more than 0");
    return;
  }
  if (trainFile_->text().trimmed().isEmpty())
    throw Error("given files: choose the training file or folder");
  const std::pair<QLineEdit*, const char*> files[] = {
      {trainFile_, "training"}, {validFile_, "validation"}, {testFile_, "test"}};
  for (const auto& [edit, what] : files) {
    const QString p = edit->text().trimmed();
    if (p.isEmpty()) continue;
    if (!QFileInfo::exists(p))
      throw Error(std::string("the ") + what + " file " + p.toStdString() + " does not exist");
    if (imageFolder && !QFileInfo(p).isDir())
      throw Error(std::string("the ") + what + " folder " + p.toStdString() +
                  " is not a folder (image data: one subfolder per class)");
  }
}

}  // namespace tessel::ui
