#include "engine/data/SourceBuilders.h"

#include <algorithm>

#include "engine/data/DatasetBuildSteps.h"
#include "engine/data/FashionLocalization.h"
#include "engine/data/FashionMnist.h"

namespace tessel::databuild {

namespace {

constexpr Index kDefaultLocalizationCount = 10000;
constexpr Index kDefaultLocalizationValid = 1000;

}  // namespace

void buildLocalization(BuiltData& out, const BuildOptions& o) {
  requireFashionMnist();
  const nlohmann::json& j = out.settings.options;
  LocalizationOptions lo = LocalizationOptions::fromJson(j);
  if (!j.contains("count")) lo.count = kDefaultLocalizationCount;
  if (!j.contains("seed")) lo.seed = 1;
  if (o.trainLimit >= 0) lo.count = std::min(lo.count, std::max<Index>(o.trainLimit, 1));
  Index validCount = j.value("validation_count", kDefaultLocalizationValid);
  if (o.trainLimit >= 0) validCount = std::min(validCount, std::max<Index>(o.trainLimit, 1));
  // Only the source images the items use are read.
  FashionMnist f = loadFashionMnist(kFashionMnistDir, std::min<Index>(lo.count, 55000), 0);
  LocalizationSet train = generateFashionLocalization(f.xTrain, f.yTrain, lo);
  out.train = Dataset{{train.x}, {train.yClass, train.yBox}, {}};
  if (validCount > 0) {
    LocalizationOptions vo = lo;
    vo.count = validCount;
    vo.seed = lo.seed + 1;
    LocalizationSet valid = generateFashionLocalization(f.xValid, f.yValid, vo);
    out.validation = Dataset{{valid.x}, {valid.yClass, valid.yBox}, {}};
  }
  out.classNames.assign(kFashionMnistClassNames.begin(), kFashionMnistClassNames.end());
}

}  // namespace tessel::databuild
