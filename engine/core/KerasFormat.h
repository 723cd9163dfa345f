#pragma once
// Numbers as Keras prints them in its progress bar and logs.
#include <string>

namespace tessel {

// A Keras progress-bar value: "%.4f" when |v| > 1e-3, else "%.4e", so 0 prints as
// "0.0000e+00" and 0.0005 as "5.0000e-04". Followed: Keras 3.3 keras/src/utils/progbar.py
// (Progbar.update), which keeps Keras 2.x's generic_utils.Progbar rule unchanged.
std::string kerasNumber(double v);

}  // namespace tessel
