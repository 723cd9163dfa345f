#include "ui/project/ExampleLibrary.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QStandardPaths>
#include <algorithm>
#include <exception>

#include "engine/io/TfjsModel.h"
#include "engine/store/Project.h"

namespace tessel::ui {

namespace {

QString& extraRoot() {
  static QString dir;
  return dir;
}

// The seed classifier opens first; the text and sequence-to-sequence examples come last.
int rank(const QString& name) {
  if (name == "fashion_mnist_mlp") return 0;
  if (name == "fashion_mnist_cnn") return 1;
  if (name == "fortunes_text") return 3;
  if (name == "dates_seq2seq") return 4;
  return 2;
}

}  // namespace

void ExampleLibrary::setExtraRoot(const QString& dir) {
  extraRoot() = dir;
}

QStringList ExampleLibrary::roots() {
  QStringList roots;
  if (!extraRoot().isEmpty()) roots << extraRoot();
  const QString appDir = QCoreApplication::applicationDirPath();
  if (!appDir.isEmpty()) {
    roots << appDir + "/../share/tessel/examples"   // installed: bin/../share/tessel
          << appDir + "/../resources/examples"      // next to a relocated build
          << appDir + "/../../resources/examples";  // build/app/tessel in the source tree
  }
  return roots;
}

QList<ExampleModel> ExampleLibrary::models() {
  for (const QString& root : roots()) {
    QDir dir(root);
    if (!dir.exists()) continue;
    QList<ExampleModel> found;
    const auto subdirs = dir.entryList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name);
    for (const QString& sub : subdirs) {
      QFileInfo f(dir.filePath(sub + "/model.json"));
      if (f.isFile()) found.append({sub, f.canonicalFilePath()});
    }
    if (found.isEmpty()) continue;
    std::stable_sort(found.begin(), found.end(), [](const ExampleModel& a, const ExampleModel& b) {
      return rank(a.name) < rank(b.name);
    });
    return found;
  }
  return {};
}

QString ExampleLibrary::modelPath(const QString& name) {
  for (const ExampleModel& m : models())
    if (m.name == name) return m.path;
  return {};
}

nlohmann::json ExampleLibrary::dataSettings(const QString& name) {
  const QString model = modelPath(name);
  if (model.isEmpty()) return nullptr;
  const QDir dir = QFileInfo(model).dir();
  QFile f(dir.filePath("data.json"));
  if (!f.open(QIODevice::ReadOnly)) return nullptr;
  nlohmann::json settings = nlohmann::json::parse(f.readAll().toStdString(), nullptr, false);
  if (!settings.is_object()) return nullptr;
  // Relative file names are the example folder's.
  auto absolute = [&dir](nlohmann::json& v) {
    if (!v.is_string() || v.get<std::string>().empty()) return;
    const QString p = QString::fromStdString(v.get<std::string>());
    if (QFileInfo(p).isRelative()) v = QDir::cleanPath(dir.absoluteFilePath(p)).toStdString();
  };
  if (settings.contains("path")) absolute(settings["path"]);
  if (settings.contains("split") && settings["split"].is_object())
    for (const char* key : {"train_file", "validation_file", "test_file"})
      if (settings["split"].contains(key)) absolute(settings["split"][key]);
  return settings;
}

bool ExampleLibrary::writeExampleProject(const QString& path, QString* error) {
  const QList<ExampleModel> examples = models();
  if (examples.isEmpty()) {
    if (error) *error = QObject::tr("no bundled examples found (resources/examples)");
    return false;
  }
  try {
    Project project = Project::create(path.toStdString());
    project.begin();
    for (const ExampleModel& e : examples) {
      ModelFile file = readModelFile(e.path.toStdString());
      auto id = project.addModel(e.name.toStdString(), file.spec.toKerasJson());
      ModelRecord rec = *project.model(id);
      if (!file.trainingConfig.is_null()) rec.compileSettings = {{"compile", file.trainingConfig}};
      rec.dataSettings = dataSettings(e.name);
      project.updateModel(rec);
    }
    project.commit();
  } catch (const std::exception& e) {
    if (error) *error = QString::fromUtf8(e.what());
    return false;
  }
  return true;
}

QString ExampleLibrary::ensureExampleProject(QString* error) {
  QString dir = QStandardPaths::writableLocation(QStandardPaths::AppDataLocation);
  if (dir.isEmpty()) dir = QDir::homePath() + "/.local/share/tessel";
  if (!QDir().mkpath(dir)) {
    if (error) *error = QObject::tr("cannot create %1").arg(dir);
    return {};
  }
  const QString path = QDir(dir).filePath(kProjectFileName);
  if (QFileInfo::exists(path)) return path;
  if (!writeExampleProject(path, error)) return {};
  return path;
}

}  // namespace tessel::ui
