package hostports

// readTable runs sockstat with the state column (-s, FreeBSD 13 and
// later), and without it where -s is refused.
func readTable(opts TableOptions) (Table, error) {
	t, err := runTable(opts, "sockstat", ParseSockstat, "sockstat", "-46s")
	if err != nil && opts.Netns == "" {
		return runTable(opts, "sockstat", ParseSockstat, "sockstat", "-46")
	}
	return t, err
}
