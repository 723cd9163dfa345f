#include "engine/layers/GlobalAveragePooling1D.h"

// GlobalAveragePooling1D is GlobalPooling with rank 1 (see GlobalPooling.cpp); one .h/.cpp pair per
// class.
