#include "engine/layers/AveragePooling1D.h"

// AveragePooling1D is Pooling2D with rank 1 (see Pooling2D.cpp); one .h/.cpp pair per class.
