#include "engine/session/RunCallbacks.h"

#include "engine/catalog/CallbackCatalog.h"

namespace tessel {

std::vector<std::unique_ptr<Callback>> makeCallbacks(
    const nlohmann::json& callbacks,
    const std::function<void(const std::string& path, bool weightsOnly)>& saver) {
  std::vector<std::unique_ptr<Callback>> out;
  if (!callbacks.is_array()) return out;
  CallbackContext context;
  context.out = nullptr;
  context.saver = saver ? saver : [](const std::string&, bool) {};
  for (nlohmann::json c : callbacks) {
    if (c.is_object() && c.value("class_name", nlohmann::json()) == "ModelCheckpoint") {
      nlohmann::json& cfg = c["config"];
      if (cfg.is_null()) cfg = nlohmann::json::object();
      const nlohmann::json path =
          cfg.is_object() ? cfg.value("filepath", nlohmann::json()) : nlohmann::json("-");
      if (path.is_null() || path == "") cfg["filepath"] = "project:{epoch:02d}";
    }
    out.push_back(makeCallback(c, context));
  }
  return out;
}

}  // namespace tessel
