package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/portalloc/ports"
	"github.com/portalloc/ports/hostports"
	"github.com/portalloc/ports/wellknown"
)

func whoisCommand() command {
	c := command{
		name:    "whois",
		summary: "explain a port: class, users, collisions, what this host keeps",
		usage:   "[--format text|json] [--probe] PORT[/PROTO]|NAME[/PROTO]|IMAGE...",
	}
	c.run = func(a *app, args []string) int { return runWhois(a, c, args) }
	return c
}

// whoisHelp is the help of ports whois, after its usage line.
const whoisHelp = `Explains each port: its RFC 6335 class, the IANA registry's entries, the
software that listens on it by default, and what this host and browsers
make of it. A NAME ("grafana", "postgres") stands for each port it names,
and a container IMAGE ("postgres:16", "ghcr.io/home-assistant/home-assistant")
for each port its software listens on by default. See 'ports help host' for
names, protocols and what --probe tries.

Examples:
  ports whois 8080
  ports whois 53/udp grafana
  ports whois pihole/pihole:latest
  ports whois --probe --format json 5432

Exit status: 0 on success, 2 on bad input or usage.`

// runWhois runs ports whois with args.
func runWhois(a *app, c command, args []string) int {
	fs := a.flagSet(c, whoisHelp)
	format := fs.String("format", "text", "output `format`: text or json")
	probe := fs.Bool("probe", false, "also try to bind the port now")
	if code := a.parseFlags(fs, args); code >= 0 {
		return code
	}
	if *format != "text" && *format != "json" {
		return a.fail("whois: --format %q: want text or json", *format)
	}
	if fs.NArg() == 0 {
		return a.fail("whois: name a port, as in: ports whois 8080/tcp")
	}
	limits, limitsErr := a.hostLimits()
	var reports []whoisReport
	for _, arg := range fs.Args() {
		targets, err := whoisTargets(arg)
		if err != nil {
			return a.fail("whois: %v", err)
		}
		for _, t := range targets {
			r := whois(t.port, t.proto, limits)
			r.Name = t.name
			switch {
			case *probe && t.port == 0:
				// A bind to port 0 succeeds with some other port, so
				// it is neither bindable nor not.
				r.ProbeError = "port 0 asks the OS for any free port; it cannot be probed"
			case *probe:
				rep := a.probe(t.port)
				r.Bindable = new(bool)
				*r.Bindable = rep.Bindable()
				if err := rep.Err(); err != nil {
					r.ProbeError = err.Error()
				}
			}
			reports = append(reports, r)
		}
	}
	if *format == "json" {
		enc := json.NewEncoder(a.stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(reports); err != nil {
			return a.fail("whois: %v", err)
		}
		return exitOK
	}
	for i, r := range reports {
		if i > 0 {
			fmt.Fprintln(a.stdout)
		}
		a.printWhois(r)
	}
	if limitsErr != nil {
		fmt.Fprintf(a.stderr, "ports: whois: reading this host's port limits: %v\n", limitsErr)
	}
	return exitOK
}

// A whoisTarget is a port to explain, on one protocol or (0) every one, and
// the service name that led to it, if any.
type whoisTarget struct {
	port  ports.Port
	proto ports.Protocol
	name  string
}

// whoisTargets reads one argument of whois: PORT[/PROTO], or NAME[/PROTO],
// which stands for the first port of every service of that name, in the
// order of wellknown.All, each once.
func whoisTargets(arg string) ([]whoisTarget, error) {
	p, proto, err := parsePortProto(arg)
	if err == nil {
		return []whoisTarget{{port: p, proto: proto}}, nil
	}
	portErr := err
	name, protos, hasProto := strings.Cut(arg, "/")
	if name == "" || strings.Trim(name, "0123456789") == "" {
		// Digits alone are a port number gone wrong: RFC 6335 gives every
		// service name a letter. Names such as 3com-tsmux or 9pfs start
		// with a digit, and are names.
		return nil, portErr
	}
	proto = 0
	if hasProto {
		if proto, err = ports.ParseProtocol(protos); err != nil {
			if out := imageTargets(arg); len(out) > 0 {
				return out, nil
			}
			if strings.ContainsAny(arg, ":.@") || strings.Contains(protos, "/") {
				return nil, fmt.Errorf("%q: the de-facto table knows no such image, and it is no PORT/PROTO or NAME/PROTO", arg)
			}
			return nil, fmt.Errorf("%q: protocol %s", arg, plain(err))
		}
	}
	var out []whoisTarget
	var elsewhere []string // the services of the name on other protocols
	for s := range wellknown.ByName(name) {
		if proto != 0 && s.Protocol() != proto {
			elsewhere = append(elsewhere, s.Range().String()+"/"+s.Protocol().String())
			continue
		}
		t := whoisTarget{port: s.Range().Lo(), proto: proto, name: s.Name()}
		if !slices.ContainsFunc(out, func(o whoisTarget) bool { return o.port == t.port }) {
			out = append(out, t)
		}
	}
	if len(out) == 0 {
		if out := imageTargets(arg); len(out) > 0 {
			return out, nil
		}
		if name[0] >= '0' && name[0] <= '9' {
			return nil, portErr // more likely a mistyped port than a name
		}
		if len(elsewhere) > 0 {
			return nil, fmt.Errorf("%q: %s is known on %s, not on %s", arg, name, strings.Join(slices.Compact(elsewhere), ", "), proto)
		}
		return nil, fmt.Errorf("%q: no port is known by that name or image (the IANA registry and the de-facto table have none)", arg)
	}
	return out, nil
}

// imageTargets returns the first port of each service that the software
// of container image ref listens on by default (wellknown.ForImage), each
// port once, or none for an image the table does not know.
func imageTargets(ref string) []whoisTarget {
	var out []whoisTarget
	for s := range wellknown.ForImage(ref) {
		t := whoisTarget{port: s.Range().Lo(), name: s.Name()}
		if !slices.ContainsFunc(out, func(o whoisTarget) bool { return o.port == t.port }) {
			out = append(out, t)
		}
	}
	return out
}

// parsePortProto parses PORT or PORT/PROTO; a missing protocol is the zero
// Protocol, "every transport".
func parsePortProto(s string) (ports.Port, ports.Protocol, error) {
	ps, protos, hasProto := strings.Cut(s, "/")
	p, err := ports.ParsePort(ps)
	switch {
	case err != nil && !hasProto:
		return 0, 0, errors.New(plain(err))
	case err != nil:
		return 0, 0, fmt.Errorf("%q: port %s", s, plain(err))
	case !hasProto:
		return p, 0, nil
	}
	proto, err := ports.ParseProtocol(protos)
	if err != nil {
		return 0, 0, fmt.Errorf("%q: protocol %s", s, plain(err))
	}
	return p, proto, nil
}

type whoisService struct {
	Name        string `json:"name"`
	Ports       string `json:"ports"`
	Protocol    string `json:"protocol,omitempty"`
	Description string `json:"description,omitempty"`
	Status      string `json:"status,omitempty"`
	Project     string `json:"project,omitempty"`
	Category    string `json:"category,omitempty"`
	Reference   string `json:"reference,omitempty"`
}

type whoisReport struct {
	Name       string         `json:"name,omitempty"` // the service name asked for, if any
	Port       int            `json:"port"`
	Protocol   string         `json:"protocol,omitempty"`
	Class      string         `json:"class"`
	Reserved   bool           `json:"rfc6335_reserved"`
	IANA       []whoisService `json:"iana"`
	DeFacto    []whoisService `json:"defacto"`
	Collisions []string       `json:"collisions"`
	BadPort    bool           `json:"browser_refused"`
	NodePort   bool           `json:"kubernetes_nodeport_range"`
	Host       []string       `json:"host"`
	Bindable   *bool          `json:"bindable,omitempty"`
	ProbeError string         `json:"probe_error,omitempty"`
}

func whois(p ports.Port, proto ports.Protocol, limits hostports.Limits) whoisReport {
	r := whoisReport{
		Port:       int(p),
		Class:      p.Class().String(),
		Reserved:   p.IsReserved(),
		IANA:       []whoisService{},
		DeFacto:    []whoisService{},
		Collisions: []string{},
		BadPort:    wellknown.BadPorts().Contains(p),
		NodePort:   wellknown.NodePortRange().Contains(p),
		Host:       []string{},
	}
	if proto != 0 {
		r.Protocol = proto.String()
	}
	for s := range wellknown.Lookup(p, proto) {
		ws := whoisService{Name: s.Name(), Ports: s.Range().String(), Description: s.Description()}
		if s.Protocol() != 0 {
			ws.Protocol = s.Protocol().String()
		}
		if s.Source() == wellknown.IANA {
			ws.Status = s.Status().String()
			r.IANA = append(r.IANA, ws)
			continue
		}
		ws.Project, ws.Category, ws.Reference = s.Project(), s.Category().String(), s.Reference()
		r.DeFacto = append(r.DeFacto, ws)
	}
	protos := []ports.Protocol{proto}
	if proto == 0 {
		all := ports.Protocols()
		protos = all[:]
	}
	for _, pr := range protos {
		if c, ok := wellknown.CollisionAt(p, pr); ok {
			r.Collisions = append(r.Collisions, c.String())
		}
	}
	if facts := hostFacts(p, proto, limits); facts != nil {
		r.Host = facts
	}
	return r
}

// exclusionFact says, in words, which Windows excluded range of proto
// holds p, who likely made it, and whether a program can still bind p.
func exclusionFact(l hostports.Limits, proto ports.Protocol, p ports.Port) string {
	c, ok := hostports.ExplainExclusion(l, proto, p)
	if !ok {
		return fmt.Sprintf("excluded by the OS (%s; a Windows excluded port range): nothing can bind it", proto)
	}
	if !c.Blocks {
		return fmt.Sprintf("in the Windows excluded port range %s of %s, which an administrator added: it keeps Windows's own uses off, and a program may still bind it", c.Exclusion.Range, proto)
	}
	return fmt.Sprintf("excluded by the OS (%s; the Windows excluded port range %s, likely made by %s): nothing can bind it; ports why %s/%s says what to do", proto, c.Exclusion.Range, c.Maker, p, proto)
}

// hostFacts says what limits keep of p, in words. Facts that hold alike for
// TCP and UDP are said once.
func hostFacts(p ports.Port, proto ports.Protocol, l hostports.Limits) []string {
	var facts []string
	protos := []ports.Protocol{proto}
	if proto == 0 {
		protos = []ports.Protocol{ports.TCP, ports.UDP}
	}
	var eph []string
	var excl []ports.Protocol
	var ephRange ports.Range
	for _, pr := range protos {
		if e := l.Ephemeral(pr); e.Contains(p) {
			eph = append(eph, pr.String())
			ephRange = e
		}
		if l.Excluded(pr).Contains(p) {
			excl = append(excl, pr)
		}
	}
	if len(eph) > 0 {
		facts = append(facts, fmt.Sprintf("in the ephemeral range %s (%s) of this %s host: an outgoing connection may hold it at any moment", ephRange, strings.Join(eph, ", "), l.GOOS))
	}
	for _, pr := range excl {
		facts = append(facts, exclusionFact(l, pr, p))
	}
	if l.Reserved.Contains(p) {
		facts = append(facts, "reserved for servers (net.ipv4.ip_local_reserved_ports)")
	}
	if l.Privileged.Contains(p) {
		facts = append(facts, "privileged: only a privileged process may bind it")
	}
	return facts
}

// mergeProtocols folds services that differ only in protocol into one, whose
// Protocol lists them all ("tcp, udp"), keeping the first one's place.
func mergeProtocols(in []whoisService) []whoisService {
	var out []whoisService
	for _, s := range in {
		merged := false
		for i := range out {
			o := &out[i]
			if o.Name == s.Name && o.Ports == s.Ports && o.Description == s.Description && o.Status == s.Status && o.Project == s.Project {
				o.Protocol += ", " + s.Protocol
				merged = true
				break
			}
		}
		if !merged {
			out = append(out, s)
		}
	}
	return out
}

func (a *app) printWhois(r whoisReport) {
	title := strconv.Itoa(r.Port)
	if r.Protocol != "" {
		title += "/" + r.Protocol
	}
	if r.Name != "" {
		title = r.Name + ": " + title
	}
	w := a.stdout
	fmt.Fprintln(w, a.paint(styleBold, title))
	class := fmt.Sprintf("%s (RFC 6335 %s)", r.Class, ports.Port(r.Port).Class().Range())
	if r.Reserved {
		class += "; reserved by RFC 6335"
	}
	fmt.Fprintf(w, "  %-10s %s\n", "class", class)
	if len(r.IANA) == 0 {
		fmt.Fprintf(w, "  %-10s %s\n", "IANA", "no entry")
	}
	for i, s := range mergeProtocols(r.IANA) {
		label := ""
		if i == 0 {
			label = "IANA"
		}
		name := s.Name
		if name == "" {
			name = "(" + s.Status + ")"
		}
		line := fmt.Sprintf("%s %s", name, portsProto(s))
		if s.Description != "" && s.Description != s.Status {
			line += "  " + s.Description
		}
		if s.Status != "assigned" && s.Name != "" {
			line += " [" + s.Status + "]"
		}
		fmt.Fprintf(w, "  %-10s %s\n", label, line)
	}
	for i, s := range mergeProtocols(r.DeFacto) {
		label := ""
		if i == 0 {
			label = "de facto"
		}
		fmt.Fprintf(w, "  %-10s %s %s  %s (%s)\n", label, s.Project, portsProto(s), s.Description, s.Category)
	}
	for i, c := range r.Collisions {
		label := ""
		if i == 0 {
			label = "collision"
		}
		fmt.Fprintf(w, "  %-10s %s\n", label, a.paint(styleYellow, c))
	}
	browser := "allowed"
	if r.BadPort {
		browser = a.paint(styleRed, "refused (a Fetch standard bad port)")
	}
	fmt.Fprintf(w, "  %-10s %s\n", "browsers", browser)
	if r.NodePort {
		fmt.Fprintf(w, "  %-10s %s\n", "k8s", "in the Kubernetes NodePort range "+wellknown.NodePortRange().String())
	}
	if len(r.Host) == 0 {
		fmt.Fprintf(w, "  %-10s %s\n", "this host", "keeps nothing of it")
	}
	for i, f := range r.Host {
		label := ""
		if i == 0 {
			label = "this host"
		}
		fmt.Fprintf(w, "  %-10s %s\n", label, f)
	}
	if r.Bindable == nil && r.ProbeError != "" {
		fmt.Fprintf(w, "  %-10s %s\n", "now", r.ProbeError)
	}
	if r.Bindable != nil {
		if *r.Bindable {
			fmt.Fprintf(w, "  %-10s %s\n", "now", a.paint(styleGreen, "bindable on TCP and UDP"))
		} else {
			// A failure of several checks takes a line each, under the first.
			msg := strings.ReplaceAll(r.ProbeError, "\n", "\n"+strings.Repeat(" ", 13))
			fmt.Fprintf(w, "  %-10s %s\n", "now", a.paint(styleRed, "not bindable: "+msg))
		}
	}
}

func portsProto(s whoisService) string {
	if s.Protocol == "" {
		return s.Ports
	}
	return s.Ports + "/" + strings.ReplaceAll(s.Protocol, ", ", "+")
}
