# greekbook_library(NAME SOURCES ... DEPS ...): one static library per layer.
# Layers point one way (core <- pricing <- io <- apps); DEPS names only lower layers.
function(greekbook_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_library(greekbook_${name} STATIC ${ARG_SOURCES})
  add_library(greekbook::${name} ALIAS greekbook_${name})
  target_include_directories(greekbook_${name} PUBLIC ${PROJECT_SOURCE_DIR}/include
                                               PRIVATE ${PROJECT_SOURCE_DIR}/src)
  target_link_libraries(greekbook_${name} PUBLIC ${ARG_DEPS})
endfunction()
