#include "engine/data/SourceBuilders.h"

#include "engine/data/DatasetBuildSteps.h"
#include "engine/data/FashionMnist.h"

namespace tessel::databuild {

void buildFashionMnist(BuiltData& out, const BuildOptions& o) {
  requireFashionMnist();
  // The test set: the 10,000 t10k images (as many as trainLimit when one is set).
  FashionMnist f = loadFashionMnistScaled(kFashionMnistDir, o.trainLimit, o.trainLimit);
  out.train.x = {f.xTrain};
  out.train.y = {f.yTrain};
  out.validation = Dataset{{f.xValid}, {f.yValid}, {}};
  out.test = Dataset{{f.xTest}, {f.yTest}, {}};
  out.classNames.assign(kFashionMnistClassNames.begin(), kFashionMnistClassNames.end());
}

}  // namespace tessel::databuild
