//go:build !linux

package hostports

// wildcardConflictsWithAll is false: BSD-derived systems and Windows let a
// wildcard socket and a specific-address socket share a port under
// SO_REUSEADDR, so Prober.Check binds every address.
const wildcardConflictsWithAll = false
