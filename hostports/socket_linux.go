// The Linux socket table. The sockets come from sock_diag netlink (three
// dumps: TCP, and UDP of IPv4 and of IPv6), or from
// /proc/net/{tcp,tcp6,udp,udp6} of the reading thread where netlink is
// refused (some sandboxes). Owners
// come from one pass over /proc/PID/fd: each directory is read with
// getdents and each entry with readlinkat relative to it, into buffers a
// worker reuses, so that the pass allocates per process, not per file;
// processes are shared among up to four workers. With FirstOwner the pass
// stops once every socket has a holder, after trying first the processes
// whose sockets are nearest in inode number (scanFirst). Only the
// processes that hold a socket of the table have their comm, cmdline,
// status and cgroup read.

package hostports

import (
	"cmp"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"unsafe"

	"github.com/portalloc/ports"
)

func errnoError(e int32) error { return syscall.Errno(e) }

// listenersFirst: Why reads the listeners of a port before its other
// sockets, because the kernel finds them without walking its table of
// connections (see diagListenStates).
const listenersFirst = true

func readTable(opts TableOptions) (Table, error) {
	if opts.Netns == "" {
		return readTableHere(opts)
	}
	// The sockets are read inside the namespace, the owners after leaving
	// it (the owners' /proc is the same).
	var t Table
	err, nsErr := inNetns(opts.Netns, func() error {
		var err error
		t, err = readSockets(opts.Port, opts.Listening)
		return err
	})
	if nsErr != nil {
		return t, errors.Join(err, fmt.Errorf("hostports: ReadTable(Netns %q): %w", opts.Netns, nsErr))
	}
	if err == nil && !opts.NoOwners {
		t.Hidden = findOwners(t.Sockets, opts.FirstOwner)
	}
	return t, err
}

func readTableHere(opts TableOptions) (Table, error) {
	t, err := readSockets(opts.Port, opts.Listening)
	if err != nil {
		return t, err
	}
	if !opts.NoOwners {
		t.Hidden = findOwners(t.Sockets, opts.FirstOwner)
	}
	return t, nil
}

// readSockets reads the sockets of the calling thread's network namespace:
// those of local port p when p is not 0, and the listening ones alone
// (see TableOptions.Listening) with listening.
func readSockets(p ports.Port, listening bool) (Table, error) {
	socks, err := readDiag(p, listening)
	if err == nil {
		return Table{Sockets: socks, Source: "sock_diag"}, nil
	}
	socks, err2 := readProcNet(p)
	if err2 != nil {
		return Table{}, fmt.Errorf("hostports: reading the socket table: sock_diag: %v; %w", err, err2)
	}
	if listening {
		socks = slices.DeleteFunc(socks, func(s Socket) bool { return !s.Listening() })
	}
	return Table{Sockets: socks, Source: "/proc/net"}, nil
}

// readDiag dumps every TCP and UDP socket through sock_diag, or those of
// local port p when p is not 0, or with listening the TCP listeners and
// unconnected UDP sockets alone. TCP is asked for with one TCPDIAG_GETSOCK
// request for both families, or, where the kernel refuses it, one
// SOCK_DIAG_BY_FAMILY request per family; UDP with one per family.
func readDiag(p ports.Port, listening bool) ([]Socket, error) {
	tcpStates, udpStates := uint32(diagAllStates), uint32(diagAllStates)
	if listening {
		tcpStates, udpStates = diagListenStates, diagUDPUnconnect
	}
	const netlinkSockDiag = 4
	fd, err := syscall.Socket(syscall.AF_NETLINK, syscall.SOCK_DGRAM|syscall.SOCK_CLOEXEC, netlinkSockDiag)
	if err != nil {
		return nil, fmt.Errorf("socket: %w", err)
	}
	defer syscall.Close(fd)
	if err := syscall.Bind(fd, &syscall.SockaddrNetlink{Family: syscall.AF_NETLINK}); err != nil {
		return nil, fmt.Errorf("bind: %w", err)
	}
	d := diagConn{fd: fd, buf: make([]byte, 64<<10)}
	out, err := d.dump(diagRequestTCP(p, tcpStates, 1), ports.TCP, nil)
	if err != nil {
		out = nil
		for i, family := range []uint8{afInet, afInet6} {
			if out, err = d.dump(diagRequest(family, ipprotoTCP, p, tcpStates, uint32(2+i)), ports.TCP, out); err != nil {
				return nil, err
			}
		}
	}
	for i, family := range []uint8{afInet, afInet6} {
		out, err = d.dump(diagRequest(family, ipprotoUDP, p, udpStates, uint32(4+i)), ports.UDP, out)
		if errors.Is(err, syscall.ENOENT) {
			continue // no UDP diag module: no UDP sockets to show
		}
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// diagConn is a sock_diag socket and its receive buffer.
type diagConn struct {
	fd  int
	buf []byte
}

// dump sends one dump request and appends the sockets of its answer, of
// protocol proto, to out.
func (d diagConn) dump(req []byte, proto ports.Protocol, out []Socket) ([]Socket, error) {
	if err := syscall.Sendto(d.fd, req, 0, &syscall.SockaddrNetlink{Family: syscall.AF_NETLINK}); err != nil {
		return out, fmt.Errorf("send: %w", err)
	}
	for {
		n, _, err := syscall.Recvfrom(d.fd, d.buf, 0)
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return out, fmt.Errorf("receive: %w", err)
		}
		out, err = decodeDiag(d.buf[:n], proto, out)
		if err == errDiagDone {
			return out, nil
		}
		if err != nil {
			return out, err
		}
	}
}

// readProcNet reads /proc/thread-self/net/*, the tables of the calling
// thread's namespace.
func readProcNet(p ports.Port) ([]Socket, error) {
	dir := "/proc/thread-self/net/"
	if _, err := os.Stat(dir); err != nil {
		dir = "/proc/self/net/" // Linux before 3.17
	}
	var out []Socket
	for _, f := range []struct {
		name  string
		proto ports.Protocol
	}{{"tcp", ports.TCP}, {"tcp6", ports.TCP}, {"udp", ports.UDP}, {"udp6", ports.UDP}} {
		b, err := os.ReadFile(dir + f.name)
		if errors.Is(err, os.ErrNotExist) && strings.HasSuffix(f.name, "6") {
			continue // no IPv6
		}
		if err != nil {
			return nil, err
		}
		socks, err := parseProcNet(string(b), f.proto, binary.NativeEndian)
		if err != nil {
			return nil, err
		}
		for _, s := range socks {
			if p == 0 || s.Port() == p {
				out = append(out, s)
			}
		}
	}
	return out, nil
}

// findOwners fills Owner and Processes of every socket, and returns the
// number of processes whose open files could not be read. With first, the
// search stops once every socket has a holder (see scanFirst).
func findOwners(socks []Socket, first bool) int {
	want := make(map[uint64][]int, len(socks)) // inode -> PIDs
	for _, s := range socks {
		if s.Inode != 0 {
			want[s.Inode] = nil
		}
	}
	var hidden []int // UIDs of the processes that could not be read
	switch {
	case len(want) == 0:
	case first:
		want, hidden = scanFirst(want)
	default:
		want, hidden = scanProcFds(want)
	}
	procs := map[int]*Process{}
	euid := os.Geteuid()
	for i := range socks {
		s := &socks[i]
		if s.Inode == 0 {
			s.Owner = OwnerKernel
			continue
		}
		pids := want[s.Inode]
		if len(pids) == 0 {
			// Root reads every process; for others, a socket whose user
			// owns a process that could not be read is that process's.
			if euid != 0 && (slices.Contains(hidden, s.UID) || (s.UID != euid && len(hidden) > 0)) {
				s.Owner = OwnerHidden
			} else {
				s.Owner = OwnerUnknown
			}
			continue
		}
		s.Owner = OwnerFound
		s.Processes = make([]Process, 0, len(pids))
		for _, pid := range pids {
			pr, ok := procs[pid]
			if !ok {
				pr = readProcess(pid)
				procs[pid] = pr
			}
			s.Processes = append(s.Processes, *pr)
		}
	}
	return len(hidden)
}

// scanProcFds finds the processes that hold each inode of want, and
// returns the UIDs of the processes whose fd directory it could not read.
func scanProcFds(want map[uint64][]int) (map[uint64][]int, []int) {
	pids := listPIDs()
	workers := min(runtime.GOMAXPROCS(0), 4, max(1, len(pids)/16))
	type found struct {
		inode uint64
		pid   int
	}
	results := make([][]found, workers)
	hiddenBy := make([][]int, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			dirents := make([]byte, 16<<10)
			link := make([]byte, 64)
			for i := w; i < len(pids); i += workers {
				pid := pids[i]
				err := eachSocketFd(pid, dirents, link, func(inode uint64) {
					if _, ok := want[inode]; ok {
						results[w] = append(results[w], found{inode, pid})
					}
				})
				if errors.Is(err, syscall.EACCES) || errors.Is(err, syscall.EPERM) {
					hiddenBy[w] = append(hiddenBy[w], procUID(pid))
				}
			}
		}()
	}
	wg.Wait()
	for _, rs := range results {
		for _, f := range rs {
			if !slices.Contains(want[f.inode], f.pid) {
				want[f.inode] = append(want[f.inode], f.pid)
			}
		}
	}
	for _, pids := range want {
		slices.Sort(pids)
	}
	var hidden []int
	for _, h := range hiddenBy {
		hidden = append(hidden, h...)
	}
	return want, hidden
}

// scanFirst finds a process that holds each inode of want, and stops as
// soon as every inode has one. It goes in two passes. The first reads the
// first entries of each process's fd directory, in the order of
// firstOrder (one small getdents, which is all a process with few files
// has) up to its first socket, notes the socket's inode, and reads the
// rest of a process whose first socket is a wanted one. Inode numbers
// grow as sockets are made, and a process makes most of its sockets close
// together (a server's listeners at its start), so the second pass reads
// the rest of the processes not read to the end, nearest first: those
// whose first socket is nearest in number to a wanted inode, then the
// others, newest first. The order only decides how soon the search ends,
// never what it finds: a process left out is one that was not needed. It
// returns, as scanProcFds does, the holders found and the UIDs of the
// processes whose fd directory it could not read.
func scanFirst(want map[uint64][]int) (map[uint64][]int, []int) {
	wanted := make([]uint64, 0, len(want))
	for ino := range want {
		wanted = append(wanted, ino)
	}
	slices.Sort(wanted)
	s := &firstSearch{want: want, left: len(want)}
	pids := listPIDs()
	type rest struct {
		pid  int
		dist uint64 // to the nearest wanted inode, of the sockets seen
	}
	var todo []rest
	// One at a time, in the order of firstOrder: the pass is short, and a
	// second worker would go on reading while the first reads a holder.
	dirents, link := make([]byte, 16<<10), make([]byte, 64)
	order := newFirstOrder(len(pids), wanted[0])
	for i, ok := order.next(); ok && !s.done(); i, ok = order.next() {
		pid := pids[i]
		dist, first := uint64(math.MaxUint64), uint64(0)
		complete, err := eachSocketFdFirst(pid, dirents[:firstDirents], link, func(ino uint64) {
			first = ino
			dist = min(dist, nearest(wanted, ino))
			s.found(ino, pid)
		})
		order.record(i, first)
		switch {
		case err != nil:
			s.denied(pid, err)
		case !complete && dist == 0 && !s.done():
			// A holder: its other sockets are the likeliest of all.
			eachSocketFd(pid, dirents, link, func(ino uint64) { s.found(ino, pid) })
		case !complete:
			todo = append(todo, rest{pid, dist})
		}
	}
	if !s.done() {
		slices.SortFunc(todo, func(a, b rest) int {
			if c := cmp.Compare(a.dist, b.dist); c != 0 {
				return c
			}
			return cmp.Compare(b.pid, a.pid)
		})
		order := make([]int, len(todo))
		for i, r := range todo {
			order[i] = r.pid
		}
		read := func(pid int, dirents, link []byte) bool {
			eachSocketFd(pid, dirents, link, func(ino uint64) { s.found(ino, pid) })
			return s.done()
		}
		// The nearest few one at a time: the first is most often the
		// holder, and a second worker would only read another.
		k := min(len(order), 4)
		each(order[:k], 1, read)
		if !s.done() {
			each(order[k:], 4, read)
		}
	}
	for _, pids := range want {
		slices.Sort(pids)
	}
	return want, s.hidden
}

// firstDirents is the size of the first pass's getdents buffer: the
// entries of about 20 descriptors.
const firstDirents = 512

// firstOrder is the order in which the first pass of scanFirst visits the
// processes, given by their index in ascending PID order. A process's
// first socket is most often made soon after it starts, and both PIDs and
// inode numbers grow with time, so in PID order the first sockets of the
// processes mostly grow (not always: each CPU takes inode numbers in
// batches, and a child inherits its parent's sockets). The order starts
// with the newest process (a port that cannot be bound is most often held
// by a program started lately) and a few others spread over the PIDs,
// then, for a bounded number of steps, searches as in a sorted list: of
// the processes visited, it takes two neighbours in PID order whose first
// sockets are below and above the wanted inode, the nearest such pair, and
// visits the process halfway between them; a process without a socket
// tells nothing. Once the steps are spent it goes on newest first. Every
// process is visited once; the order only decides how soon the search
// ends.
type firstOrder struct {
	target uint64
	first  []uint64 // of each process visited, its first socket's inode; 0 for none
	seen   []bool
	left   int   // processes not visited
	spread []int // the processes spread over the PIDs, to visit first
	steps  int   // steps of the search left
	newest int   // the newest process not visited may be at this index or below
	unseen []int // scratch: unseen[i] counts the processes not visited below index i
}

const (
	// firstOrderSpread is how many processes, spread over the PIDs, are
	// visited before the search.
	firstOrderSpread = 8
	// firstOrderSteps bounds the steps of the search.
	firstOrderSteps = 48
)

func newFirstOrder(n int, target uint64) *firstOrder {
	o := &firstOrder{target: target, first: make([]uint64, n), seen: make([]bool, n), left: n, steps: firstOrderSteps, newest: n - 1,
		unseen: make([]int, n+1)}
	for k := range firstOrderSpread {
		if i := n - 1 - k*n/firstOrderSpread; i >= 0 && !slices.Contains(o.spread, i) {
			o.spread = append(o.spread, i)
		}
	}
	return o
}

// next returns the index of the next process to visit, and false when
// every one has been.
func (o *firstOrder) next() (int, bool) {
	if o.left == 0 {
		return 0, false
	}
	i, ok := -1, false
	for len(o.spread) > 0 && !ok {
		i, o.spread = o.spread[0], o.spread[1:]
		ok = !o.seen[i]
	}
	if !ok && o.steps > 0 {
		o.steps--
		i, ok = o.bisect()
	}
	if !ok {
		for o.seen[o.newest] {
			o.newest--
		}
		i = o.newest
	}
	o.seen[i] = true
	o.left--
	return i, true
}

// record notes the first socket's inode of the process at index i, or 0.
func (o *firstOrder) record(i int, ino uint64) { o.first[i] = ino }

// bisect returns the process not visited nearest the middle of the two
// neighbours, among the processes visited with a socket, whose first
// sockets are nearest below and above the target. Below the first process
// and above the last stand sockets 0 and the largest.
func (o *firstOrder) bisect() (int, bool) {
	n := len(o.first)
	for i, seen := range o.seen {
		o.unseen[i+1] = o.unseen[i]
		if !seen {
			o.unseen[i+1]++
		}
	}
	lo, hi, span := 0, 0, uint64(math.MaxUint64)
	consider := func(a int, aIno uint64, b int, bIno uint64) {
		l, h := min(aIno, bIno), max(aIno, bIno)
		if l <= o.target && o.target <= h && h-l < span && o.unseen[b]-o.unseen[a+1] > 0 {
			lo, hi, span = a, b, h-l
		}
	}
	prev, prevIno := -1, uint64(0)
	for i, ino := range o.first {
		if ino != 0 {
			consider(prev, prevIno, i, ino)
			prev, prevIno = i, ino
		}
	}
	consider(prev, prevIno, n, math.MaxUint64)
	if span == math.MaxUint64 {
		return 0, false
	}
	mid := lo + (hi-lo)/2
	for d := 0; mid-d > lo || mid+d < hi; d++ {
		if a := mid - d; a > lo && a < hi && !o.seen[a] {
			return a, true
		}
		if b := mid + d; b > lo && b < hi && !o.seen[b] {
			return b, true
		}
	}
	return 0, false
}

// firstSearch is what the workers of scanFirst share.
type firstSearch struct {
	mu     sync.Mutex
	want   map[uint64][]int
	left   int   // wanted inodes without a holder yet
	hidden []int // UIDs of the processes not read
}

func (s *firstSearch) found(ino uint64, pid int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	pids, ok := s.want[ino]
	if !ok || slices.Contains(pids, pid) {
		return
	}
	if len(pids) == 0 {
		s.left--
	}
	s.want[ino] = append(pids, pid)
}

func (s *firstSearch) denied(pid int, err error) {
	if !errors.Is(err, syscall.EACCES) && !errors.Is(err, syscall.EPERM) {
		return // ended
	}
	uid := procUID(pid)
	s.mu.Lock()
	s.hidden = append(s.hidden, uid)
	s.mu.Unlock()
}

func (s *firstSearch) done() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.left == 0
}

// nearest returns the distance from ino to the nearest inode of sorted.
func nearest(sorted []uint64, ino uint64) uint64 {
	i, _ := slices.BinarySearch(sorted, ino)
	d := uint64(math.MaxUint64)
	if i < len(sorted) {
		d = sorted[i] - ino
	}
	if i > 0 {
		d = min(d, ino-sorted[i-1])
	}
	return d
}

// each calls fn for each PID of pids, in order, from up to maxWorkers
// workers, each with buffers of its own, until fn returns true.
func each(pids []int, maxWorkers int, fn func(pid int, dirents, link []byte) bool) {
	workers := min(runtime.GOMAXPROCS(0), maxWorkers, max(1, len(pids)/16))
	var next atomic.Int64
	var stop atomic.Bool
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			dirents := make([]byte, 16<<10)
			link := make([]byte, 64)
			for !stop.Load() {
				i := int(next.Add(1)) - 1
				if i >= len(pids) {
					return
				}
				if fn(pids[i], dirents, link) {
					stop.Store(true)
				}
			}
		}()
	}
	wg.Wait()
}

// procUID returns the owner of /proc/PID, or -1.
func procUID(pid int) int {
	var st syscall.Stat_t
	if syscall.Stat("/proc/"+strconv.Itoa(pid), &st) != nil {
		return -1
	}
	return int(st.Uid)
}

// listPIDs returns the PIDs under /proc, in ascending order.
func listPIDs() []int {
	fd, err := syscall.Open("/proc", syscall.O_RDONLY|syscall.O_DIRECTORY|syscall.O_CLOEXEC, 0)
	if err != nil {
		return nil
	}
	defer syscall.Close(fd)
	buf := make([]byte, 16<<10)
	var pids []int
	for {
		n, err := syscall.ReadDirent(fd, buf)
		if err == syscall.EINTR {
			continue
		}
		if err != nil || n <= 0 {
			break
		}
		eachDirent(buf[:n], func(name []byte) bool {
			if pid, ok := direntPID(name); ok {
				pids = append(pids, pid)
			}
			return false
		})
	}
	slices.Sort(pids)
	return pids
}

// eachDirent calls fn with the name of each linux_dirent64 in b, as
// getdents wrote them: NUL-terminated and padded, never empty. It stops
// when fn returns true, and reports whether it did.
func eachDirent(b []byte, fn func(name []byte) bool) bool {
	for off := 0; off+19 < len(b); {
		reclen := int(binary.NativeEndian.Uint16(b[off+16:]))
		if reclen <= 19 || off+reclen > len(b) {
			return false
		}
		name := b[off+19 : off+reclen]
		off += reclen
		if fn(name) {
			return true
		}
	}
	return false
}

// direntPID reads the NUL-terminated name of an entry of /proc as a PID:
// one to nine decimal digits, not starting with 0.
func direntPID(name []byte) (int, bool) {
	if i := slices.Index(name, 0); i >= 0 {
		name = name[:i]
	}
	if len(name) == 0 || len(name) > 9 || name[0] == '0' {
		return 0, false
	}
	pid := 0
	for _, c := range name {
		if c < '0' || c > '9' {
			return 0, false
		}
		pid = pid*10 + int(c-'0')
	}
	return pid, true
}

// eachSocketFd calls fn with the inode of each socket that process pid
// has open. It returns the error of opening its fd directory.
func eachSocketFd(pid int, dirents, link []byte, fn func(inode uint64)) error {
	_, err := readFds(pid, dirents, link, false, fn)
	return err
}

// eachSocketFdFirst is eachSocketFd for the entries that one getdents
// into dirents returns, up to the first socket; complete reports whether
// they were all the process has.
func eachSocketFdFirst(pid int, dirents, link []byte, fn func(inode uint64)) (complete bool, err error) {
	return readFds(pid, dirents, link, true, fn)
}

func readFds(pid int, dirents, link []byte, once bool, fn func(inode uint64)) (complete bool, err error) {
	dfd, err := syscall.Open("/proc/"+strconv.Itoa(pid)+"/fd", syscall.O_RDONLY|syscall.O_DIRECTORY|syscall.O_CLOEXEC, 0)
	if err != nil {
		return false, err
	}
	defer syscall.Close(dfd)
	for {
		n, err := syscall.ReadDirent(dfd, dirents)
		if err == syscall.EINTR {
			continue
		}
		if err != nil || n <= 0 {
			return true, nil // the end, or the process ended
		}
		stopped := eachDirent(dirents[:n], func(name []byte) bool {
			if name[0] == '.' {
				return false
			}
			m, _, e := syscall.Syscall6(syscall.SYS_READLINKAT, uintptr(dfd), uintptr(unsafe.Pointer(&name[0])),
				uintptr(unsafe.Pointer(&link[0])), uintptr(len(link)), 0, 0)
			if e != 0 {
				return false
			}
			inode, ok := socketInode(link[:m])
			if ok {
				fn(inode)
			}
			return ok && once
		})
		if stopped {
			return false, nil
		}
		if once {
			// The kernel fills the buffer while entries fit, and an entry
			// of a descriptor takes at most 32 bytes: room for more means
			// there were no more.
			return len(dirents)-n >= 32, nil
		}
	}
}

// socketInode reads "socket:[12345]".
func socketInode(b []byte) (uint64, bool) {
	const pre = "socket:["
	if len(b) < len(pre)+2 || string(b[:len(pre)]) != pre || b[len(b)-1] != ']' {
		return 0, false
	}
	var n uint64
	for _, c := range b[len(pre) : len(b)-1] {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + uint64(c-'0')
	}
	return n, true
}

// readProcess reads what /proc says of pid; what cannot be read stays
// empty (a process may end at any moment).
func readProcess(pid int) *Process {
	dir := "/proc/" + strconv.Itoa(pid) + "/"
	pr := &Process{PID: pid, UID: -1}
	if b, err := os.ReadFile(dir + "comm"); err == nil {
		pr.Program = strings.TrimSuffix(string(b), "\n")
	}
	if b, err := os.ReadFile(dir + "cmdline"); err == nil && len(b) > 0 {
		pr.Cmdline = strings.Split(strings.TrimSuffix(string(b), "\x00"), "\x00")
	}
	if b, err := os.ReadFile(dir + "status"); err == nil {
		pr.UID = statusUID(string(b))
	}
	if pr.UID >= 0 {
		pr.User = userName(pr.UID)
	}
	if c, ok := ParseDockerProxyArgs(pr.Cmdline); ok {
		pr.Container = c
	} else if b, err := os.ReadFile(dir + "cgroup"); err == nil {
		pr.Container, _ = ParseCgroup(string(b))
	}
	return pr
}

// statusUID returns the real UID of a /proc/PID/status, or -1.
func statusUID(s string) int {
	i := strings.Index(s, "\nUid:")
	if i < 0 {
		return -1
	}
	f := strings.Fields(s[i+5:])
	if len(f) == 0 {
		return -1
	}
	uid, err := strconv.Atoi(f[0])
	if err != nil {
		return -1
	}
	return uid
}
