//go:build tools

// Package tools pins Ory Hydra, the OAuth2 server that the identity e2e
// tests run (e2e/internal/hydra). Nothing imports it; ../ensure.sh builds
// the main package from this module's pins.
package tools

import _ "github.com/ory/hydra/v2"
