//go:build !linux

package hostports

import (
	"errors"
	"fmt"
	"os/exec"
	"strconv"
)

func errnoError(e int32) error { return errnoErr(e) }

// listenersFirst is false: the tools these systems are read through cost
// the same for every socket as for the listeners alone.
const listenersFirst = false

type errnoErr int32

func (e errnoErr) Error() string { return "errno " + strconv.Itoa(int(e)) }

// runTable runs a tool and parses its output into a table, keeping the
// sockets of opts.Port alone when it is not 0.
func runTable(opts TableOptions, source string, parse func(string) ([]Socket, error), name string, args ...string) (Table, error) {
	if opts.Netns != "" {
		return Table{}, errors.New("hostports: ReadTable: network namespaces are Linux's; Netns must be empty here")
	}
	out, err := exec.Command(name, args...).Output()
	if err != nil {
		return Table{}, fmt.Errorf("hostports: reading the socket table: %s: %w", name, err)
	}
	socks, err := parse(string(out))
	if err != nil {
		return Table{}, err
	}
	t := Table{Source: source}
	for _, s := range socks {
		if opts.Port != 0 && s.Port() != opts.Port {
			continue
		}
		if opts.NoOwners {
			s.Owner, s.Processes = OwnerUnknown, nil
		}
		t.Sockets = append(t.Sockets, s)
	}
	return t, nil
}
