package manifest

import (
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/compose-spec/compose-go/v2/template"
	"github.com/compose-spec/compose-go/v2/types"
)

// A compose file may require a variable (${PG_PASS:?database password
// required}), and Docker Compose refuses the project while it is not set.
// Most such variables are secrets that set a container's environment or
// a label, and a check of ports in CI should not need them: while the
// project loads, a required variable that is not set stands for a mark
// (requiredMark) instead of failing the load. A mark that reaches what a
// port depends on (ports, expose, network_mode, profiles) is an error that
// names the variable; elsewhere the variable is a warning.

// interpolationBudget bounds the work of substituting the variables of
// one project. compose-go's substitution of a value takes time that grows
// with the value's length times its templates (each "${…:-…}" scans the
// rest of the value, and nests a call), so that one label of 5,000 of them
// took 5 s and the 16 MiB a file may have would take days. A value costs
// its length times its templates, and a project may spend this much:
// about half a second, where the largest real files spend a few percent.
const interpolationBudget int64 = 20_000_000

// spend takes the cost of substituting s from the budget b, or returns an
// error when b cannot pay it.
func spend(b *int64, s string) error {
	n := strings.Count(s, "${")
	if n == 0 {
		return nil
	}
	cost := int64(n) * int64(len(s))
	if cost > *b {
		return fmt.Errorf("too many ${…} templates to substitute: a value of %d bytes with %d of them takes the project past the %d template-bytes a load may spend", len(s), n, interpolationBudget)
	}
	*b -= cost
	return nil
}

// requiredRE finds the uses of variables as required: ${NAME?…} and
// ${NAME:?…}, the colon (which also refuses an empty value) as group 2.
var requiredRE = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)(:?)\?`)

// requiredMark is what a required variable that is not set stands for
// while the project loads: not empty, so that ":?" takes it for set, and
// made of a variable name's characters only.
func requiredMark(name string) string {
	return requiredMarkPrefix + name + "-not-set"
}

// requiredMarkPrefix starts every mark: text without it holds none.
const requiredMarkPrefix = "ports-required-variable-"

// substituteRequired substitutes the variables of s as mapping gives them,
// a required one that is not set standing for its mark; it adds each such
// variable to required, with the reason its template gives as written (so
// that no value is quoted). It takes one pass over s more than compose-go's
// substitution, and only when a variable is missing.
func substituteRequired(s string, mapping template.Mapping, required map[string]string) (string, error) {
	out, err := template.SubstituteWithOptions(s, mapping, template.WithoutLogging)
	var req *template.MissingRequiredError
	if !errors.As(err, &req) {
		return out, err
	}
	uses := requiredRE.FindAllStringSubmatchIndex(s, -1)
	colon := map[string]bool{} // each variable used as required: whether ":?" is among its uses
	for _, u := range uses {
		if u[0] > 0 && s[u[0]-1] == '$' {
			continue // "$${…}" is no template
		}
		name := s[u[2]:u[3]]
		colon[name] = colon[name] || u[5] > u[4]
	}
	unset := func(k string) bool {
		c, ok := colon[k]
		if !ok {
			return false
		}
		v, set := mapping(k)
		return !set || c && v == ""
	}
	marked := func(k string) (string, bool) {
		if unset(k) {
			return requiredMark(k), true
		}
		return mapping(k)
	}
	if out, err = template.SubstituteWithOptions(s, marked, template.WithoutLogging); err != nil {
		return out, err
	}
	for _, u := range uses {
		if name := s[u[2]:u[3]]; unset(name) {
			if _, ok := required[name]; !ok {
				required[name] = requiredReason(s[u[1]:])
			}
		}
	}
	return out, nil
}

// requiredReason returns the reason of a required variable's template as
// written, from rest, the text after its "?", up to the brace that closes
// the template.
func requiredReason(rest string) string {
	depth := 1
	for j := 0; j < len(rest); j++ {
		switch {
		case strings.HasPrefix(rest[j:], "${"):
			depth++
			j++
		case rest[j] == '}':
			if depth--; depth == 0 {
				return rest[:j]
			}
		}
	}
	return rest
}

// requiredNames returns the variables of required, sorted.
func requiredNames(required map[string]string) []string {
	return slices.Sorted(maps.Keys(required))
}

// unmarkRequired writes each mark of msg as the template of its variable,
// ${NAME}, and reports whether there was one.
func unmarkRequired(msg string, required map[string]string) (string, bool) {
	if !strings.Contains(msg, requiredMarkPrefix) {
		return msg, false
	}
	found := false
	for _, k := range requiredNames(required) {
		if m := requiredMark(k); strings.Contains(msg, m) {
			msg, found = strings.ReplaceAll(msg, m, "${"+k+"}"), true
		}
	}
	return msg, found
}

// requiredText says which required variables are not set, with the reason
// each template gives: "PG_PASS (database password required), TOKEN".
func requiredText(required map[string]string) string {
	var parts []string
	for _, k := range requiredNames(required) {
		if r := required[k]; r != "" {
			k += " (" + r + ")"
		}
		parts = append(parts, k)
	}
	return strings.Join(parts, ", ")
}

// markedPort returns an error naming the field, at its path
// ("services.web.network_mode"), and the variable when a required variable
// that is not set reaches what a port of a service of project depends on;
// else nil.
func markedPort(project *types.Project, required map[string]string) error {
	if len(required) == 0 {
		return nil
	}
	names := requiredNames(required)
	all := maps.Clone(project.Services)
	maps.Copy(all, project.DisabledServices) // a profile may be the mark
	for _, name := range slices.Sorted(maps.Keys(all)) {
		svc := all[name]
		type field struct{ path, value string }
		fields := []field{{"network_mode", svc.NetworkMode}}
		for _, e := range svc.Expose {
			fields = append(fields, field{"expose", e})
		}
		for _, p := range svc.Profiles {
			fields = append(fields, field{"profiles", p})
		}
		for _, p := range svc.Ports {
			fields = append(fields, field{"ports", p.HostIP + p.Published + p.Protocol + p.Mode + p.Name})
		}
		for _, f := range fields {
			if !strings.Contains(f.value, requiredMarkPrefix) {
				continue
			}
			for _, k := range names {
				if strings.Contains(f.value, requiredMark(k)) {
					msg := fmt.Sprintf("services.%s.%s: required variable %s is missing a value", name, f.path, k)
					if r := required[k]; r != "" {
						msg += ": " + r
					}
					return errors.New(msg + "; a port depends on it")
				}
			}
		}
	}
	return nil
}

// unmarkImages writes the image of each service of project that holds a
// mark with the template of its variable instead: an image names no port
// by itself, and is only shown and looked up.
func unmarkImages(project *types.Project, required map[string]string) {
	for name, svc := range project.Services {
		if img, ok := unmarkRequired(svc.Image, required); ok {
			svc.Image = img
			project.Services[name] = svc
		}
	}
}
