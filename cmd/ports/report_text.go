package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/portalloc/ports"
	"github.com/portalloc/ports/manifest"
)

// painter styles a word of the text report: app.paint on a terminal, or
// plain.
type painter func(style, s string) string

func plainPaint(_, s string) string { return s }

// printCheck writes rep as the text report.
// With show, it lists the suppressed findings too.
func printCheck(w io.Writer, paint painter, rep checkReport, show bool) {
	for _, c := range rep.Collisions {
		fmt.Fprintf(w, "%s %s/%s in %s scope\n", paint(styleRed+styleBold, "collision"), c.Ports, c.Protocol, safe(c.Scope))
		if c.Reason != "" {
			fmt.Fprintf(w, "  %s\n", safe(c.Reason))
		}
		for _, m := range summarise(c.Members) {
			if m.Pool != "" && m.Pool != m.Endpoint {
				fmt.Fprintf(w, "  %s: %s %s (%s, %s of the pool %s)\n", safe(m.Source), safe(m.Service), m.Endpoint, m.Kind, portsWord(m.Endpoint), m.Pool)
			} else {
				fmt.Fprintf(w, "  %s: %s %s (%s)\n", safe(m.Source), safe(m.Service), m.Endpoint, m.Kind)
			}
			if m.Suggestion != "" {
				fmt.Fprintf(w, "    %s move %s to %s, the nearest free alternative\n", paint(styleGreen, "suggestion:"), safe(m.Service), m.Suggestion)
			}
		}
	}
	for _, f := range rep.Errors {
		printFinding(w, paint, "error", styleRed, f)
	}
	for _, f := range rep.Security {
		printFinding(w, paint, "security", styleRed, f)
	}
	for _, f := range rep.Warnings {
		printFinding(w, paint, "warning", styleYellow, f)
	}
	if show {
		for _, f := range rep.Suppressed {
			fmt.Fprintf(w, "%s %s:%s [%s]: %s\n", paint(styleDim, "suppressed"), safe(f.Source), who(f), f.Code, safe(f.Message))
			if f.Reason != "" {
				fmt.Fprintf(w, "  reason: %s\n", safe(f.Reason))
			}
			if f.By != nil {
				fmt.Fprintf(w, "  by: %s at %s\n", suppressionWords[f.By.Kind], safe(f.By.Source))
			}
		}
	}
	suppressed := ""
	if n := len(rep.Suppressed); n > 0 {
		suppressed = fmt.Sprintf(", %d suppressed", n)
	}
	errs := ""
	if n := len(rep.Errors); n > 0 {
		errs = fmt.Sprintf("%d %s, ", n, plural(n, "error", "errors"))
	}
	fmt.Fprintf(w, "%d %s, %s%d security %s, %d %s%s in %d declarations from %d %s\n",
		len(rep.Collisions), plural(len(rep.Collisions), "collision", "collisions"), errs,
		len(rep.Security), plural(len(rep.Security), "finding", "findings"),
		len(rep.Warnings), plural(len(rep.Warnings), "warning", "warnings"), suppressed,
		rep.Declarations, len(rep.Files), plural(len(rep.Files), "file", "files"))
}

// suppressionWords name the kinds of suppression in the text report.
var suppressionWords = map[string]string{
	"inline":     "# ports:ignore",
	"annotation": "the annotation " + manifest.IgnoreAnnotation,
	"accepted":   "the registry's accepted conflict",
}

// portsWord says "a port" or "ports" for an endpoint's text.
func portsWord(e string) string {
	if strings.Contains(strings.SplitN(e, "/", 2)[0], "-") {
		return "ports"
	}
	return "a port"
}

// summarise merges the members of a collision that are the ports one pool
// takes (one line for each replica otherwise) into one member whose
// endpoint is their ports as ranges, so that a pool of 40 is one line.
func summarise(ms []checkMember) []checkMember {
	type key struct{ source, service, pool, kind string }
	var out []checkMember
	at := map[key]int{}
	var sets []ports.RangeSetBuilder
	var protos []string
	var addrs []string
	for _, m := range ms {
		if m.Pool == "" || m.Suggestion != "" {
			out = append(out, m)
			sets, protos, addrs = append(sets, ports.RangeSetBuilder{}), append(protos, ""), append(addrs, "")
			continue
		}
		e, err := ports.ParseEndpoint(m.Endpoint)
		if err != nil {
			out = append(out, m)
			sets, protos, addrs = append(sets, ports.RangeSetBuilder{}), append(protos, ""), append(addrs, "")
			continue
		}
		k := key{m.Source, m.Service, m.Pool, m.Kind}
		i, ok := at[k]
		if !ok {
			i = len(out)
			at[k] = i
			out = append(out, m)
			sets = append(sets, ports.RangeSetBuilder{})
			protos = append(protos, e.Protocol().String())
			addr := ""
			if e.Addr().IsValid() {
				addr = e.Addr().String()
				if e.Addr().Is6() {
					addr = "[" + addr + "]"
				}
				addr += ":"
			}
			addrs = append(addrs, addr)
		}
		sets[i].Add(e.Range())
	}
	for i := range out {
		if protos[i] == "" {
			continue
		}
		rs := sets[i].RangeSet()
		if rs.NumRanges() == 1 && rs.Len() == 1 {
			continue
		}
		out[i].Endpoint = addrs[i] + rs.String() + "/" + protos[i]
	}
	return out
}

func printFinding(w io.Writer, paint painter, label, style string, f checkFinding) {
	fmt.Fprintf(w, "%s %s:%s [%s]: %s\n", paint(style, label), safe(f.Source), who(f), f.Code, safe(f.Message))
	if f.Fix != "" {
		fmt.Fprintf(w, "  fix: %s\n", safe(f.Fix))
	}
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// who is " SERVICE ENDPOINT" of a finding, or "" for one that is about no
// declaration (an unused suppression).
func who(f checkFinding) string {
	s := strings.TrimSpace(safe(f.Service) + " " + f.Endpoint)
	if s == "" {
		return ""
	}
	return " " + s
}
