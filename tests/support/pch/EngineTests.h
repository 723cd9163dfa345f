// Precompiled once for every engine test (TESSEL_PCH, tests/CMakeLists.txt): third-party and
// standard headers only, so that editing an engine header never rebuilds the precompiled one.
#pragma once
#include <Eigen/Core>
#include <QtTest>
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <vector>
