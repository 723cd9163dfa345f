#include "engine/layers/GlobalMaxPooling2D.h"

// GlobalMaxPooling2D is GlobalPooling with rank 2 (see GlobalPooling.cpp); one .h/.cpp pair per
// class.
