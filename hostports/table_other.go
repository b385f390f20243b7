//go:build !linux && !darwin && !freebsd && !windows

package hostports

func readTable(opts TableOptions) (Table, error) {
	return Table{}, ErrNoSocketTable
}
