#pragma once
// The learning-rate schedules the engine implements (keras.optimizers.schedules): class name,
// constructor arguments with Keras defaults (the ones Keras requires are `required`, with the
// value the compile panel suggests), doc line and a factory. makeSchedule (ScheduleFactory.cpp)
// and the compile panel read this table.
#include <functional>
#include <memory>

#include "engine/catalog/Catalog.h"

namespace tessel {

class Schedule;

struct ScheduleEntry : CatalogEntry {
  // The schedule of a completed config (every param present).
  std::function<std::unique_ptr<Schedule>(const json& config)> make;
};

const Catalog<ScheduleEntry>& scheduleCatalog();

}  // namespace tessel
