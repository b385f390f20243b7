package tablegen

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/portalloc/ports"
)

// CategoryNames lists the categories of the de-facto table in the order of
// the constants of wellknown.Category, starting at 1. A test of package
// wellknown checks that the two agree.
var CategoryNames = []string{
	"database",
	"cache",
	"message-broker",
	"observability",
	"web-server",
	"admin-ui",
	"infrastructure",
	"media",
}

// DeFacto is one entry of the de-facto table.
type DeFacto struct {
	Names       []string // first the name, then its aliases; all lower case
	Range       ports.Range
	Protocols   []ports.Protocol // at least one, no repeats
	Category    int              // 1 + index into CategoryNames
	Project     string
	Description string
	Reference   string   // https URL of the project's documentation
	ImageOnly   bool     // the port is its image's, found by image and name only
	Images      []string // keys (packed.ImageKey) of the images that run it, set by ParseImages
	Line        int      // line of the table it was read from
}

// ParseDeFacto reads the de-facto table. Each line that is not blank and does
// not start with '#' holds six fields separated by '|':
//
//	names | ports/protocols | category | project | description | reference
//
// names is a comma-separated list of lower-case service names, the first
// being the entry's name and the others aliases; no name is on two lines. ports/protocols is a port
// or a range followed by '/' and a comma-separated list of transports
// ("3000/tcp", "10000-20000/udp", "5060/tcp,udp"), followed by "image-only"
// when the port is the one a container image listens on and says nothing by
// itself ("80/tcp image-only": pgAdmin's image): such an entry is found by
// image and by name, not by port. category is one of
// CategoryNames. reference is an https URL.
func ParseDeFacto(r io.Reader) ([]DeFacto, error) {
	var out []DeFacto
	named := map[string]int{} // name or alias -> the line that has it
	sc := bufio.NewScanner(r)
	line := 0
	for sc.Scan() {
		line++
		text := strings.TrimSpace(sc.Text())
		if text == "" || text[0] == '#' {
			continue
		}
		e, err := parseDeFactoLine(text)
		if err != nil {
			return nil, fmt.Errorf("tablegen: de-facto table line %d: %w", line, err)
		}
		for _, n := range e.Names {
			if at, ok := named[n]; ok {
				return nil, fmt.Errorf("tablegen: de-facto table line %d: service name %q is already the name or an alias of line %d", line, n, at)
			}
			named[n] = line
		}
		e.Line = line
		out = append(out, e)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("tablegen: reading de-facto table: %w", err)
	}
	return out, nil
}

func parseDeFactoLine(text string) (DeFacto, error) {
	f := strings.Split(text, "|")
	if len(f) != 6 {
		return DeFacto{}, fmt.Errorf("%d fields, want 6 (names | ports/protocols | category | project | description | reference)", len(f))
	}
	for i := range f {
		f[i] = strings.TrimSpace(f[i])
	}
	var e DeFacto
	for n := range strings.SplitSeq(f[0], ",") {
		n = strings.TrimSpace(n)
		if err := checkName(n); err != nil {
			return DeFacto{}, err
		}
		e.Names = append(e.Names, n)
	}
	portsField := f[1]
	if rest, ok := strings.CutSuffix(portsField, " image-only"); ok {
		portsField = strings.TrimSpace(rest)
		e.ImageOnly = true
	}
	portText, protoText, ok := strings.Cut(portsField, "/")
	if !ok {
		return DeFacto{}, fmt.Errorf("ports %q: want PORTS/PROTOCOLS, such as 3000/tcp", f[1])
	}
	r, err := ports.ParseRange(portText)
	if err != nil {
		return DeFacto{}, fmt.Errorf("ports %q: %w", f[1], err)
	}
	e.Range = r
	for p := range strings.SplitSeq(protoText, ",") {
		proto, err := ports.ParseProtocol(strings.TrimSpace(p))
		if err != nil {
			return DeFacto{}, fmt.Errorf("ports %q: %w", f[1], err)
		}
		for _, q := range e.Protocols {
			if q == proto {
				return DeFacto{}, fmt.Errorf("ports %q: protocol %s repeated", f[1], proto)
			}
		}
		e.Protocols = append(e.Protocols, proto)
	}
	for i, c := range CategoryNames {
		if c == f[2] {
			e.Category = i + 1
		}
	}
	if e.Category == 0 {
		return DeFacto{}, fmt.Errorf("unknown category %q; want one of %s", f[2], strings.Join(CategoryNames, ", "))
	}
	if e.Project = f[3]; e.Project == "" {
		return DeFacto{}, fmt.Errorf("empty project")
	}
	if e.Description = f[4]; e.Description == "" {
		return DeFacto{}, fmt.Errorf("empty description")
	}
	e.Reference = f[5]
	if !strings.HasPrefix(e.Reference, "https://") || len(e.Reference) == len("https://") || strings.ContainsAny(e.Reference, " \t") {
		return DeFacto{}, fmt.Errorf("reference %q: want an https URL", e.Reference)
	}
	return e, nil
}

// maxNameLen bounds service names, IANA's (15 at most) and ours alike, so
// that a lookup can fold a name's case in a small buffer.
const maxNameLen = 63

// checkName accepts the names the de-facto table may use: lower-case ASCII
// letters, digits and the punctuation the registry's own names use.
func checkName(n string) error {
	if n == "" {
		return fmt.Errorf("empty service name")
	}
	if len(n) > maxNameLen {
		return fmt.Errorf("service name %q longer than %d bytes", n, maxNameLen)
	}
	for _, c := range n {
		switch {
		case 'a' <= c && c <= 'z', '0' <= c && c <= '9':
		case strings.ContainsRune("-_.+", c):
		default:
			return fmt.Errorf("service name %q: character %q not allowed; want a-z, 0-9, '-', '_', '.', '+'", n, c)
		}
	}
	return nil
}
