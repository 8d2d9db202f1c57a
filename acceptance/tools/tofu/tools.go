//go:build tools

// Package tools pins the OpenTofu CLI so `go mod tidy` keeps its requirements.
package tools

import _ "github.com/opentofu/opentofu/cmd/tofu"
