# Every dependency comes from Debian's packages (DESIGN.md §5). Imported
# targets are marked SYSTEM so our -Werror never fires on their headers.
find_package(Threads REQUIRED)
find_package(OpenSSL 3 REQUIRED)
find_package(spdlog REQUIRED)
find_package(yaml-cpp REQUIRED)
find_package(nlohmann_json 3 REQUIRED)
find_package(Boost 1.74 REQUIRED COMPONENTS system program_options)
find_package(cpprestsdk REQUIRED)
find_package(PkgConfig REQUIRED)
pkg_check_modules(NGHTTP2 REQUIRED IMPORTED_TARGET libnghttp2)
pkg_check_modules(HIREDIS REQUIRED IMPORTED_TARGET hiredis)
# RE2 (libre2-dev) for route regexes: linear time, no stack blow-up, unlike std::regex.
pkg_check_modules(RE2 REQUIRED IMPORTED_TARGET re2)
# uriparser (liburiparser-dev): RFC 3986 URLs for the outbound client. Debian
# 12's Boost.URL needs Boost 1.81, whose -dev conflicts with the 1.74 that
# cpprestsdk is built against.
pkg_check_modules(URIPARSER REQUIRED IMPORTED_TARGET liburiparser)
if(ARCHWAY_TESTS)
  find_package(GTest REQUIRED)
endif()
