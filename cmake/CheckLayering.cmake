# cmake -P CheckLayering.cmake with -DROOT, -DFOLDER, -DUSES (comma list of
# folders or headers), -DPENDING (comma list of file=include), -DSTAMP.
# Fails (exit code 1, one line per offence) when a file of FOLDER includes
# "x/y/z.h" from a folder that is neither FOLDER nor listed in USES; touches
# STAMP otherwise. Only includes of this repository's top folders are judged.
# See cmake/Layers.cmake and docs/layout.md.

cmake_minimum_required(VERSION 3.25)

string(REPLACE "," ";" uses "${USES}")
string(REPLACE "," ";" pending "${PENDING}")
set(repo_roots proxy controller common)

file(GLOB files ${ROOT}/${FOLDER}/*.h ${ROOT}/${FOLDER}/*.cc)
set(errors "")
set(pending_seen "")
foreach(path IN LISTS files)
  file(RELATIVE_PATH file ${ROOT} ${path})
  file(STRINGS ${path} lines REGEX "^[ \t]*#[ \t]*include[ \t]*\"")
  foreach(line IN LISTS lines)
    if(NOT line MATCHES "#[ \t]*include[ \t]*\"([^\"]+)\"")
      continue()
    endif()
    set(inc ${CMAKE_MATCH_1})
    string(REGEX MATCH "^[^/]+" top "${inc}")
    if(NOT top IN_LIST repo_roots)
      continue()
    endif()
    get_filename_component(inc_dir ${inc} DIRECTORY)
    if(inc_dir STREQUAL FOLDER OR inc_dir IN_LIST uses OR inc IN_LIST uses)
      continue()
    endif()
    if("${file}=${inc}" IN_LIST pending)
      list(APPEND pending_seen "${file}=${inc}")
      continue()
    endif()
    list(APPEND errors "${file}: includes \"${inc}\", but ${FOLDER} may not use ${inc_dir} (cmake/Layers.cmake, docs/layout.md)")
  endforeach()
endforeach()

foreach(edge IN LISTS pending)
  if(NOT edge IN_LIST pending_seen)
    message(WARNING "layering: pending exception ${edge} no longer occurs; remove it from ${FOLDER}'s PENDING list")
  endif()
endforeach()

if(errors)
  foreach(e IN LISTS errors)
    message("layering violation: ${e}")
  endforeach()
  message(FATAL_ERROR "${FOLDER}: include(s) across a forbidden edge")
endif()
file(TOUCH ${STAMP})
