package portscheme

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strconv"

	"github.com/portalloc/ports"
)

// The JSON form of a scheme. Ports are numbers and ranges are strings, as
// "50050-50199"; optional fields are left out when empty. It is read into
// plain fields first so that every bad value can be reported, not only the
// first, and in words that name the field.
type jsonScheme struct {
	Slots     json.RawMessage `json:"slots"`
	Roles     []jsonRole      `json:"roles,omitempty"`
	Languages []jsonLanguage  `json:"languages,omitempty"`
	Services  []jsonService   `json:"services,omitempty"`
}

type jsonRole struct {
	Slot        json.RawMessage `json:"slot"`
	Name        string          `json:"name"`
	Purpose     string          `json:"purpose,omitempty"`
	Exposure    string          `json:"exposure"`
	Env         string          `json:"env,omitempty"`
	Description string          `json:"description,omitempty"`
}

type jsonLanguage struct {
	Name  string     `json:"name"`
	Title string     `json:"title,omitempty"`
	Range string     `json:"range"`
	Kinds []jsonKind `json:"kinds,omitempty"`
}

type jsonKind struct {
	Name  string `json:"name"`
	Range string `json:"range"`
}

type jsonService struct {
	Name        string          `json:"name"`
	Title       string          `json:"title,omitempty"`
	Port        json.RawMessage `json:"port"`
	NodePort    json.RawMessage `json:"node_port,omitempty"`
	Description string          `json:"description,omitempty"`
}

// ParseJSON reads a scheme from its JSON form, as [Scheme.MarshalJSON]
// writes it:
//
//	{
//	  "slots": 10,
//	  "roles": [
//	    {"slot": 0, "name": "coordinator", "purpose": "Coordinator gRPC",
//	     "exposure": "yes", "env": "PORT", "description": "Sidecar coordinator"},
//	    ...
//	  ],
//	  "languages": [
//	    {"name": "rust", "title": "Rust", "range": "50050-50199", "kinds": [
//	      {"name": "aggregate", "range": "50050-50109"}, ...]},
//	    ...
//	  ],
//	  "services": [
//	    {"name": "aggregate-coordinator", "title": "Aggregate Coordinator",
//	     "port": 1310, "node_port": 31310, "description": "Per-domain command handling"},
//	    ...
//	  ]
//	}
//
// A range is "LO-HI" or a single port; an exposure is "yes", "optional",
// "no" (the default when left out) or "internal". Unknown fields and
// trailing data are errors.
//
// Text that is not JSON of this shape gives an error that wraps the
// [encoding/json] error and, where the decoder says, gives the line and
// column. Otherwise ParseJSON validates the scheme as [New] does and
// returns a [*SchemeError] with every problem, including the values New
// never sees: a slot count or slot that is out of range, or not a
// whole number written in digits; ports and ranges beyond 65535; negative,
// fractional and quoted port numbers; malformed and inverted ranges;
// unknown exposures ([ErrInvalidSpec] all).
func ParseJSON(data []byte) (Scheme, error) {
	if t := bytes.TrimLeft(data, " \t\r\n"); len(t) == 0 || t[0] != '{' {
		return Scheme{}, &jsonError{err: errors.New(`want a JSON object, as {"slots": 10, ...}`)}
	}
	var js jsonScheme
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&js); err != nil {
		// Where it went wrong, when the decoder says: the byte it stopped
		// at, or the end for text cut short.
		at := ""
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		switch {
		case errors.Is(err, io.ErrUnexpectedEOF):
			at = lineCol(data, int64(len(data)))
		case errors.As(err, &se):
			at = lineCol(data, se.Offset-1)
		case errors.As(err, &te):
			at = lineCol(data, te.Offset-1)
		}
		return Scheme{}, &jsonError{err: err, at: at}
	}
	end := dec.InputOffset()
	if _, err := dec.Token(); err != io.EOF {
		rest := bytes.TrimLeft(data[end:], " \t\r\n")
		return Scheme{}, &jsonError{err: errors.New("data after the scheme's closing brace"), at: lineCol(data, int64(len(data)-len(rest)))}
	}
	spec, ps, done := js.spec()
	ps = append(ps, validate(spec, done)...)
	if len(ps) > 0 {
		return Scheme{}, &SchemeError{Problems: sortProblems(ps, spec)}
	}
	return build(spec.clone()), nil
}

// jsonError reports JSON that is not a scheme's JSON form, and where, as
// "line L, column C", if known.
type jsonError struct {
	err error
	at  string
}

func (e *jsonError) Error() string {
	if e.at == "" {
		return "portscheme: reading JSON: " + e.err.Error()
	}
	return "portscheme: reading JSON: " + e.at + ": " + e.err.Error()
}

// lineCol says where byte off of data is (counting from 0, and len(data)
// for the end), as "line L, column C", counting from 1 and columns in
// bytes.
func lineCol(data []byte, off int64) string {
	off = min(max(off, 0), int64(len(data)))
	before := data[:off]
	line := bytes.Count(before, []byte("\n")) + 1
	col := len(before) - bytes.LastIndexByte(before, '\n')
	return "line " + strconv.Itoa(line) + ", column " + strconv.Itoa(col)
}
func (e *jsonError) Unwrap() error { return e.err }

// spec converts js into a Spec, with the problems of values that a Spec
// cannot hold. done names the values already reported, which validate
// skips: a place followed by "#slot", "#range" or "#port".
func (js *jsonScheme) spec() (Spec, problems, map[string]bool) {
	var ps problems
	done := map[string]bool{}
	var spec Spec
	if n, ok := jsonSlotNumber(&ps, "slot count", ErrInvalidSpec, "slot count", js.Slots, 65536, "1 to 65536"); ok {
		spec.Slots = int(n)
	} else {
		done["slot count"] = true
	}
	for i, jr := range js.Roles {
		r := Role{Name: jr.Name, Purpose: jr.Purpose, Env: jr.Env, Description: jr.Description}
		w := whereRole(i, r)
		if n, ok := jsonSlotNumber(&ps, w, ErrInvalidSpec, "slot", jr.Slot, 65535, "0 to the slot count minus one"); ok {
			r.Slot = Slot(n)
		} else {
			done[w+"#slot"] = true
		}
		if jr.Exposure != "" {
			e, ok := lookupServicePolicy(jr.Exposure)
			if !ok {
				ps.add(w, ErrInvalidSpec, "exposure "+strconv.Quote(jr.Exposure)+" is unknown; want yes, optional, no or internal")
			}
			r.ServicePolicy = e
		}
		spec.Roles = append(spec.Roles, r)
	}
	for i, jl := range js.Languages {
		l := LanguageSpec{Name: Language(jl.Name), Title: jl.Title}
		w := whereLanguage(i, l.Name)
		l.Range = jsonRange(&ps, done, w, jl.Range)
		for j, jk := range jl.Kinds {
			k := ComponentSpec{Name: Component(jk.Name)}
			k.Range = jsonRange(&ps, done, whereKind(i, j, l.Name, k.Name), jk.Range)
			l.Components = append(l.Components, k)
		}
		spec.Languages = append(spec.Languages, l)
	}
	for i, js := range js.Services {
		sv := InfraPort{Name: js.Name, Title: js.Title, Description: js.Description}
		w := whereService(i, sv.Name)
		if p, ok := jsonPort(&ps, w, "port", js.Port); ok {
			sv.Port = p
		} else {
			done[w+"#port"] = true
		}
		if p, ok := jsonPort(&ps, w, "node port", js.NodePort); ok {
			sv.NodePort = p
		}
		spec.InfraPorts = append(spec.InfraPorts, sv)
	}
	return spec, ps, done
}

// What jsonWhole found.
const (
	whole     = iota // a whole number from 0 to the limit, written in digits
	notNumber        // a string, a boolean, an object…
	negative
	beyond // above the limit
	notWhole
)

// jsonWhole reads a number of the JSON form, however large (so that 1e20 is
// beyond a limit, not bad JSON), that should be a whole number from 0 to
// max written in digits: it returns the number, or 0 and what is wrong. A
// left-out or null number is 0.
func jsonWhole(raw json.RawMessage, max int64) (int64, int) {
	n := string(raw)
	switch {
	case n == "" || n == "null":
		return 0, whole
	case n[0] != '-' && (n[0] < '0' || n[0] > '9'):
		return 0, notNumber
	}
	// ParseFloat reads any other JSON number closely enough to say how it
	// is wrong: too large a one as ±Inf.
	i, ierr := strconv.ParseInt(n, 10, 64)
	f, _ := strconv.ParseFloat(n, 64)
	switch {
	case f < 0 || ierr == nil && i < 0:
		return 0, negative
	case f > float64(max) || ierr == nil && i > max:
		return 0, beyond
	case ierr != nil:
		return 0, notWhole
	}
	return i, whole
}

// jsonSlotNumber reads a slot or a slot count (what) of the JSON form, from
// 0 to max, as jsonWhole does; a bad one is a problem of err at where, which
// says that the number should be in want, and it reports false.
func jsonSlotNumber(ps *problems, where string, err error, what string, raw json.RawMessage, max int64, want string) (int64, bool) {
	n, how := jsonWhole(raw, max)
	switch how {
	case whole:
		return n, true
	case notNumber:
		ps.add(where, err, what+" "+string(raw)+" is not a number")
	case notWhole:
		ps.add(where, err, what+" "+string(raw)+" is not written as a whole number; write it in digits alone")
	default:
		ps.add(where, err, what+" "+string(raw)+" is out of range; want "+want)
	}
	return 0, false
}

// jsonPort reads a port number of the JSON form, as jsonWhole does, and
// reports what is wrong with it to ps.
func jsonPort(ps *problems, where, what string, raw json.RawMessage) (ports.Port, bool) {
	n, how := jsonWhole(raw, int64(ports.MaxPort))
	switch how {
	case whole:
		return ports.Port(n), true
	case notNumber:
		ps.add(where, ErrInvalidSpec, what+" "+string(raw)+" is not a number")
	case negative:
		ps.add(where, ErrInvalidSpec, what+" "+string(raw)+" is negative")
	case beyond:
		ps.add(where, ErrInvalidSpec, what+" "+string(raw)+" is beyond 65535")
	default:
		ps.add(where, ErrInvalidSpec, what+" "+string(raw)+" is not written as a whole number; write the port in digits alone")
	}
	return 0, false
}

// jsonRange parses a range leniently, so that numbers beyond 65535 are
// reported as such. An empty s is left to validate, which reports it.
func jsonRange(ps *problems, done map[string]bool, where, s string) ports.Range {
	if s == "" {
		return ports.Range{}
	}
	lo, hi, ok := splitRange(s)
	switch {
	case !ok:
		ps.add(where, ErrInvalidSpec, "range "+strconv.Quote(s)+" is malformed; want LO-HI in decimal, as \"50050-50199\", or one port")
	case lo > hi:
		ps.add(where, ErrInvalidSpec, "range "+s+" is inverted: its low end is above its high end")
	case hi > int64(ports.MaxPort):
		ps.add(where, ErrInvalidSpec, "range "+s+" goes beyond port 65535")
	default:
		return ports.RangeFrom(ports.Port(lo), ports.Port(hi))
	}
	done[where+"#range"] = true
	return ports.Range{}
}

// splitRange reads "N" or "N-M" of decimal digits. Numbers of 13 digits or
// more are all read as 1e12, beyond 65535 and equal to each other, so that
// two of them make a range beyond 65535, not an inverted one.
func splitRange(s string) (lo, hi int64, ok bool) {
	num := func(t string) (int64, bool) {
		if t == "" {
			return 0, false
		}
		var n int64
		for i := 0; i < len(t); i++ {
			if !isDigit(t[i]) {
				return 0, false
			}
			n = min(n*10+int64(t[i]-'0'), 1e12)
		}
		return n, true
	}
	for i := 0; i < len(s); i++ {
		if s[i] == '-' {
			lo, ok1 := num(s[:i])
			hi, ok2 := num(s[i+1:])
			return lo, hi, ok1 && ok2
		}
	}
	n, ok := num(s)
	return n, n, ok
}

func (s Scheme) json() jsonScheme {
	spec := s.d.spec
	js := jsonScheme{Slots: strconv.AppendInt(nil, int64(spec.Slots), 10)}
	for _, r := range spec.Roles {
		js.Roles = append(js.Roles, jsonRole{Slot: strconv.AppendInt(nil, int64(r.Slot), 10), Name: r.Name, Purpose: r.Purpose,
			Exposure: r.ServicePolicy.String(), Env: r.Env, Description: r.Description})
	}
	for _, l := range spec.Languages {
		jl := jsonLanguage{Name: string(l.Name), Title: l.Title, Range: l.Range.String()}
		for _, k := range l.Components {
			jl.Kinds = append(jl.Kinds, jsonKind{Name: string(k.Name), Range: k.Range.String()})
		}
		js.Languages = append(js.Languages, jl)
	}
	for _, sv := range spec.InfraPorts {
		var np json.RawMessage
		if sv.NodePort != 0 {
			np = strconv.AppendInt(nil, int64(sv.NodePort), 10)
		}
		js.Services = append(js.Services, jsonService{Name: sv.Name, Title: sv.Title, Port: strconv.AppendInt(nil, int64(sv.Port), 10),
			NodePort: np, Description: sv.Description})
	}
	return js
}

// MarshalJSON implements [json.Marshaler]: it writes the JSON form that
// [ParseJSON] reads, from which ParseJSON builds a scheme equal to s. The
// output depends only on s. The zero Scheme is written as null. Use
// [json.MarshalIndent] for a file that people edit.
func (s Scheme) MarshalJSON() ([]byte, error) {
	if s.d == nil {
		return []byte("null"), nil
	}
	return json.Marshal(s.json())
}

// UnmarshalJSON implements [json.Unmarshaler]: it replaces s with the scheme
// that [ParseJSON] reads from data, and leaves s as it was if ParseJSON
// fails. As the convention of encoding/json has it, null leaves s as it was.
// UnmarshalJSON must not be called while s is in use elsewhere.
func (s *Scheme) UnmarshalJSON(data []byte) error {
	if string(data) == "null" {
		return nil
	}
	q, err := ParseJSON(data)
	if err != nil {
		return err
	}
	*s = q
	return nil
}
