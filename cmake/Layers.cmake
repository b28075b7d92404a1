# The layering rule, enforced by the build (docs/layout.md).
#
# Each source folder is declared once with archway_folder_library(): the
# folders (or single public headers) it may include from, and its external
# libraries. That one declaration
#   - makes the folder a library linked to exactly those folders' libraries,
#     so the link graph and the include rule cannot drift apart, and
#   - adds a check (cmake/CheckLayering.cmake) that the library depends on:
#     a file that includes "<folder>/..." from a folder it does not list
#     fails `ninja` before anything in that library compiles.
# The check re-runs only when a file of that folder changes.
#
#   archway_folder_library(<folder>          # e.g. proxy/exchange
#     [TARGET <name>]                        # default: archway_<folder with / → _>
#     [USES <folder or folder/header.h>...]  # what it may include (its own folder always)
#     [PENDING <file>=<include>...]          # known violations being fixed
#                                            # elsewhere; each one is listed, never a folder
#     [LIBS <external targets>...])
#
# A folder with no .cc becomes an INTERFACE library. Folders are named from
# the repository root, as includes are written.

set(ARCHWAY_LAYER_CHECK_SCRIPT ${CMAKE_CURRENT_LIST_DIR}/CheckLayering.cmake)

function(archway_folder_target_name folder out)
  string(REPLACE "/" "_" name "archway_${folder}")
  set(${out} ${name} PARENT_SCOPE)
endfunction()

function(archway_folder_library folder)
  cmake_parse_arguments(ARG "" "TARGET" "USES;PENDING;LIBS" ${ARGN})
  if(ARG_TARGET)
    set(target ${ARG_TARGET})
  else()
    archway_folder_target_name(${folder} target)
  endif()
  set(dir ${CMAKE_SOURCE_DIR}/${folder})
  file(GLOB sources CONFIGURE_DEPENDS ${dir}/*.cc)
  file(GLOB headers CONFIGURE_DEPENDS ${dir}/*.h)

  # Libraries of the folders this one uses (a single header "a/b/c.h" links a/b).
  set(folder_libs "")
  foreach(use IN LISTS ARG_USES)
    if(use MATCHES "\\.h$")
      get_filename_component(use ${use} DIRECTORY)
    endif()
    archway_folder_target_name(${use} lib)
    list(APPEND folder_libs ${lib})
  endforeach()
  # A pending edge still has to link until it is removed.
  foreach(edge IN LISTS ARG_PENDING)
    string(REGEX REPLACE "^[^=]*=" "" inc "${edge}")
    get_filename_component(inc_dir ${inc} DIRECTORY)
    archway_folder_target_name(${inc_dir} lib)
    list(APPEND folder_libs ${lib})
  endforeach()
  list(REMOVE_DUPLICATES folder_libs)

  if(sources)
    add_library(${target} STATIC ${sources})
    set(scope PUBLIC)
    archway_target_warnings(${target})
    set_property(GLOBAL APPEND PROPERTY ARCHWAY_COMPILED_LIBRARIES ${target})
  else()
    add_library(${target} INTERFACE)
    set(scope INTERFACE)
  endif()
  target_include_directories(${target} ${scope} ${CMAKE_SOURCE_DIR})
  target_link_libraries(${target} ${scope} ${folder_libs} ${ARG_LIBS})

  archway_layer_check(${folder} LIBRARY ${target} USES ${ARG_USES} PENDING ${ARG_PENDING})
endfunction()

# The include check alone, for a folder that is part of a larger library
# (controller/compile inside archway_controller_lib): LIBRARY waits for it.
function(archway_layer_check folder)
  cmake_parse_arguments(ARG "" "LIBRARY" "USES;PENDING" ${ARGN})
  string(REPLACE "/" "_" name "layering_${folder}")
  set(dir ${CMAKE_SOURCE_DIR}/${folder})
  file(GLOB files CONFIGURE_DEPENDS ${dir}/*.cc ${dir}/*.h)
  set(stamp ${CMAKE_BINARY_DIR}/layering/${name}.stamp)
  string(REPLACE ";" "," uses_arg "${ARG_USES}")
  string(REPLACE ";" "," pending_arg "${ARG_PENDING}")
  add_custom_command(
    OUTPUT ${stamp}
    COMMAND ${CMAKE_COMMAND} -DROOT=${CMAKE_SOURCE_DIR} -DFOLDER=${folder}
            "-DUSES=${uses_arg}" "-DPENDING=${pending_arg}" -DSTAMP=${stamp}
            -P ${ARCHWAY_LAYER_CHECK_SCRIPT}
    DEPENDS ${files} ${ARCHWAY_LAYER_CHECK_SCRIPT}
    COMMENT "Checking the includes of ${folder} against its layer"
    VERBATIM)
  add_custom_target(${name} DEPENDS ${stamp})
  add_dependencies(${ARG_LIBRARY} ${name})
endfunction()
