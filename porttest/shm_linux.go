package porttest

import "syscall"

// shmUsable reports whether /dev/shm is a directory this process may create
// files in.
func shmUsable() bool {
	var st syscall.Stat_t
	if err := syscall.Stat("/dev/shm", &st); err != nil || st.Mode&syscall.S_IFMT != syscall.S_IFDIR {
		return false
	}
	return syscall.Access("/dev/shm", 0x2|0x1) == nil // W_OK|X_OK
}

// shmBase returns "/dev/shm" if it is usable, else "".
func shmBase() string {
	if shmUsable() {
		return "/dev/shm"
	}
	return ""
}
