#pragma once
// Checks of the names a person types for compile(): an optimizer, a loss or a metric given as a
// string, resolved as makeOptimizer / makeLoss / makeMetric resolve it (class name, alias, and for
// optimizers the class name in any case; for metrics also "accuracy", "acc", "crossentropy",
// "ce"). The command line's --optimizer / --loss / --metrics and the compile panel use them.
#include <string>

namespace tessel {

// "" when the name is known, else "unknown <kind> '<name>' (known: ...)".
std::string optimizerNameError(const std::string& name);
std::string lossNameError(const std::string& name);
std::string metricNameError(const std::string& name);

}  // namespace tessel
