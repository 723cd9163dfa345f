#pragma once
// The weight / activity regularizers the engine implements, as Keras 2's
// `keras.regularizers.get` knows them: L1 (l1 = 0.01), L2 (l2 = 0.01) and L1L2 (l1 = l2 = 0),
// with their function names ("l1", "l2") and a doc line. No regularizer is JSON null.
// Regularizer::fromJson (engine/layers/Regularizers.h) reads the same serializations; the studio's
// inspector lists these entries.
#include "engine/catalog/Catalog.h"

namespace tessel {

struct RegularizerEntry : CatalogEntry {};

const Catalog<RegularizerEntry>& regularizerCatalog();

}  // namespace tessel
