#include "engine/layers/MaxPooling1D.h"

// MaxPooling1D is Pooling2D with rank 1 (see Pooling2D.cpp); one .h/.cpp pair per class.
