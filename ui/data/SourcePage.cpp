#include "ui/data/SourcePage.h"

#include <QComboBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLineEdit>
#include <QPushButton>
#include <QStackedWidget>
#include <QVBoxLayout>

#include "ui/data/CsvSourcePage.h"
#include "ui/data/DataDialogFields.h"
#include "ui/data/FashionMnistSourcePage.h"
#include "ui/data/IdxSourcePage.h"
#include "ui/data/ImageFolderSourcePage.h"
#include "ui/data/LocalizationSourcePage.h"
#include "ui/data/SequenceSourcePage.h"
#include "ui/data/TextSourcePage.h"
#include "ui/data/TfRecordSourcePage.h"

namespace tessel::ui {

SourcePage::SourcePage(QWidget* parent) : QWidget(parent) {
  auto* layout = new QVBoxLayout(this);
  auto* source = new QFormLayout;
  kind_ = new QComboBox(this);
  kind_->setObjectName("kindCombo");
  kind_->addItem(tr("Fashion-MNIST (built in)"), kDataKinds[BuiltinKind]);
  kind_->addItem(tr("Fashion-MNIST localization (generated 64x64)"), kDataKinds[LocalizationKind]);
  kind_->addItem(tr("IDX image/label files"), kDataKinds[IdxKind]);
  kind_->addItem(tr("CSV table"), kDataKinds[CsvKind]);
  kind_->addItem(tr("Image folder (one subfolder per class)"), kDataKinds[ImageFolderKind]);
  kind_->addItem(tr("TFRecord shards (tf.train.Example)"), kDataKinds[TfRecordKind]);
  kind_->addItem(tr("Text (CSV column, class folders, sentence pairs, fortunes)"),
                 kDataKinds[TextKind]);
  kind_->addItem(tr("Fashion-MNIST sequences for CTC (generated strips)"),
                 kDataKinds[SequenceKind]);
  source->addRow(tr("Source"), kind_);
  auto* pathRow = new QHBoxLayout;
  path_ = new QLineEdit(this);
  path_->setObjectName("pathEdit");
  browse_ = new QPushButton(tr("Browse..."), this);
  browse_->setObjectName("browseButton");
  pathRow->addWidget(path_, 1);
  pathRow->addWidget(browse_);
  source->addRow(tr("File / folder"), pathRow);
  layout->addLayout(source);

  // One page per kind, in DataSourceKind order.
  pages_ = new QStackedWidget(this);
  pages_->addWidget(new FashionMnistSourcePage(this));
  pages_->addWidget(localization_ = new LocalizationSourcePage(this));
  pages_->addWidget(new IdxSourcePage(this));
  pages_->addWidget(csv_ = new CsvSourcePage(this));
  pages_->addWidget(image_ = new ImageFolderSourcePage(this));
  pages_->addWidget(tfrecord_ = new TfRecordSourcePage(this));
  pages_->addWidget(text_ = new TextSourcePage(this));
  pages_->addWidget(new SequenceSourcePage(this));
  connect(text_, &TextSourcePage::pathSuggested, path_, &QLineEdit::setText);
  layout->addWidget(pages_, 1);
}

int SourcePage::kind() const {
  return kind_->currentIndex();
}

DataSourcePage* SourcePage::kindPage(int kind) const {
  return qobject_cast<DataSourcePage*>(pages_->widget(kind));
}

void SourcePage::showKind(int kind) {
  pages_->setCurrentIndex(kind);
  const bool file = isFileKind(kind);
  path_->setEnabled(file);
  browse_->setEnabled(file);
}

}  // namespace tessel::ui
