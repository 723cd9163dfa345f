#pragma once
// The bundled example models (resources/examples/<name>/model.json, installed under
// share/tessel/examples) and the example project built from them. An example whose data is not
// the default for its model (BuiltinData: Fashion-MNIST, the localization set) ships it as
// data.json (DataSettings JSON; a relative "path" names a file of the example's folder, e.g.
// wide_deep's diabetes.csv, scikit-learn's diabetes table with its target in hundreds).
#include <QList>
#include <QString>
#include <QStringList>
#include <nlohmann/json.hpp>

namespace tessel::ui {

struct ExampleModel {
  QString name;  // folder name, e.g. "fashion_mnist_mlp"
  QString path;  // absolute path of its model.json
};

class ExampleLibrary {
 public:
  // Folders searched for examples, first match wins: an extra root set by the application (the
  // source tree for a build run in place), then next to the executable (installed tree, build
  // tree).
  static QStringList roots();
  static void setExtraRoot(const QString& dir);
  // Every example, the Fashion-MNIST MLP first, then by name.
  static QList<ExampleModel> models();
  // model.json of one example by folder name; empty when absent.
  static QString modelPath(const QString& name);
  // The data settings of one example (its data.json with paths made absolute); null when it has
  // none or the file cannot be read.
  static nlohmann::json dataSettings(const QString& name);

  // Writes a project holding every example model (spec + the model's training config) at
  // `path`, which must not exist. Returns false with `error` set otherwise.
  static bool writeExampleProject(const QString& path, QString* error = nullptr);
  // The example project in the user's data folder (QStandardPaths::AppDataLocation), created
  // when absent. Empty with `error` set when there are no examples or it cannot be written.
  static QString ensureExampleProject(QString* error = nullptr);
  static constexpr const char* kProjectFileName = "Examples.tessel";
};

}  // namespace tessel::ui
