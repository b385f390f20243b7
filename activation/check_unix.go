//go:build unix

package activation

import (
	"os"
	"syscall"
)

// checkInherited says what is wrong with fd as an inherited socket: "" if
// it is an open socket of a type a server listens or reads on, which it
// then marks close-on-exec.
func checkInherited(fd int) string {
	var st syscall.Stat_t
	if err := syscall.Fstat(fd, &st); err != nil {
		if err == syscall.EBADF {
			return "is not open"
		}
		return "cannot be examined: " + err.Error()
	}
	if st.Mode&syscall.S_IFMT != syscall.S_IFSOCK {
		return "is not a socket (" + fileType(uint32(st.Mode)) + ")"
	}
	t, err := syscall.GetsockoptInt(fd, syscall.SOL_SOCKET, syscall.SO_TYPE)
	if err != nil {
		return "is a socket whose type cannot be read: " + err.Error()
	}
	if t != syscall.SOCK_STREAM && t != syscall.SOCK_DGRAM && t != syscall.SOCK_SEQPACKET {
		return "is a socket of neither stream, datagram nor seqpacket type"
	}
	syscall.CloseOnExec(fd)
	return ""
}

func fileType(mode uint32) string {
	switch mode & syscall.S_IFMT {
	case syscall.S_IFREG:
		return "a regular file"
	case syscall.S_IFDIR:
		return "a directory"
	case syscall.S_IFIFO:
		return "a pipe"
	case syscall.S_IFCHR:
		return "a character device"
	case syscall.S_IFBLK:
		return "a block device"
	case syscall.S_IFLNK:
		return "a symbolic link"
	}
	return "an anonymous or special file"
}

// isStream reports whether f is a connection-oriented socket (stream or
// seqpacket, which a listener accepts on), and whether it can tell.
func isStream(f *os.File) (stream, ok bool) {
	t, err := syscall.GetsockoptInt(int(f.Fd()), syscall.SOL_SOCKET, syscall.SO_TYPE)
	return t == syscall.SOCK_STREAM || t == syscall.SOCK_SEQPACKET, err == nil
}
