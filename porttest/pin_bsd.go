//go:build darwin || dragonfly || freebsd || netbsd || openbsd

package porttest

// Pinning a held lock file. Without Linux's abstract socket namespace, the
// only name a lease has is its lock file, and a flock lock does not keep
// its file's name: rm of a held file would let the next taker create and
// lock a new one. So the holder sets the file's user-immutable flag
// (chflags uchg) while it holds it. An immutable file cannot be unlinked
// or renamed, and the directory holding it cannot be removed: rm, rm -rf
// and tmp reapers of the same user fail on it with "Operation not
// permitted". The superuser's rm clears user flags before it unlinks, so a
// cleanup run as root can still take a held port away.
//
// The holder clears the flag when it releases the lease. A process that
// ends without releasing (killed, or exiting with leases held) leaves its
// files immutable until the next holder of each port releases it; `chflags -R nouchg DIR` clears them all before
// the directory is removed on purpose. A file system without file flags
// refuses the flag; the lease is then the lock alone, as before.

import "golang.org/x/sys/unix"

// ufImmutable is UF_IMMUTABLE of <sys/stat.h>, the same on macOS and the
// BSDs.
const ufImmutable = 0x2

// pinLock sets (on) or clears the user-immutable flag of the open file fd,
// keeping its other flags.
var pinLock = func(fd int, on bool) error {
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return err
	}
	flags := uint32(st.Flags) &^ ufImmutable
	if on {
		flags |= ufImmutable
	}
	if flags == uint32(st.Flags) {
		return nil
	}
	return unix.Fchflags(fd, int(flags))
}
