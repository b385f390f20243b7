//go:build !linux

package hostports

import "strconv"

func errnoError(e int32) error { return errnoErr(e) }

type errnoErr int32

func (e errnoErr) Error() string { return "errno " + strconv.Itoa(int(e)) }

func readTable(opts TableOptions) (Table, error) {
	return Table{}, ErrNoSocketTable
}
