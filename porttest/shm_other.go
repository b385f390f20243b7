//go:build !linux

package porttest

// shmUsable reports whether /dev/shm may hold the lock directory; only
// Linux is known to have it as a memory file system.
func shmUsable() bool { return false }

func shmBase() string { return "" }
