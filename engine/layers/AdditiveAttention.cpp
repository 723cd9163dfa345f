#include "engine/layers/AdditiveAttention.h"

namespace tessel {

AdditiveAttention::AdditiveAttention(const json& config)
    : Attention("AdditiveAttention", config, Score::Additive) {}

}  // namespace tessel
