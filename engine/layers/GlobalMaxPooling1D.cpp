#include "engine/layers/GlobalMaxPooling1D.h"

// GlobalMaxPooling1D is GlobalPooling with rank 1 (see GlobalPooling.cpp); one .h/.cpp pair per
// class.
