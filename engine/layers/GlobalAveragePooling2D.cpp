#include "engine/layers/GlobalAveragePooling2D.h"

// GlobalAveragePooling2D is GlobalPooling with rank 2 (see GlobalPooling.cpp); one .h/.cpp pair per
// class.
