// Package testtrace is Go's trace validator, the one Go's own tests run on
// every trace the runtime writes: validation.go is copied unchanged from
// golang.org/x/exp/trace/internal/testtrace (itself generated from Go's
// src/internal/trace/testtrace), at the x/exp version go.mod pins, except
// that it cannot import x/exp's internal version package; this file stands
// in for it. Copyright The Go Authors, BSD license (see LICENSE).
package testtrace

// Version is a trace format version: the minor Go version in the header "go 1.N trace".
type Version uint32

var version = struct{ Go122, Go125, Current Version }{Go122: 22, Go125: 25, Current: 26}
