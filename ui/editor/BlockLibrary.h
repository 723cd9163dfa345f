#pragma once
// The open project's saved blocks (the palette's "Blocks" group): name -> definition
// {"model": Keras JSON of the block as a model of its own (engine/graph/Blocks.h blockAsModel,
// nested blocks kept as "tessel_groups"), "layout": {"layer": [x, y]}}. One per process, like
// CustomClassLibrary: the project session fills it on open and writes it (Project::setBlock) on
// save; the palette lists it as "block:<name>" entries; dropping one inserts the block's layers
// as a new block (GroupActions::insertBlock).
#include <QObject>
#include <QPointF>
#include <QStringList>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>

namespace tessel::ui {

class GraphDocument;

class BlockLibrary : public QObject {
  Q_OBJECT

 public:
  static BlockLibrary& instance();
  // Palette / drag-and-drop class names of saved blocks start with this.
  static inline const QString kPrefix = QStringLiteral("block:");

  QStringList names() const;
  std::optional<nlohmann::json> find(const QString& name) const;
  const nlohmann::json& all() const { return blocks_; }

  // Adds or replaces one block (changed + edited).
  void define(const QString& name, const nlohmann::json& definition);
  // Replaces every block (the project was opened or closed): changed, not edited.
  void replaceAll(const nlohmann::json& blocks);

  // The definition of the document's block `block` (its layers' positions relative to their
  // top-left). Throws tessel::Error / SpecError when it is not a valid block.
  static nlohmann::json definitionOf(const GraphDocument& doc, const QString& block);

 signals:
  void changed();
  void edited();  // by the user: the project has unsaved changes

 private:
  nlohmann::json blocks_ = nlohmann::json::object();
};

}  // namespace tessel::ui
