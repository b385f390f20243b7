//go:build !linux

package hostports

import "os"

// canBindPrivileged reports whether this process runs as root, which the
// BSDs and macOS ask of a process that binds a privileged port. Windows
// has none.
func canBindPrivileged() bool { return os.Geteuid() == 0 }
