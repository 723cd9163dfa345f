#pragma once
// Weights between checkpoints, files and models, as the studio's model-file commands and the
// training thread use them (File > Load weights, exports, a new run starting from imported
// weights).
#include <QString>

#include "engine/io/TfjsModel.h"
#include "engine/store/Project.h"
#include "engine/train/Model.h"

namespace tessel::ui {

// Weights of a checkpoint when they match `model`'s weights exactly (restoreCheckpointWeights
// into a scratch copy, so `model` keeps its values); empty otherwise.
NamedWeights checkpointWeights(const Checkpoint& c, Model& model);

// A checkpoint holding only `model`'s weights (an import without usable optimizer state): names
// and shapes in meta as makeCheckpoint writes them, float32 values concatenated.
Checkpoint weightsOnlyCheckpoint(Model& model);

// A run that holds weights loaded from a file (settings["imported"]).
bool isImportedRun(const RunRecord& run);

// Checks `weights` against `model` BY NAME: missing, unexpected and misshaped names. Empty when
// they fit exactly.
QString weightsMismatch(Model& model, const NamedWeights& weights);

}  // namespace tessel::ui
