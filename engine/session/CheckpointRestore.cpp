#include "engine/session/CheckpointRestore.h"

#include <cstring>

#include "engine/core/Error.h"

namespace tessel {

namespace {

// Reads t.size() floats at `offset` of `blob` into t; throws when the blob is too short.
void readTensor(const std::vector<std::uint8_t>& blob, size_t& offset, Tensor& t,
                const std::string& what) {
  size_t bytes = static_cast<size_t>(t.size()) * sizeof(float);
  if (offset + bytes > blob.size())
    throw Error("checkpoint is too short for " + what + " (" + std::to_string(blob.size()) +
                " bytes)");
  if (bytes) std::memcpy(t.data(), blob.data() + offset, bytes);
  offset += bytes;
}

}  // namespace

void restoreCheckpoint(Trainer& trainer, const Checkpoint& c) {
  restoreCheckpointWeights(trainer.model(), c);
  Optimizer& opt = trainer.optimizer();
  if (c.meta.value("optimizer", "") != opt.name())
    throw Error("checkpoint was made with optimizer " + c.meta.value("optimizer", "?") +
                ", the run now uses " + opt.name());
  opt.build(trainer.model().trainableWeights());
  auto state = opt.state();
  const json& slots = c.meta.value("slots", json::array());
  if (slots.size() != state.size())
    throw Error("checkpoint optimizer state has " + std::to_string(slots.size()) +
                " slots, the optimizer has " + std::to_string(state.size()));
  size_t offset = 0;
  for (size_t i = 0; i < state.size(); ++i)
    readTensor(c.optimizer, offset, *state[i], "optimizer slot " + std::to_string(i));
  opt.setIterations(c.meta.value("iterations", 0LL));
  if (!c.meta.value("has_schedule", false))
    opt.setLearningRate(c.meta.value("learning_rate", opt.learningRate()));
}

void restoreCheckpointWeights(Model& model, const Checkpoint& c) {
  auto named = model.namedWeights();
  const json& names = c.meta.value("weights", json::array());
  if (names.size() != named.size())
    throw Error("checkpoint has " + std::to_string(names.size()) + " weights, the model has " +
                std::to_string(named.size()));
  size_t offset = 0;
  for (size_t i = 0; i < named.size(); ++i) {
    auto& [name, var] = named[i];
    if (names[i].value("name", "") != name ||
        names[i].value("shape", Shape{}) != var->value.shape())
      throw Error("checkpoint weight " + names[i].value("name", std::string("?")) +
                  " does not match the model's " + name + " " + shapeToString(var->value.shape()));
    readTensor(c.weights, offset, var->value, name);
  }
}

NamedWeights checkpointWeights(const ModelSpec& spec, const Checkpoint& checkpoint) {
  Model m(spec, 0);
  restoreCheckpointWeights(m, checkpoint);
  NamedWeights w;
  for (auto& [name, var] : m.namedWeights()) w.emplace_back(name, var->value);
  return w;
}

}  // namespace tessel
