#pragma once
// The inspector's editor of a Keras object parameter (initializer, regularizer, constraint),
// built from an engine catalog: a combo of the catalog's class names ("None" first when null is
// allowed) and under it one field per config key of the chosen class, with the catalog's doc
// line as tooltip (RandomNormal: mean, stddev, seed; L1L2: l1, l2). value() is the Keras
// serialization {"class_name", "config"} or null; a name ("glorot_uniform") shows as its class
// with the catalog's defaults, and a class the catalog does not list is shown as it is.
// edited() is emitted for the user's changes only, never for setValue().
#include <QWidget>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "engine/catalog/Catalog.h"

class QComboBox;
class QFormLayout;

namespace tessel::ui {

class CatalogObjectEditor : public QWidget {
  Q_OBJECT

 public:
  CatalogObjectEditor(std::vector<const CatalogEntry*> entries, bool nullable,
                      QWidget* parent = nullptr);

  void setValue(const json& value);
  json value() const;
  QComboBox* combo() const { return combo_; }
  QWidget* fieldFor(const std::string& key) const;  // null: the class has no such key

 signals:
  void edited(const tessel::json& value);

 private:
  const CatalogEntry* find(const std::string& name) const;
  const CatalogEntry* current() const;
  void chooseClass(int index);  // the user picked a class: its defaults
  void buildFields();
  void fieldEdited(const std::string& key, const json& v);

  std::vector<const CatalogEntry*> entries_;
  bool nullable_;
  QComboBox* combo_;
  QWidget* fieldsHost_ = nullptr;
  QFormLayout* fields_ = nullptr;
  std::map<std::string, QWidget*> fieldWidgets_;
  json config_;  // the shown class's config, complete
  json raw_;     // a value the catalog does not know, kept as it is
  bool loading_ = false;
};

}  // namespace tessel::ui
