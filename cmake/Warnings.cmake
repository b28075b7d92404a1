# Our warning set, applied only to Archway's own targets (never to third-party
# headers, which are included as SYSTEM).
function(archway_target_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Werror -Wshadow=local
                                           -Wnon-virtual-dtor -Wimplicit-fallthrough)
endfunction()
