#include "ui/editor/ModelTemplates.h"

#include <QFile>
#include <utility>
#include <vector>

#include "engine/core/Error.h"
#include "engine/io/TfjsModel.h"
#include "ui/editor/EditorResources.h"
#include "ui/editor/GraphDocument.h"
#include "ui/editor/GraphLayout.h"

namespace tessel::ui {

namespace {

const std::vector<std::pair<const char*, const char*>>& table() {
  static const std::vector<std::pair<const char*, const char*>> t = {
      {"Sequential classifier (Fashion-MNIST MLP)", "fashion_mnist_mlp"},
      {"Wide & deep", "wide_deep"},
      {"Wide & deep, two inputs", "wide_deep_multi_input"},
      {"Two outputs (wide & deep)", "wide_deep_multi_output"},
      {"CNN (Fashion-MNIST)", "fashion_mnist_cnn"},
  };
  return t;
}

}  // namespace

QStringList ModelTemplates::names() {
  QStringList out;
  for (const auto& [name, folder] : table()) out << QString::fromUtf8(name);
  return out;
}

QString ModelTemplates::exampleFor(const QString& name) {
  for (const auto& [n, folder] : table())
    if (name == QString::fromUtf8(n)) return QString::fromUtf8(folder);
  return {};
}

ModelSpec ModelTemplates::spec(const QString& name) {
  const QString folder = exampleFor(name);
  if (folder.isEmpty()) throw Error("no model template named '" + name.toStdString() + "'");
  initEditorResources();
  QFile file(":/tessel/templates/" + folder + ".json");
  if (!file.open(QIODevice::ReadOnly))
    throw Error("model template '" + name.toStdString() + "' is missing from the resources");
  json model = json::parse(file.readAll().toStdString());
  // A template is a topology: the TF.js reader without the weight shards.
  model.erase("weightsManifest");
  return parseModelJson(model, "").spec;
}

void ModelTemplates::load(GraphDocument* doc, const QString& name) {
  const ModelSpec s = spec(name);
  std::map<std::string, QPointF> positions;
  try {
    positions = GraphLayout::dot(s);
  } catch (const Error&) {
    positions = GraphLayout::layered(s);
  }
  doc->setModel(s, positions);
}

}  // namespace tessel::ui
