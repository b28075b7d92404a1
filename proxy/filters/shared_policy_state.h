#pragma once
// What policies share across workers and across snapshots: one object per
// process, owned by the server (never a global) and handed to chain
// compilation (registry.h). Compiled filters hold shared pointers into it,
// so a swap that keeps a policy keeps its state: the JWKS of a URI is not
// fetched again, verified tokens stay verified,
// introspection answers stay cached.

#include <memory>

#include "proxy/identity/introspector_registry.h"
#include "proxy/identity/jwks_cache.h"
#include "proxy/identity/token_cache.h"

namespace archway::filters {

struct SharedPolicyState {
  identity::JwksCache jwks;  // by jwksUri, for every JWT route and worker
  std::shared_ptr<identity::VerifiedTokenCache> tokens =
      std::make_shared<identity::VerifiedTokenCache>();
  // By endpoint and client, for every oauth2Introspection route and worker.
  identity::IntrospectorRegistry introspectors;
};

}  // namespace archway::filters
