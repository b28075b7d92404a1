#pragma once
// One admin answer, as the pure handlers build it (tested without sockets).

#include <string>

namespace archway::admin {

struct AdminResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
};

}  // namespace archway::admin
