# The engine library is free of Qt (ctest engine_links_no_qt, cmake -P):
#  1. tessel_engine's LINK_LIBRARIES and INTERFACE_LINK_LIBRARIES (written at configure time by
#     file(GENERATE) into LINKS_FILE) name no Qt target or library;
#  2. EXECUTABLE, built from the engine library alone, has no libQt among its NEEDED entries
#     (READELF -d), and it runs;
#  3. no file under ENGINE_DIR includes a Qt header (<QString>, <QtCore/...>, <qglobal.h>, ...).
foreach(var LINKS_FILE EXECUTABLE READELF ENGINE_DIR)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "EngineLinksNoQt.cmake: -D${var}=... is required")
  endif()
endforeach()
set(failures "")

file(STRINGS "${LINKS_FILE}" links)
foreach(line IN LISTS links)
  if(line MATCHES "(^|[^A-Za-z])(Qt[0-9]?|Qt[0-9]?::[A-Za-z]+|libQt[0-9A-Za-z]*)([^A-Za-z]|$)")
    string(APPEND failures "tessel_engine links Qt: ${line}\n")
  endif()
endforeach()
list(LENGTH links n_links)
if(n_links LESS 2)
  string(APPEND failures "${LINKS_FILE}: expected the two link properties, got '${links}'\n")
endif()

execute_process(COMMAND "${READELF}" -d "${EXECUTABLE}" OUTPUT_VARIABLE dynamic
  RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  string(APPEND failures "${READELF} -d ${EXECUTABLE} failed (${rc})\n")
elseif(NOT dynamic MATCHES "\\(NEEDED\\)")
  string(APPEND failures "${READELF} -d ${EXECUTABLE}: no NEEDED entries (not read?)\n")
elseif(dynamic MATCHES "(libQt[A-Za-z0-9_.+-]*)")
  string(APPEND failures "${EXECUTABLE} needs ${CMAKE_MATCH_1}\n")
else()
  execute_process(COMMAND "${EXECUTABLE}" OUTPUT_VARIABLE out ERROR_VARIABLE err
    RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    string(APPEND failures "${EXECUTABLE} failed (${rc}): ${out}${err}\n")
  endif()
endif()

file(GLOB_RECURSE sources "${ENGINE_DIR}/*.h" "${ENGINE_DIR}/*.hpp" "${ENGINE_DIR}/*.cpp"
  "${ENGINE_DIR}/*.cc" "${ENGINE_DIR}/*.proto")
list(LENGTH sources n_sources)
if(n_sources EQUAL 0)
  string(APPEND failures "no sources found under ${ENGINE_DIR}\n")
endif()
set(qt_include "^[ \t]*#[ \t]*include[ \t]*[<\"](Qt[A-Za-z]*/|Q[A-Z][A-Za-z]*[>\"]|q[a-z]+\\.h[>\"])")
foreach(src IN LISTS sources)
  file(STRINGS "${src}" hits REGEX "${qt_include}")
  foreach(hit IN LISTS hits)
    string(APPEND failures "${src}: ${hit}\n")
  endforeach()
endforeach()

if(failures)
  message(FATAL_ERROR "the engine must not use Qt:\n${failures}")
endif()
message(STATUS "engine free of Qt: links (${n_links} properties), ${EXECUTABLE} needs no libQt, "
               "${n_sources} sources include no Qt header")
