// Windows's excluded port ranges row by row, and who likely made each.
// netsh marks with "*" the rows an administrator added (netsh int ipv4 add
// excludedportrange, kept across reboots); those keep Windows from giving
// their ports to outgoing connections or to WinNAT, and a program may
// still bind them (an administrator reserves a port so that a server of
// theirs gets it). The other rows are reserved at run time, and no program
// may bind their ports: blocks of ports, most often 100 and inside the
// dynamic range, by WinNAT, the NAT of the Host Network Service that
// Hyper-V, WSL 2, Docker Desktop and Windows Sandbox use, taken anew at
// each boot and given back by restarting the winnat service; and single
// ports that services of Windows reserve for themselves (5357, wsdapi;
// 5985, WinRM).

package hostports

import (
	"slices"
	"strconv"

	"github.com/portalloc/ports"
	"github.com/portalloc/ports/wellknown"
)

// Exclusion is one row of the excluded port ranges of a Windows host, as
// netsh int ipv4 show excludedportrange lists them.
//
// The zero value is an invalid Range of the zero Protocol.
type Exclusion struct {
	Protocol ports.Protocol `json:"protocol"`
	Range    ports.Range    `json:"range"`
	// Administered reports whether netsh marks the row with "*": an
	// exclusion added with netsh int ipv4 add excludedportrange, rather
	// than one reserved at run time.
	Administered bool `json:"administered,omitempty"`
}

// ParseNetshExclusions parses the output of
//
//	netsh int ipv4 show excludedportrange protocol=tcp
//
// as [ParseNetshExcludedPortRanges] does, into its rows, each of protocol
// proto (netsh lists one protocol at a time), in the order of the output,
// with the "*" of an administered exclusion kept. Output without rows gives
// none.
func ParseNetshExclusions(s string, proto ports.Protocol) ([]Exclusion, error) {
	var out []Exclusion
	err := eachNetshExclusion("ParseNetshExclusions", s, func(r ports.Range, administered bool) {
		out = append(out, Exclusion{Protocol: proto, Range: r, Administered: administered})
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// ExclusionMaker names who likely made an excluded port range.
type ExclusionMaker uint8

// The makers of an excluded port range.
const (
	// MakerAdministrator: an administrator or an installer added the range
	// with netsh int ipv4 add excludedportrange (netsh marks it "*").
	MakerAdministrator ExclusionMaker = iota + 1
	// MakerWinNAT: WinNAT reserved the range at run time for Hyper-V,
	// WSL 2, Docker Desktop or Windows Sandbox.
	MakerWinNAT
	// MakerService: a service of Windows reserved the one port at run
	// time.
	MakerService
)

var makerNames = [...]string{
	MakerAdministrator: "administrator",
	MakerWinNAT:        "winnat",
	MakerService:       "service",
}

// String returns "administrator", "winnat" or "service".
func (m ExclusionMaker) String() string {
	if int(m) < len(makerNames) && makerNames[m] != "" {
		return makerNames[m]
	}
	return "ExclusionMaker(" + strconv.Itoa(int(m)) + ")"
}

// MarshalText returns [ExclusionMaker.String].
func (m ExclusionMaker) MarshalText() ([]byte, error) { return []byte(m.String()), nil }

// ExclusionCause says who likely made the excluded range that holds a
// port, on what evidence, and what to do.
type ExclusionCause struct {
	Exclusion Exclusion      `json:"exclusion"`
	Maker     ExclusionMaker `json:"maker"`
	// Blocks reports whether a program's bind of the port fails: false for
	// an administered exclusion, which only keeps Windows's own uses off.
	Blocks   bool   `json:"blocks"`
	Evidence string `json:"evidence"`
	Fix      string `json:"fix"`
}

// ExplainExclusion says who likely made the Windows excluded range that
// holds port p of proto on a host with limits l, and reports whether p is
// in one. It reads the rows of l.Exclusions (a range of l.Excluded(proto)
// without a row, in a Limits built by hand, counts as one row reserved at
// run time) and the dynamic range, l.Ephemeral(proto):
//
//   - a row marked administered was added by an administrator or an
//     installer, and does not stop a bind;
//   - one port alone, outside the dynamic range, was reserved by a service
//     of Windows (named where IANA names the port);
//   - any other range was reserved by WinNAT, which takes blocks of ports,
//     most often 100 and inside the dynamic range.
//
// A port in an administered row and in another is explained by the other,
// which stops the bind.
func ExplainExclusion(l Limits, proto ports.Protocol, p ports.Port) (ExclusionCause, bool) {
	var rows []Exclusion
	for _, x := range l.Exclusions {
		if x.Protocol == proto || proto == 0 {
			rows = append(rows, x)
		}
	}
	i := slices.IndexFunc(rows, func(x Exclusion) bool { return !x.Administered && x.Range.Contains(p) })
	if i < 0 {
		i = slices.IndexFunc(rows, func(x Exclusion) bool { return x.Range.Contains(p) })
	}
	var x Exclusion
	switch {
	case i >= 0:
		x = rows[i]
	case l.Excluded(proto).Contains(p):
		x = Exclusion{Protocol: proto, Range: rangeOf(l.Excluded(proto), p)}
	default:
		return ExclusionCause{}, false
	}
	switch {
	case x.Protocol != 0:
		proto = x.Protocol
	case proto == 0:
		proto = ports.TCP // for the commands; netsh needs one
	}
	netshProto := "protocol=" + proto.String()
	r := x.Range
	rowText := r.String() + " (" + portCount(r.Len()) + ")"
	c := ExclusionCause{Exclusion: x}
	switch {
	case x.Administered:
		c.Maker = MakerAdministrator
		c.Evidence = "netsh marks the range " + rowText + " with *: an administrator or an installer added it (netsh int ipv4 add excludedportrange), and it stays across reboots; it keeps Windows from giving its ports to outgoing connections or to WinNAT, and a program may still bind them"
		c.Fix = "nothing to do if it was reserved for this server; to give it back, as administrator: netsh int ipv4 delete excludedportrange " + netshProto + " startport=" + r.Lo().String() + " numberofports=" + strconv.Itoa(r.Len())
		return c, true
	case r.Len() == 1 && !l.Ephemeral(proto).Contains(p):
		c.Maker, c.Blocks = MakerService, true
		c.Evidence = "netsh lists " + p.String() + " alone and without *: a service of Windows reserved it at run time"
		if name, desc := ianaName(p, proto); name != "" {
			c.Evidence += "; IANA registers " + p.String() + " as " + name + " (" + desc + ")"
		}
		c.Fix = "pick another port; or stop the service that reserved it, which Windows does not name"
		return c, true
	}
	c.Maker, c.Blocks = MakerWinNAT, true
	blocks := 0
	for _, y := range rows {
		if !y.Administered && y.Range.Len() == r.Len() {
			blocks++
		}
	}
	c.Evidence = "netsh lists " + rowText + " without *, so Windows reserved it at run time, not an administrator"
	if blocks > 1 {
		c.Evidence += "; it is one of " + strconv.Itoa(blocks) + " blocks of " + portCount(r.Len())
	} else {
		c.Evidence += "; it is a block of " + portCount(r.Len())
	}
	dyn := l.Ephemeral(proto)
	switch {
	case !dyn.IsValid():
	case dyn.Overlaps(r):
		c.Evidence += " inside the dynamic range " + dyn.String()
	default:
		c.Evidence += " outside the dynamic range " + dyn.String() + " (which may have moved since)"
	}
	c.Evidence += ", as WinNAT reserves them for Hyper-V, WSL 2 and Docker Desktop, anew at each boot"
	c.Fix = "as administrator: net stop winnat, then net start winnat, which gives back the blocks WinNAT holds (it takes others as it starts); to keep the port for good, run netsh int ipv4 add excludedportrange " + netshProto + " startport=" + p.String() + " numberofports=1 between the two"
	if dyn.Contains(p) && int(dyn.Hi())-int(p) >= 255 {
		// netsh refuses a dynamic range of fewer than 255 ports.
		c.Fix += "; or move the dynamic range above the port: netsh int ipv4 set dynamicport " + proto.String() + " start=" + strconv.Itoa(int(p)+1) + " num=" + strconv.Itoa(int(dyn.Hi())-int(p))
	}
	return c, true
}

// ianaName returns the name and description IANA gives port p of proto,
// or "" where it names none.
func ianaName(p ports.Port, proto ports.Protocol) (name, desc string) {
	for s := range wellknown.Lookup(p, proto) {
		if s.Source() == wellknown.IANA && s.Name() != "" && s.Range().Len() == 1 {
			return s.Name(), s.Description()
		}
	}
	return "", ""
}

func portCount(n int) string {
	if n == 1 {
		return "1 port"
	}
	return strconv.Itoa(n) + " ports"
}

// addExclusions adds rows, excluded ranges of proto as netsh lists them, to
// l: their ranges to l's excluded ranges of proto, and each row that l does
// not list yet to l.Exclusions.
func (l *Limits) addExclusions(proto ports.Protocol, rows []Exclusion) {
	var b ports.RangeSetBuilder
	if proto == ports.UDP {
		b.AddSet(l.ExcludedUDP)
	} else {
		b.AddSet(l.ExcludedTCP)
	}
	for _, x := range rows {
		b.Add(x.Range)
		if !slices.Contains(l.Exclusions, x) {
			l.Exclusions = append(l.Exclusions, x)
		}
	}
	if proto == ports.UDP {
		l.ExcludedUDP = b.RangeSet()
	} else {
		l.ExcludedTCP = b.RangeSet()
	}
}
