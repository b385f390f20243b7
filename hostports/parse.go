package hostports

import (
	"errors"
	"strconv"
	"strings"

	"github.com/portalloc/ports"
)

// parseError reports OS output that a ParseX function could not accept. Its
// message names the function, quotes the offending input (or the offending
// line of a multi-line output, with its number) and says what is wrong.
type parseError struct {
	fn   string // "ParseLinuxPortRange", ...
	in   string // the input, or the offending line
	line int    // 1-based line number of in, or 0 if in is the whole input
	msg  string // what is wrong
}

// maxQuoted bounds how much input an error message repeats.
const maxQuoted = 80

func (e *parseError) Error() string {
	in := e.in
	if len(in) > maxQuoted {
		in = in[:maxQuoted] + "..."
	}
	s := "hostports: " + e.fn + ": "
	if e.line > 0 {
		s += "line " + strconv.Itoa(e.line) + " "
	}
	return s + strconv.Quote(in) + ": " + e.msg
}

// ParseLinuxPortRange parses the contents of the Linux file
// /proc/sys/net/ipv4/ip_local_port_range, two port numbers separated by
// white space ("32768\t60999\n"), into the ephemeral range it describes.
// The kernel uses the same range for TCP, UDP, SCTP and DCCP.
func ParseLinuxPortRange(s string) (ports.Range, error) {
	const fn = "ParseLinuxPortRange"
	f := strings.Fields(s)
	if len(f) != 2 {
		return ports.Range{}, &parseError{fn: fn, in: s, msg: "want two port numbers separated by white space, as \"32768 60999\""}
	}
	lo, err := ports.ParsePort(f[0])
	if err != nil {
		return ports.Range{}, &parseError{fn: fn, in: s, msg: "low end: " + portMsg(f[0])}
	}
	hi, err := ports.ParsePort(f[1])
	if err != nil {
		return ports.Range{}, &parseError{fn: fn, in: s, msg: "high end: " + portMsg(f[1])}
	}
	if lo > hi {
		return ports.Range{}, &parseError{fn: fn, in: s, msg: "low end " + lo.String() + " is above high end " + hi.String()}
	}
	if lo == 0 {
		return ports.Range{}, &parseError{fn: fn, in: s, msg: zeroStart}
	}
	return ports.RangeFrom(lo, hi), nil
}

// ParseLinuxReservedPorts parses the contents of the Linux file
// /proc/sys/net/ipv4/ip_local_reserved_ports, a comma-separated list of
// ports and ranges ("8080,9000-9010\n"; an empty line when none are
// reserved). The kernel leaves these ports out of the ephemeral range; an
// explicit bind to them still succeeds.
func ParseLinuxReservedPorts(s string) (ports.RangeSet, error) {
	set, err := ports.ParseRangeSet(strings.TrimSpace(s))
	if err != nil {
		why := err.Error()
		var pe *ports.ParseError
		if errors.As(err, &pe) {
			why = pe.Detail()
		}
		return ports.RangeSet{}, &parseError{fn: "ParseLinuxReservedPorts", in: s, msg: "want a comma-separated list of ports and LO-HI ranges (" + why + ")"}
	}
	return set, nil
}

// ParseLinuxUnprivilegedPortStart parses the contents of the Linux file
// /proc/sys/net/ipv4/ip_unprivileged_port_start, one port number ("1024\n"):
// the lowest port a process without CAP_NET_BIND_SERVICE may bind. 0 means
// no port is privileged.
func ParseLinuxUnprivilegedPortStart(s string) (ports.Port, error) {
	t := strings.TrimSpace(s)
	p, err := ports.ParsePort(t)
	if err != nil {
		return 0, &parseError{fn: "ParseLinuxUnprivilegedPortStart", in: s, msg: portMsg(t)}
	}
	return p, nil
}

// Names of the BSD sysctl variables that bound the default ephemeral range.
const (
	sysctlFirst = "net.inet.ip.portrange.first"
	sysctlLast  = "net.inet.ip.portrange.last"
)

// ParseSysctlPortRange parses the output of
//
//	sysctl net.inet.ip.portrange.first net.inet.ip.portrange.last
//
// on macOS or FreeBSD ("net.inet.ip.portrange.first: 49152" and the same
// for last, in either order; the "name=value" and "name = value" forms of
// other BSDs are accepted too), or of "sysctl -n" with the same names (two
// bare numbers, first then last). Other lines are ignored.
//
// Both kernels accept first above last and then count down from first to
// last; the ports used are the same, so the range returned is always low
// end first.
func ParseSysctlPortRange(s string) (ports.Range, error) {
	const fn = "ParseSysctlPortRange"
	var (
		first, last     ports.Port
		hasFirst, hasLt bool
		bare            []ports.Port
	)
	for i, line := range strings.Split(s, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		name, val, named := cutSysctl(line)
		if !named {
			p, err := ports.ParsePort(line)
			if err != nil {
				return ports.Range{}, &parseError{fn: fn, in: line, line: i + 1, msg: "want \"NAME: VALUE\" or a bare port number: " + portMsg(line)}
			}
			bare = append(bare, p)
			continue
		}
		if name != sysctlFirst && name != sysctlLast {
			continue
		}
		p, err := ports.ParsePort(val)
		if err != nil {
			return ports.Range{}, &parseError{fn: fn, in: line, line: i + 1, msg: portMsg(val)}
		}
		if name == sysctlFirst {
			first, hasFirst = p, true
		} else {
			last, hasLt = p, true
		}
	}
	switch {
	case hasFirst || hasLt:
		if len(bare) > 0 {
			return ports.Range{}, &parseError{fn: fn, in: s, msg: "mixes named and bare values"}
		}
		if !hasFirst {
			return ports.Range{}, &parseError{fn: fn, in: s, msg: "missing " + sysctlFirst}
		}
		if !hasLt {
			return ports.Range{}, &parseError{fn: fn, in: s, msg: "missing " + sysctlLast}
		}
	case len(bare) == 2:
		first, last = bare[0], bare[1]
	default:
		return ports.Range{}, &parseError{fn: fn, in: s, msg: "want the values of " + sysctlFirst + " and " + sysctlLast}
	}
	if first == 0 || last == 0 {
		return ports.Range{}, &parseError{fn: fn, in: s, msg: zeroStart}
	}
	return ports.RangeFrom(min(first, last), max(first, last)), nil
}

// zeroStart says why an ephemeral range may not start at 0: port 0 asks
// the kernel for any port, and no kernel accepts it as a range's end.
const zeroStart = "an ephemeral range cannot include port 0"

// cutSysctl splits a "name: value", "name=value" or "name = value" line.
func cutSysctl(line string) (name, val string, ok bool) {
	i := strings.IndexAny(line, ":=")
	if i < 0 {
		return "", "", false
	}
	return strings.TrimSpace(line[:i]), strings.TrimSpace(line[i+1:]), true
}

// ParseNetshDynamicPortRange parses the output of
//
//	netsh int ipv4 show dynamicport tcp
//
// (or udp, or ipv6) on Windows:
//
//	Protocol tcp Dynamic Port Range
//	---------------------------------
//	Start Port      : 49152
//	Number of Ports : 16384
//
// Windows translates the labels, so the parser reads the first two
// "label : number" lines as the start port and the number of ports,
// whatever the labels say.
func ParseNetshDynamicPortRange(s string) (ports.Range, error) {
	const fn = "ParseNetshDynamicPortRange"
	var nums []int
	for i, line := range strings.Split(s, "\n") {
		j := strings.LastIndexByte(line, ':')
		if j < 0 {
			continue
		}
		v := strings.TrimSpace(line[j+1:])
		if v == "" || !isDigits(v) {
			continue
		}
		n, err := strconv.Atoi(v)
		if err != nil || n > 65536 {
			return ports.Range{}, &parseError{fn: fn, in: strings.TrimSpace(line), line: i + 1, msg: "value out of range; want 0 to 65536"}
		}
		nums = append(nums, n)
		if len(nums) == 2 {
			break
		}
	}
	if len(nums) < 2 {
		return ports.Range{}, &parseError{fn: fn, in: s, msg: "want two \"label : number\" lines, the start port and the number of ports"}
	}
	start, count := nums[0], nums[1]
	switch {
	case start > int(ports.MaxPort):
		return ports.Range{}, &parseError{fn: fn, in: s, msg: "start port " + strconv.Itoa(start) + " is above 65535"}
	case start == 0:
		return ports.Range{}, &parseError{fn: fn, in: s, msg: zeroStart}
	case count == 0:
		return ports.Range{}, &parseError{fn: fn, in: s, msg: "number of ports is 0"}
	case start+count-1 > int(ports.MaxPort):
		return ports.Range{}, &parseError{fn: fn, in: s, msg: strconv.Itoa(count) + " ports from " + strconv.Itoa(start) + " run past 65535"}
	}
	return ports.RangeFrom(ports.Port(start), ports.Port(start+count-1)), nil
}

// ParseNetshExcludedPortRanges parses the output of
//
//	netsh int ipv4 show excludedportrange protocol=tcp
//
// (or udp, or ipv6) on Windows, the port ranges that Hyper-V, WSL 2, Docker
// Desktop or an administrator have excluded, which no program can bind:
//
//	Protocol tcp Port Exclusion Ranges
//
//	Start Port    End Port
//	----------    --------
//	      5357        5357
//	     50000       50059     *
//
//	* - Administered port exclusions.
//
// A row is a line whose first field is a number; it must hold a start port,
// an end port and optionally "*" (an exclusion added by an administrator,
// which is excluded all the same). Other lines, translated or not, are
// ignored. Output without rows gives the empty set.
func ParseNetshExcludedPortRanges(s string) (ports.RangeSet, error) {
	var b ports.RangeSetBuilder
	err := eachNetshExclusion("ParseNetshExcludedPortRanges", s, func(r ports.Range, _ bool) { b.Add(r) })
	if err != nil {
		return ports.RangeSet{}, err
	}
	return b.RangeSet(), nil
}

// eachNetshExclusion calls row with each row of netsh's excluded port
// ranges in s and whether it is marked "*"; fn names the caller in errors.
func eachNetshExclusion(fn, s string, row func(r ports.Range, administered bool)) error {
	for i, line := range strings.Split(s, "\n") {
		f := strings.Fields(line)
		if len(f) == 0 || !isDigits(f[0]) {
			continue
		}
		text := strings.TrimSpace(line)
		if len(f) < 2 || len(f) > 3 || (len(f) == 3 && f[2] != "*") {
			return &parseError{fn: fn, in: text, line: i + 1, msg: "want START END, optionally followed by *"}
		}
		lo, err := ports.ParsePort(f[0])
		if err != nil {
			return &parseError{fn: fn, in: text, line: i + 1, msg: "start port: " + portMsg(f[0])}
		}
		hi, err := ports.ParsePort(f[1])
		if err != nil {
			return &parseError{fn: fn, in: text, line: i + 1, msg: "end port: " + portMsg(f[1])}
		}
		if lo > hi {
			return &parseError{fn: fn, in: text, line: i + 1, msg: "start port " + lo.String() + " is above end port " + hi.String()}
		}
		row(ports.RangeFrom(lo, hi), len(f) == 3)
	}
	return nil
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// portMsg says what is wrong with s as a port number.
func portMsg(s string) string {
	switch {
	case s == "":
		return "empty port number"
	case !isDigits(s):
		return "not a decimal port number"
	}
	return "out of range; ports go from 0 to 65535"
}
