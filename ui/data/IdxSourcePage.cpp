#include "ui/data/IdxSourcePage.h"

#include <QLabel>
#include <QStringList>
#include <QVBoxLayout>

#include "engine/data/IdxPair.h"

namespace tessel::ui {

IdxSourcePage::IdxSourcePage(QWidget* parent) : DataSourcePage(parent) {
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  auto* text = new QLabel(tr("A file of an image/label pair, or a folder holding pairs."), this);
  text->setAlignment(Qt::AlignTop | Qt::AlignLeft);
  layout->addWidget(text);
}

SourceReport IdxSourcePage::describe(const std::string& path) {
  std::vector<IdxPair> pairs = findIdxPairs(path);
  QStringList names;
  for (const IdxPair& p : pairs)
    names << QString::fromStdString(p.name) + (p.labels.empty() ? tr(" (no labels)") : QString());
  SourceReport r;
  r.result =
      tr("IDX pairs: %1 (the \"train\" pair, else the first, is used)").arg(names.join(", "));
  return r;
}

QString IdxSourcePage::check(const DataSettings&, const std::string& path, bool) {
  findIdxPairs(path);
  return {};
}

}  // namespace tessel::ui
