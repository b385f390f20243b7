package manifest

// Every file the package reads goes through readRegular: a file named in a
// project is data from whoever wrote the project, and a symbolic link to
// /dev/zero, a FIFO, or a reference to /etc/shadow is as easy to commit as
// a compose file. So a file is opened without blocking (a FIFO with no
// writer would otherwise hang the open), the opened descriptor must be a
// regular file (checked on the descriptor, not the name, so that the name
// cannot be swapped between the check and the read), and no more than the
// cap is read. References (include, extends.file, an include's env_file,
// the .env file found beside a project) must also resolve, symbolic links
// followed, inside the Loader's root.
//
// compose-go reads included and extended files itself, by name. The scan
// of positions reads each such file first, through readRegular and the root
// check, and fails the load before compose-go runs if one is refused; the
// resource loader that the package hands compose-go refuses what the scan
// did not pass (see guardLoader). Between the scan's read and compose-go's
// a file could be replaced by someone who can write the project's
// directory while the load runs; that is outside what a check of
// untrusted files protects against.

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// DefaultMaxFileSize is the cap on the size of one file read, used when
// [Loader].MaxFileSize is 0: 16 MiB, far above any real compose file,
// manifest or registry.
const DefaultMaxFileSize = 16 << 20

// ErrNotRegular is the error (wrapped in an [*Error]) for a file that is not
// a regular file: a directory, a device such as /dev/zero, a FIFO or a
// socket, directly or through a symbolic link.
var ErrNotRegular = errors.New("not a regular file")

// ErrTooLarge is the error (wrapped in an [*Error]) for a file larger than
// the cap, [Loader].MaxFileSize.
var ErrTooLarge = errors.New("file too large")

// ErrOutsideRoot is the error (wrapped in an [*Error]) for a file that a
// project refers to (include, extends, env_file, .env) and that lies
// outside [Loader].Root once symbolic links are resolved.
var ErrOutsideRoot = errors.New("a project's references must stay inside its directory")

// ErrRemote is the error (wrapped in an [*Error]) for an include or extends
// of a remote resource (oci://, git, http): the package reads local files
// only.
var ErrRemote = errors.New("remote resources are not read")

// maxSize returns the cap on the size of a file that l reads.
func (l Loader) maxSize() int64 {
	if l.MaxFileSize > 0 {
		return l.MaxFileSize
	}
	return DefaultMaxFileSize
}

// sizeText writes n bytes as people read a cap: "16 MiB", "1.5 KiB",
// "100 bytes".
func sizeText(n int64) string {
	for _, u := range []struct {
		unit string
		size int64
	}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}} {
		if n >= u.size {
			if n%u.size == 0 {
				return fmt.Sprintf("%d %s", n/u.size, u.unit)
			}
			return fmt.Sprintf("%.1f %s", float64(n)/float64(u.size), u.unit)
		}
	}
	return fmt.Sprintf("%d bytes", n)
}

// readRegular reads the regular file at path, up to max bytes. A file that is
// missing gives an *Error that unwraps to fs.ErrNotExist.
func readRegular(path string, max int64) ([]byte, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return nil, &Error{File: path, Msg: "cannot read file", Err: err}
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, &Error{File: path, Msg: "cannot read file", Err: err}
	}
	if !fi.Mode().IsRegular() {
		return nil, &Error{File: path, Msg: "cannot read file: " + modeText(fi.Mode()), Err: ErrNotRegular}
	}
	return readCapped(path, f, max)
}

// readCapped reads r to its end, failing past max bytes.
func readCapped(name string, r io.Reader, max int64) ([]byte, error) {
	var buf bytes.Buffer
	n, err := buf.ReadFrom(io.LimitReader(r, max+1))
	if err != nil {
		return nil, &Error{File: name, Msg: "cannot read file", Err: err}
	}
	if n > max {
		return nil, &Error{File: name, Msg: "larger than the cap of " + sizeText(max) + " on the size of a file read", Err: ErrTooLarge}
	}
	return buf.Bytes(), nil
}

// modeText says what kind of file mode is, for one that is not regular.
func modeText(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&fs.ModeNamedPipe != 0:
		return "a FIFO"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a device"
	}
	return "not a regular file"
}

// fileRoot is the directory tree that a project's references must stay in.
// The zero fileRoot allows every file.
type fileRoot struct {
	dir string // symbolic links resolved; "" allows all
}

// newRoot returns the root at dir, its symbolic links resolved. An empty
// dir or "/" allows every file.
func newRoot(dir string) (fileRoot, error) {
	if dir == "" {
		return fileRoot{}, nil
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return fileRoot{}, &Error{File: dir, Msg: "root directory", Err: err}
	}
	real, err := filepath.EvalSymlinks(abs)
	if errors.Is(err, fs.ErrNotExist) {
		// Nothing can be read under a directory that is not there (a
		// project read from a stream under a made-up name).
		real, err = abs, nil
	}
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return fileRoot{}, &Error{File: dir, Msg: "root directory", Err: err}
	}
	if real == string(filepath.Separator) || filepath.Dir(real) == real {
		return fileRoot{}, nil
	}
	return fileRoot{dir: real}, nil
}

// check returns nil if path, its symbolic links resolved, lies inside r,
// and an *Error naming path and what it is ("include") otherwise. A path that
// does not exist passes: reading it then says it is missing.
func (r fileRoot) check(path, what string) error {
	if r.dir == "" {
		return nil
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return &Error{File: path, Msg: what, Err: err}
	}
	real, err := filepath.EvalSymlinks(abs)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return &Error{File: path, Msg: what, Err: err}
	}
	if !r.contains(real) {
		return &Error{File: path, Msg: fmt.Sprintf("%s resolves to %s, outside %s", what, real, r.dir), Err: ErrOutsideRoot}
	}
	return nil
}

// contains reports whether real, a path with its symbolic links resolved,
// lies inside r.
func (r fileRoot) contains(real string) bool {
	if r.dir == "" {
		return true
	}
	rel, err := filepath.Rel(r.dir, real)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) && !filepath.IsAbs(rel)
}

// readRef reads a file that a project refers to: inside r, regular, at
// most max bytes. what says what refers to it ("include", "env_file").
func (r fileRoot) readRef(path, what string, max int64) ([]byte, error) {
	if err := r.check(path, what); err != nil {
		return nil, err
	}
	return readRegular(path, max)
}
