package hostports

// readTable runs lsof. Without root, lsof lists only this user's
// processes: the sockets of others are missing, not hidden.
func readTable(opts TableOptions) (Table, error) {
	return runTable(opts, "lsof", ParseLsof, "lsof", "-nP", "-iTCP", "-iUDP", "-FpcuLftPnT")
}
