// Precompiled once for every studio and app test (TESSEL_PCH, tests/CMakeLists.txt): Qt Widgets,
// Qt Test and the third-party and standard headers; no project header.
#pragma once
#include <Eigen/Core>
#include <QtTest>
#include <QtWidgets>
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>
