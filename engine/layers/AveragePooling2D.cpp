#include "engine/layers/AveragePooling2D.h"

// AveragePooling2D is Pooling2D with rank 2 (see Pooling2D.cpp); one .h/.cpp pair per class.
