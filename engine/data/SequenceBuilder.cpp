#include <algorithm>
#include <string>

#include "engine/data/DatasetBuildSteps.h"
#include "engine/data/FashionMnist.h"
#include "engine/data/FashionSequence.h"
#include "engine/data/SourceBuilders.h"

namespace tessel::databuild {

void buildSequence(BuiltData& out, const BuildOptions& o) {
  requireFashionMnist();
  const nlohmann::json& j = out.settings.options;
  SequenceOptions so = SequenceOptions::fromJson(j);
  if (!j.contains("count")) so.count = 10000;
  if (!j.contains("seed")) so.seed = 1;
  if (o.trainLimit >= 0) so.count = std::min(so.count, std::max<Index>(o.trainLimit, 1));
  Index validCount = j.value("validation_count", Index(1000));
  if (o.trainLimit >= 0) validCount = std::min(validCount, std::max<Index>(o.trainLimit, 1));
  // Training items draw from the training images, validation items from the validation ones.
  FashionMnist f =
      loadFashionMnist(kFashionMnistDir, std::min<Index>(so.count * so.length, 55000), 0);
  SequenceSet train = generateFashionSequence(f.xTrain, f.yTrain, so);
  out.train = Dataset{{train.x}, {train.y}, {}};
  if (validCount > 0) {
    SequenceOptions vo = so;
    vo.count = validCount;
    vo.seed = so.seed + 1;
    SequenceSet valid = generateFashionSequence(f.xValid, f.yValid, vo);
    out.validation = Dataset{{valid.x}, {valid.y}, {}};
  }
  // Label id k is class k - 1; 0 is the blank.
  out.classNames = {"blank"};
  out.classNames.insert(out.classNames.end(), kFashionMnistClassNames.begin(),
                        kFashionMnistClassNames.end());
}

}  // namespace tessel::databuild
