#include "engine/data/SourceBuilders.h"

#include "engine/core/Error.h"
#include "engine/data/DatasetBuildSteps.h"
#include "engine/data/IdxPair.h"

namespace tessel::databuild {

namespace {

// The IDX pair of a file or folder: for training the "train" pair (else the first with labels);
// for validation/test a pair not named "train" when the folder has several ("t10k", "test").
IdxData loadIdx(const std::string& path, bool training) {
  std::vector<IdxPair> pairs = findIdxPairs(path);
  const IdxPair* pick = nullptr;
  for (const IdxPair& p : pairs)
    if (!pick && !p.labels.empty() && (p.name == "train") == training) pick = &p;
  for (const IdxPair& p : pairs)
    if (!pick && !p.labels.empty()) pick = &p;
  if (!pick) throw Error(path + ": no IDX image file with a matching label file");
  return loadIdxPair(*pick, -1);
}

}  // namespace

void buildIdx(BuiltData& out, const BuildOptions& o) {
  const DataSettings& s = out.settings;
  if (!givenFiles(s)) {
    IdxData d = loadIdx(s.path, true);
    splitInto(out, d.x, {d.y}, s);
  } else {
    IdxData t = loadIdx(s.trainFile, true);
    out.train.x = {t.x};
    out.train.y = {t.y};
    auto other = [&](const std::string& file) {
      IdxData d = loadIdx(file, false);
      if (d.x.rowSize() != t.x.rowSize() || d.x.rank() != t.x.rank())
        throw Error(file + ": images are " + arrayShapeText(d.x) + " but the training file's " +
                    arrayShapeText(t.x));
      Dataset ds;
      ds.x = {d.x};
      ds.y = {d.y};
      return ds;
    };
    if (!s.validationFile.empty()) out.validation = other(s.validationFile);
    if (!s.testFile.empty()) out.test = other(s.testFile);
  }
  limitDataset(out.train, o.trainLimit);
  normalize(out);
}

}  // namespace tessel::databuild
