#pragma once
// An observer of Trainer::fit (the studio's training bridge, the run recorder, previews,
// benchmark timers) is an ordinary Callback: fit() appends it to the same CallbackList, after
// History, so it sees every event once, with the logs every callback before it completed.
#include "engine/callbacks/Callback.h"
#include "engine/train/History.h"

namespace tessel {

class TrainObserver : public Callback {};

}  // namespace tessel
