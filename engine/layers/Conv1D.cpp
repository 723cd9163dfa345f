#include "engine/layers/Conv1D.h"

// Conv1D is Conv2D with rank 1 (see Conv2D.cpp); this file keeps one .h/.cpp pair per class.
