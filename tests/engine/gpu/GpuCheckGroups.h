#pragma once
// Every GPU check group by name (tst_engine_gpu and `tessel-gpu-bench check --models ...`).
#include "GpuBranchChecks.h"
#include "GpuChecks.h"
#include "GpuLossChecks.h"
#include "GpuMaskChecks.h"
#include "GpuMixedChecks.h"
#include "GpuMultiIoChecks.h"
#include "GpuRecurrentChecks.h"
#include "GpuSequenceChecks.h"
#include "GpuUpdateChecks.h"

namespace tessel::gpucheck {

inline std::vector<std::pair<std::string, std::vector<Result> (*)(int)>> checkGroups() {
  return {{"layers", &checkLayers},
          {"mlp-step", &checkSeedMlpStep},
          {"optimizers", &checkOptimizers},
          {"cnn-layers", &checkCnnLayers},
          {"cnn-steps", &checkCnnStep},
          {"mlp-fit", [](int d) { return checkSeedMlpFit(d); }},
          {"cnn-fit", [](int d) { return checkCnnFit(d); }},
          {"inference", &checkInference},
          {"resume", &checkResume},
          {"determinism", &checkDeterminism},
          {"tf32", &checkTf32},
          {"mixed", &checkMixed},
          {"multiio", &checkMultiIo},
          {"masks", &checkMasks},
          {"branches", &checkBranches},
          {"recurrent", &checkRecurrent},
          {"sequence", &checkSequence},
          {"host-draws", &checkHostDraws},
          {"large", &checkLargeTensors},
          {"regularizers", &checkRegularizers},
          {"losses",
           [](int d) {
             std::vector<Result> r = checkLosses(d);
             for (Result& x : checkLossesRank3(d)) r.push_back(std::move(x));
             return r;
           }},
          {"updates", [](int d) {
             std::vector<Result> r = checkUpdateRefusals(d);
             for (Result& x : checkUpdates(d)) r.push_back(std::move(x));
             return r;
           }}};
}

// One group; an exception is one failed result naming it.
inline std::vector<Result> checkGroup(const std::string& name, std::vector<Result> (*f)(int),
                                      int device) {
  std::vector<Result> out;
  useCheckAlgorithms();
  try {
    out = f(device);
  } catch (const std::exception& e) {
    out.push_back({name + ": ERROR " + e.what(), 1e30, 0});
  }
  if (anyConvAlgorithm())
    for (Result& x : out) x.name += " [any conv algorithm]";
  return out;
}

inline std::vector<Result> checkAll(int device) {
  std::vector<Result> all;
  for (const auto& [name, f] : checkGroups())
    for (Result& x : checkGroup(name, f, device)) all.push_back(std::move(x));
  return all;
}

}  // namespace tessel::gpucheck
