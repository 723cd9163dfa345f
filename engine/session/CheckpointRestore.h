#pragma once
// Putting a recorded checkpoint (RunRecorder's makeCheckpoint form) back into a model: weights
// only (predict, export) or weights with the optimizer state (resume).
#include "engine/io/TfjsModel.h"
#include "engine/store/Project.h"
#include "engine/train/Model.h"
#include "engine/train/Trainer.h"

namespace tessel {

// Restores weights and optimizer state; throws Error when the checkpoint does not fit the model.
void restoreCheckpoint(Trainer& trainer, const Checkpoint& checkpoint);
// Only the weights of a checkpoint into `model` (no optimizer state: predictions and exports do
// not need it, and the run's optimizer may not be known). Throws Error naming the first weight
// whose name or shape does not match, or when the blob is too short.
void restoreCheckpointWeights(Model& model, const Checkpoint& checkpoint);
// The weights of `checkpoint` for a fresh model of `spec`, in Keras order
// (restoreCheckpointWeights' errors).
NamedWeights checkpointWeights(const ModelSpec& spec, const Checkpoint& checkpoint);

}  // namespace tessel
