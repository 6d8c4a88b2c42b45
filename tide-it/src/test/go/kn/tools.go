//go:build tools

// Package tools pins Knative's kn CLI, which the integration tests drive Tide with: ./tide test builds it from this
// module into target/tools/kn. v0.42.0 is the newest knative.dev/client the Go module proxy serves whole here; later
// ones need knative.dev/client/pkg, which it does not serve.
package tools

import _ "knative.dev/client/cmd/kn"
