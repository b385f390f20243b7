//go:build !darwin && !dragonfly && !freebsd && !linux && !netbsd && !openbsd

package porttest

// unpin: lock files are not pinned on this system.
func unpin(string) {}
