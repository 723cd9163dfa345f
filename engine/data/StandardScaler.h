#pragma once
// sklearn.preprocessing.StandardScaler: z = (x - mean) / scale, with the population standard
// deviation (ddof = 0) and scale = 1 for (near-)constant features, as sklearn decides it.
// Statistics are computed in double over the array's values (raw * scale + offset).
//
// Two ways to fit:
//   - global: one mean/std over every value (scaler.fit(x.reshape(-1, 1)) for images). transform()
//     then only changes the Array's scale/offset: uint8 images stay uint8.
//   - per feature: one mean/std per column of the last axis (x viewed as (-1, F)), as sklearn on a
//     2-d table. transform() produces a float32 Array.
#include <vector>

#include "engine/data/Array.h"

namespace tessel {

class StandardScaler {
 public:
  StandardScaler() = default;
  // A scaler from saved statistics (mean and scale of equal length; global means length 1).
  StandardScaler(std::vector<double> mean, std::vector<double> scale, bool global,
                 Index samplesSeen = 0);

  void fitGlobal(const Array& x);
  void fitPerFeature(const Array& x);

  bool fitted() const { return !mean_.empty(); }
  bool isGlobal() const { return global_; }
  Index features() const { return static_cast<Index>(mean_.size()); }
  const std::vector<double>& mean() const { return mean_; }    // sklearn mean_
  const std::vector<double>& var() const { return var_; }      // sklearn var_ (ddof = 0)
  const std::vector<double>& scale() const { return scale_; }  // sklearn scale_ (std, 0 -> 1)
  Index samplesSeen() const { return samplesSeen_; }           // sklearn n_samples_seen_

  // Global: the same data with scale/offset composed so that values come out standardised.
  // Per feature: a new float32 Array (x's last axis must have features() entries).
  Array transform(const Array& x) const;
  // In place on a float tensor whose last axis holds the features (or every value, if global).
  void transformInPlace(Tensor& t) const;
  // The inverse map on a float tensor (z * scale + mean).
  void inverseTransformInPlace(Tensor& t) const;

 private:
  void requireFitted(const char* what) const;
  void finish(Index n);  // var_ -> scale_ with sklearn's constant-feature rule

  bool global_ = true;
  std::vector<double> mean_, var_, scale_;
  Index samplesSeen_ = 0;
};

}  // namespace tessel
