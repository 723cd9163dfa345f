# The owners' decisions about licence and contact, as cache variables, and the packaging files
# generated from them into TESSEL_GENERATED_DIR: the AppStream metainfo (project_license,
# update_contact, homepage url), the machine-readable Debian copyright file (DEP-5) and the
# Debian changelog.gz. Included by Packaging.cmake; also runs alone (the packaging test does):
#   cmake -DTESSEL_GENERATED_DIR=OUT -DPROJECT_VERSION=0.1.0 -DTESSEL_PROJECT_LICENSE=MIT \
#         -P packaging/PackagingFiles.cmake
foreach(_required TESSEL_GENERATED_DIR PROJECT_VERSION)
  if(NOT DEFINED ${_required})
    message(FATAL_ERROR "PackagingFiles.cmake: ${_required} is not set")
  endif()
endforeach()
set(TESSEL_LINUX_DIR ${CMAKE_CURRENT_LIST_DIR}/linux)
set(TESSEL_APP_ID io.tessel.Studio)
set(TESSEL_PACKAGE_NAME tessel-studio)
set(TESSEL_DEVELOPER_NAME "Tessel Studio developers")

set(TESSEL_PROJECT_LICENSE "LicenseRef-proprietary" CACHE STRING
  "SPDX licence expression of Tessel Studio (AppStream project_license, Debian copyright)")
set(TESSEL_LICENSE_FILE "" CACHE FILEPATH
  "absolute path of the full licence text for the Debian copyright file (empty: a short notice)")
set(TESSEL_MAINTAINER "Tessel Studio maintainers <maintainers@tessel.invalid>" CACHE STRING
  "package maintainer, 'Name <email>' (Debian Maintainer, AppStream update_contact)")
set(TESSEL_HOMEPAGE "" CACHE STRING "home page URL (Debian Homepage, AppStream url; may be empty)")
set(TESSEL_COPYRIGHT "2026 ${TESSEL_DEVELOPER_NAME}" CACHE STRING
  "copyright years and holders for the Debian copyright file")

# The generated files, from the values above.
if(TESSEL_MAINTAINER MATCHES "<([^>]+)>")
  set(TESSEL_MAINTAINER_EMAIL "${CMAKE_MATCH_1}")
else()
  message(FATAL_ERROR "TESSEL_MAINTAINER must read 'Name <email>', got '${TESSEL_MAINTAINER}'")
endif()
set(TESSEL_METAINFO_URL "")
set(TESSEL_COPYRIGHT_SOURCE "")
if(TESSEL_HOMEPAGE)
  string(REPLACE "&" "&amp;" _url "${TESSEL_HOMEPAGE}")
  set(TESSEL_METAINFO_URL "\n  <url type=\"homepage\">${_url}</url>")
  set(TESSEL_COPYRIGHT_SOURCE "\nSource: ${TESSEL_HOMEPAGE}")
endif()
# DEP-5: the licence text follows its short name, each line indented by one space, empty lines
# written as " .".
if(TESSEL_LICENSE_FILE)
  file(READ "${TESSEL_LICENSE_FILE}" _text)
  if(NOT CMAKE_SCRIPT_MODE_FILE)
    set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${TESSEL_LICENSE_FILE}")
  endif()
elseif(TESSEL_PROJECT_LICENSE STREQUAL "LicenseRef-proprietary")
  set(_text "All rights reserved. This is proprietary software: no licence to use, copy, modify\n"
            "or distribute it is granted except by written agreement with the copyright holders.\n"
            "Contact: ${TESSEL_MAINTAINER}")
  string(JOIN "" _text ${_text})
else()
  set(_text "The terms of the ${TESSEL_PROJECT_LICENSE} licence apply; its full text comes with\n"
            "the source code (configure with -DTESSEL_LICENSE_FILE=FILE to include it here).")
  string(JOIN "" _text ${_text})
endif()
string(STRIP "${_text}" _text)
# Characters that CMake lists treat specially are kept out of the way while splitting lines.
string(REPLACE ";" "@TESSEL_SEMICOLON@" _text "${_text}")
string(REPLACE "[" "@TESSEL_LBRACKET@" _text "${_text}")
string(REPLACE "]" "@TESSEL_RBRACKET@" _text "${_text}")
string(REPLACE "\n" ";" _lines "${_text}")
set(TESSEL_LICENSE_TEXT "")
foreach(_line IN LISTS _lines)
  string(STRIP "${_line}" _stripped)
  if(_stripped STREQUAL "")
    string(APPEND TESSEL_LICENSE_TEXT " .\n")
  else()
    string(APPEND TESSEL_LICENSE_TEXT " ${_line}\n")
  endif()
endforeach()
string(STRIP "${TESSEL_LICENSE_TEXT}" TESSEL_LICENSE_TEXT)
set(TESSEL_LICENSE_TEXT " ${TESSEL_LICENSE_TEXT}")
string(REPLACE "@TESSEL_SEMICOLON@" ";" TESSEL_LICENSE_TEXT "${TESSEL_LICENSE_TEXT}")
string(REPLACE "@TESSEL_LBRACKET@" "[" TESSEL_LICENSE_TEXT "${TESSEL_LICENSE_TEXT}")
string(REPLACE "@TESSEL_RBRACKET@" "]" TESSEL_LICENSE_TEXT "${TESSEL_LICENSE_TEXT}")
configure_file(${TESSEL_LINUX_DIR}/${TESSEL_APP_ID}.metainfo.xml.in
  ${TESSEL_GENERATED_DIR}/${TESSEL_APP_ID}.metainfo.xml @ONLY)
configure_file(${TESSEL_LINUX_DIR}/copyright.in ${TESSEL_GENERATED_DIR}/copyright @ONLY)
# A native Debian package ships its changelog as /usr/share/doc/<package>/changelog.gz (gzip -9n:
# no name or time stamp, so the bytes do not change from one configure to the next).
configure_file(${TESSEL_LINUX_DIR}/changelog.in ${TESSEL_GENERATED_DIR}/changelog @ONLY)
execute_process(COMMAND gzip -9nc ${TESSEL_GENERATED_DIR}/changelog
  OUTPUT_FILE ${TESSEL_GENERATED_DIR}/changelog.gz RESULT_VARIABLE _gzip)
if(NOT _gzip EQUAL 0)
  message(FATAL_ERROR "gzip failed on ${TESSEL_GENERATED_DIR}/changelog")
endif()
