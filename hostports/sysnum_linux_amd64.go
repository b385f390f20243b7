package hostports

// sysSetns is the number of setns(2) on linux/amd64, which the frozen
// syscall package does not name.
const sysSetns = 308
