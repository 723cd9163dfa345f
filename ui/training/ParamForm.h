#pragma once
// A form for the parameters of one Keras object (optimizer, callback, ...), built from ParamSpecs
// in their order: a default that is a boolean gets a check box, an integer a spin box, a number a
// double spin box, a string a line edit, None a line edit where empty means None. Each field's
// object name is its config key and its tool tip the parameter's doc line.
#include <QWidget>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "engine/catalog/ParamSpec.h"

namespace tessel::ui {

class ParamForm : public QWidget {
  Q_OBJECT
 public:
  explicit ParamForm(const std::vector<ParamSpec>& params, QWidget* parent = nullptr);
  // The specs of a JSON object of defaults (key order of the object, no doc lines).
  static std::vector<ParamSpec> specsOf(const nlohmann::json& defaults);

  nlohmann::json values() const;                 // {key: value} of every field
  void setValues(const nlohmann::json& values);  // keys without a field are ignored
  QWidget* field(const std::string& key) const;

 signals:
  void changed();

 private:
  enum class Kind { Int, Double, Bool, String, NullableNumber };
  struct Field {
    std::string key;
    Kind kind;
    QWidget* widget;
  };
  QWidget* makeField(const ParamSpec& p, Kind& kind);
  std::vector<Field> fields_;
};

}  // namespace tessel::ui
