package hostports

// How a probe binds. The sockets are opened as a Go server opens them
// (SO_REUSEADDR for TCP on Unix-like systems; :: dual-stack), so that
// "bindable" means "a Go server could listen here now". On Linux, macOS and
// FreeBSD the probe uses raw system calls, without the runtime's poller,
// which makes each socket cost about half what it costs through package net
// (BenchmarkBindOnce), and it sets IPV6_V6ONLY only when the socket does
// not start with the value it wants (Linux's net.ipv6.bindv6only, read
// once). To tell a privileged or excluded port from another refusal of
// permission, the first refused bind of the process reads the host's
// limits once. On a host without IPv6 the IPv6 checks are skipped, not
// failed ([Report.SkippedIPv6]).
//
// On Linux, Check with loopback and wildcard addresses that include ::
// (the defaults) first binds only :: for each protocol, dual-stack, without
// SO_REUSEADDR and without listening: the kernel refuses that bind while
// any socket of any local address, IPv4 or IPv6, is bound to the port, so
// when it succeeds every address would bind and listen too. Only when it
// fails does Check go address by address, to name the one that fails.
// TestWildcardCoversAddrs holds ports in every way the package knows and
// checks that the short path never passes a port the long one fails.
// Probe always goes address by address.

import (
	"errors"
	"net/netip"
	"strings"
	"sync"

	"github.com/portalloc/ports"
)

// The reasons a port cannot be bound. A [*BindError] unwraps to one of them
// when the OS error says which; test with [errors.Is].
var (
	// ErrInUse: another socket holds the port (EADDRINUSE).
	ErrInUse = errors.New("hostports: port in use")
	// ErrPrivileged: the port is privileged and the process is not
	// (EACCES on a port below 1024, or below Linux's
	// ip_unprivileged_port_start).
	ErrPrivileged = errors.New("hostports: port is privileged")
	// ErrExcluded: the OS excludes the port from binding (a Windows excluded
	// port range).
	ErrExcluded = errors.New("hostports: port excluded by the OS")
	// ErrDenied: the OS refused the bind for another reason of permission
	// (a security policy, or on Windows a socket bound for exclusive use).
	ErrDenied = errors.New("hostports: permission denied")
	// ErrAddrNotAvailable: the address is not one of this host's
	// (EADDRNOTAVAIL).
	ErrAddrNotAvailable = errors.New("hostports: address not available on this host")
	// ErrNoIPv6: the host has no IPv6 (no IPv6 support, or no ::1). A check
	// that fails for this reason is skipped, not failed.
	ErrNoIPv6 = errors.New("hostports: IPv6 not available on this host")
	// ErrNoDescriptors: the socket could not even be opened, because the
	// process or the system is out of file descriptors (EMFILE, ENFILE).
	// It says nothing about the port: a caller going through many ports
	// should stop, not count them as taken.
	ErrNoDescriptors = errors.New("hostports: out of file descriptors")
)

// reasonText returns what a reason says, without the package prefix.
func reasonText(reason error) string {
	return strings.TrimPrefix(reason.Error(), "hostports: ")
}

// BindError reports that a port could not be bound on one protocol and
// address, and why. It unwraps both to the reason (one of [ErrInUse],
// [ErrPrivileged], [ErrExcluded], [ErrDenied], [ErrAddrNotAvailable],
// [ErrNoIPv6] and [ErrNoDescriptors], or nil if the OS error fits none) and
// to the OS error. When the process ran out of descriptors, the OS error
// says the limit it ran into:
//
//	hostports: cannot bind tcp 127.0.0.1:62000: out of file descriptors (socket: too many open files; ulimit -n 1024)
type BindError struct {
	Protocol ports.Protocol
	Addr     netip.Addr
	Port     ports.Port
	Reason   error // one of the Err values of this package, or nil
	Err      error // the error of the OS, or of this package for a request it refuses
}

// Error says which protocol, address and port could not be bound, and why.
func (e *BindError) Error() string {
	var b strings.Builder
	b.WriteString("hostports: cannot bind ")
	b.WriteString(e.Protocol.String())
	b.WriteByte(' ')
	b.WriteString(netip.AddrPortFrom(e.Addr, uint16(e.Port)).String())
	switch {
	case e.Reason != nil && e.Err != nil:
		b.WriteString(": " + reasonText(e.Reason) + " (" + e.Err.Error() + ")")
	case e.Reason != nil:
		b.WriteString(": " + reasonText(e.Reason))
	case e.Err != nil:
		b.WriteString(": " + e.Err.Error())
	}
	return b.String()
}

// Unwrap returns the reason and the OS error, leaving out either if nil.
func (e *BindError) Unwrap() []error {
	var errs []error
	if e.Reason != nil {
		errs = append(errs, e.Reason)
	}
	if e.Err != nil {
		errs = append(errs, e.Err)
	}
	return errs
}

// DefaultAddrs returns the addresses a [Prober] checks unless told
// otherwise: 127.0.0.1, ::1, 0.0.0.0 and ::, the addresses a local server
// or a test binds.
func DefaultAddrs() []netip.Addr {
	return []netip.Addr{
		netip.AddrFrom4([4]byte{127, 0, 0, 1}),
		netip.IPv6Loopback(),
		netip.IPv4Unspecified(),
		netip.IPv6Unspecified(),
	}
}

// DefaultProtocols returns the protocols a [Prober] checks unless told
// otherwise: TCP and UDP.
func DefaultProtocols() []ports.Protocol {
	return []ports.Protocol{ports.TCP, ports.UDP}
}

// Prober checks whether ports can be bound now, by binding them: for TCP a
// socket is bound and made to listen, as a server does; for UDP it is
// bound. Each socket is closed at once, before the next is opened.
//
// Sockets are opened as a Go server opens them: TCP sockets with
// SO_REUSEADDR on Unix-like systems, so that connections of an earlier
// server still in TIME_WAIT do not count as a holder; UDP sockets without
// it; a socket on :: dual-stack (it takes IPv4 traffic too, as
// net.Listen("tcp", ":8080") does); a socket on any other IPv6 address
// IPv6-only.
//
// The zero value checks TCP and UDP on the four [DefaultAddrs]. A Prober is
// safe for concurrent use as long as its fields are not changed.
type Prober struct {
	// Protocols to check, TCP or UDP; nil or empty means
	// [DefaultProtocols], so that a Prober never passes a port unchecked.
	Protocols []ports.Protocol
	// Addrs to check; nil or empty means [DefaultAddrs]. IPv4-mapped IPv6
	// addresses are checked as IPv4.
	Addrs []netip.Addr
}

// defaultProtocols and defaultAddrs are the defaults, kept once for the
// probe's own reading; the exported functions return copies.
var (
	defaultProtocols = DefaultProtocols()
	defaultAddrs     = DefaultAddrs()
)

func (pr Prober) protocols() []ports.Protocol {
	if len(pr.Protocols) == 0 {
		return defaultProtocols
	}
	return pr.Protocols
}

func (pr Prober) addrs() []netip.Addr {
	if len(pr.Addrs) == 0 {
		return defaultAddrs
	}
	return pr.Addrs
}

// Check reports whether p can be bound now on every protocol and address
// of pr: it returns nil if so, and otherwise the [*BindError] of the first
// check that failed. A check on an IPv6 address is skipped, not failed, on
// a host without IPv6 ([ErrNoIPv6]). Check stops at the first failure; use
// [Prober.Probe] for the whole picture.
//
// Port 0 is refused: binding it asks the OS for any free port and always
// succeeds, so it says nothing about port 0.
//
// On Linux, when the addresses are loopback or unspecified ones and include
// ::, as the defaults are, Check first binds only :: (dual-stack, without
// SO_REUSEADDR, without listening) for each protocol. The kernel refuses
// such a bind while a socket of any local address, IPv4 or IPv6, is bound
// to the port; so when it succeeds, every address of the list would bind
// (and listen), and Check returns nil after one socket per protocol instead
// of one per protocol and address. When the wildcard is refused, Check goes
// through every address to report the first that fails.
func (pr Prober) Check(p ports.Port) error {
	protos, addrs := pr.protocols(), pr.addrs()
	if p != 0 && wildcardCovers(protos, addrs) && bindsOnWildcard(protos, p) {
		return nil
	}
	return checkEach(protos, addrs, p)
}

// wildcardCovers reports whether a dual-stack bind on :: answers for every
// address of addrs: on Linux, when :: is among them and every other one is
// a loopback address (bound on every Linux host that has the family) or
// unspecified. Other systems let a wildcard and a specific address share a
// port under SO_REUSEADDR, so there every address is checked.
func wildcardCovers(protos []ports.Protocol, addrs []netip.Addr) bool {
	if !wildcardConflictsWithAll {
		return false
	}
	for _, proto := range protos {
		if proto != ports.TCP && proto != ports.UDP {
			return false
		}
	}
	hasWildcard := false
	for _, addr := range addrs {
		addr = addr.Unmap()
		switch {
		case addr == netip.IPv6Unspecified():
			hasWildcard = true
		case !addr.IsLoopback() && !addr.IsUnspecified():
			return false
		}
	}
	return hasWildcard
}

// bindsOnWildcard reports whether p binds on :: (dual-stack) for every
// protocol of protos.
func bindsOnWildcard(protos []ports.Protocol, p ports.Port) bool {
	for _, proto := range protos {
		if bindStrict(proto, netip.IPv6Unspecified(), p) != nil {
			return false
		}
	}
	return true
}

// checkEach checks p on every address and protocol, in order, and returns
// the first failure that is not a skip.
func checkEach(protos []ports.Protocol, addrs []netip.Addr, p ports.Port) error {
	for _, addr := range addrs {
		for _, proto := range protos {
			if err := checkOne(proto, addr, p); err != nil && !errors.Is(err, ErrNoIPv6) {
				return err
			}
		}
	}
	return nil
}

// Probe tries every protocol and address of pr on p and reports each
// outcome, in the order of pr.Addrs, and for each address of
// pr.Protocols.
func (pr Prober) Probe(p ports.Port) Report {
	protos, addrs := pr.protocols(), pr.addrs()
	r := Report{Port: p, Checks: make([]Check, 0, len(protos)*len(addrs))}
	for _, addr := range addrs {
		for _, proto := range protos {
			r.Checks = append(r.Checks, Check{Protocol: proto, Addr: addr.Unmap(), Err: checkOne(proto, addr, p)})
		}
	}
	return r
}

// Probe reports whether p can be bound now for TCP and UDP on the four
// [DefaultAddrs], as the zero [Prober] does.
func Probe(p ports.Port) Report {
	var pr Prober
	return pr.Probe(p)
}

var errPortZero = errors.New("port 0 asks the OS for any free port; it cannot be probed")

// checkOne binds p on one protocol and address and classifies the failure.
func checkOne(proto ports.Protocol, addr netip.Addr, p ports.Port) error {
	addr = addr.Unmap()
	bindErr := func(reason, err error) error {
		return &BindError{Protocol: proto, Addr: addr, Port: p, Reason: reason, Err: err}
	}
	switch {
	case p == 0:
		return bindErr(nil, errPortZero)
	case proto != ports.TCP && proto != ports.UDP:
		return bindErr(nil, errors.New("probing "+proto.String()+" is not supported; only tcp and udp"))
	case !addr.IsValid():
		return bindErr(nil, errors.New("no address; want an IPv4 or IPv6 address"))
	}
	err := bindOnce(proto, addr, p)
	if err == nil {
		return nil
	}
	kind := errKindOf(err)
	var lim Limits
	switch kind {
	case kindAccess:
		lim = hostLimits()
	case kindNoFiles:
		err = withDescriptorLimit(err)
	}
	return bindErr(classify(kind, proto, addr, p, lim), err)
}

// hostLimits reads the host's limits once, when a bind is first refused
// for a reason of permission, to tell privileged and excluded ports from
// other refusals.
// blockingExclusion reports whether p of proto is in an excluded range of
// l that stops a bind (one not added by an administrator).
func blockingExclusion(l Limits, proto ports.Protocol, p ports.Port) bool {
	c, ok := ExplainExclusion(l, proto, p)
	return ok && c.Blocks
}

var hostLimits = sync.OnceValue(func() Limits {
	l, _ := Read()
	return l
})

// errKind is the class of an OS error from socket, bind or listen.
type errKind uint8

const (
	kindOther        errKind = iota
	kindInUse                // EADDRINUSE
	kindAccess               // EACCES, EPERM
	kindAddrNotAvail         // EADDRNOTAVAIL
	kindNoFamily             // EAFNOSUPPORT, EPROTONOSUPPORT
	kindNoFiles              // EMFILE, ENFILE
)

// classify says why a bind failed, given the class of the OS error and the
// limits of the host. It returns nil when the error fits no reason.
func classify(kind errKind, proto ports.Protocol, addr netip.Addr, p ports.Port, lim Limits) error {
	switch kind {
	case kindInUse:
		return ErrInUse
	case kindAccess:
		switch {
		case blockingExclusion(lim, proto, p):
			return ErrExcluded
		case lim.Privileged.Contains(p):
			return ErrPrivileged
		}
		return ErrDenied
	case kindAddrNotAvail:
		if addr.Is6() && (addr.IsLoopback() || addr.IsUnspecified()) {
			return ErrNoIPv6
		}
		return ErrAddrNotAvailable
	case kindNoFamily:
		if addr.Is6() {
			return ErrNoIPv6
		}
	case kindNoFiles:
		return ErrNoDescriptors
	}
	return nil
}

// Check is the outcome of binding one port on one protocol and address.
//
// The zero value is a successful check of the zero Protocol on no address;
// only [Prober.Probe] makes meaningful ones.
type Check struct {
	Protocol ports.Protocol
	Addr     netip.Addr
	// Err is nil if the port could be bound; otherwise a *BindError,
	// whose reason is ErrNoIPv6 if the check was skipped.
	Err error
}

// OK reports whether the port could be bound.
func (c Check) OK() bool { return c.Err == nil }

// Skipped reports whether the check was skipped because the host has no
// IPv6.
func (c Check) Skipped() bool { return errors.Is(c.Err, ErrNoIPv6) }

// Failed reports whether the port could not be bound, for a reason other
// than the host having no IPv6.
func (c Check) Failed() bool { return c.Err != nil && !c.Skipped() }

// Report is what [Prober.Probe] found about one port.
//
// The zero value reports no check on port 0. A Report is a plain value.
type Report struct {
	Port   ports.Port
	Checks []Check
}

// Bindable reports whether at least one check ran and none failed; checks
// skipped for want of IPv6 do not count against it.
func (r Report) Bindable() bool {
	ran := false
	for _, c := range r.Checks {
		if c.Failed() {
			return false
		}
		ran = ran || c.OK()
	}
	return ran
}

// SkippedIPv6 reports whether checks were skipped because the host has no
// IPv6.
func (r Report) SkippedIPv6() bool {
	for _, c := range r.Checks {
		if c.Skipped() {
			return true
		}
	}
	return false
}

// Err returns nil if r is [Report.Bindable], and otherwise the errors of
// the failed checks, joined.
func (r Report) Err() error {
	var errs []error
	for _, c := range r.Checks {
		if c.Failed() {
			errs = append(errs, c.Err)
		}
	}
	if len(errs) == 0 && !r.Bindable() {
		return errors.New("hostports: port " + r.Port.String() + ": no check ran")
	}
	return errors.Join(errs...)
}

// String returns one line per check:
//
//	8080 tcp 127.0.0.1: ok
//	8080 udp [::1]: skipped: IPv6 not available on this host
//	8080 tcp 0.0.0.0: port in use (bind: address already in use)
func (r Report) String() string {
	var b strings.Builder
	for i, c := range r.Checks {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(r.Port.String())
		b.WriteByte(' ')
		b.WriteString(c.Protocol.String())
		b.WriteByte(' ')
		if c.Addr.Is6() {
			b.WriteString("[" + c.Addr.String() + "]")
		} else {
			b.WriteString(c.Addr.String())
		}
		b.WriteString(": ")
		var be *BindError
		switch {
		case c.OK():
			b.WriteString("ok")
		case c.Skipped():
			b.WriteString("skipped: " + reasonText(ErrNoIPv6))
		case errors.As(c.Err, &be) && be.Reason != nil && be.Err != nil:
			b.WriteString(reasonText(be.Reason) + " (" + be.Err.Error() + ")")
		case errors.As(c.Err, &be) && be.Err != nil:
			b.WriteString(be.Err.Error())
		default:
			b.WriteString(c.Err.Error())
		}
	}
	return b.String()
}
