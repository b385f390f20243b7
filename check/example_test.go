package check_test

import (
	"fmt"

	"github.com/portalloc/ports"
	"github.com/portalloc/ports/check"
	"github.com/portalloc/ports/hostports"
	"github.com/portalloc/ports/manifest"
)

// compose returns the declaration of a compose service publishing host
// port on every interface, forwarded to target.
func compose(service, host string, target ports.Port, line int) manifest.Declaration {
	e := ports.MustParseEndpoint(host)
	return manifest.Declaration{
		Endpoint: e, Protocol: e.Protocol(), Target: target.Range(),
		Scope: manifest.HostScope(), Kind: manifest.KindCompose, Exposure: manifest.Public,
		Project: "shop", Service: service,
		Pos: manifest.Position{File: "compose.yaml", Line: line, Column: 9},
	}
}

func ExampleRun() {
	decls := []manifest.Declaration{
		compose("grafana", "3000/tcp", 3000, 4),
		compose("web", "3000/tcp", 8080, 9),
		compose("db", "5432/tcp", 5432, 14),
	}
	limits, _ := hostports.Defaults("linux")
	rep, err := check.Run(decls, check.Options{Limits: limits})
	if err != nil {
		panic(err)
	}
	for _, f := range rep.Findings {
		fmt.Printf("%s %s [%s]: %s\n", f.Severity, f.Members[0].Declaration.Pos, f.Rule, f.Message)
		for _, m := range f.Members {
			if m.Suggestion.IsValid() {
				fmt.Printf("  move %s to %s\n", m.Declaration.Owner(), m.Suggestion)
			}
		}
	}
	fmt.Println("failed:", rep.Failed())
	// Output:
	// error compose.yaml:4:9 [collision]: shop/grafana and shop/web both bind 3000/tcp
	//   move shop/web to 2999/tcp
	// warning compose.yaml:14:9 [exposed-database]: PostgreSQL (database) is published on every interface
	// failed: true
}

func ExampleRules() {
	for _, r := range check.Rules()[:3] {
		fmt.Printf("%-20s %-7s %s\n", r.ID, r.Severity, r.Summary)
	}
	// Output:
	// collision            error   two bindings need the same port on the same protocol and address
	// network-mode-ports   error   a compose service publishes ports but shares another container's network
	// nodeport-range       error   a nodePort lies outside the cluster's NodePort range
}

// A registry's accepted conflict removes the collision it names from the
// report; an accepted conflict that matches nothing is reported.
func ExampleRegistrySuppressions() {
	reg, err := manifest.ParseRegistry("ports.yaml", []byte(`version: 1
ports: []
accepted:
  - services: [grafana, web]
    reason: grafana runs only in production, web only in development
  - services: [api, web]
    reason: resolved long ago
`))
	if err != nil {
		panic(err)
	}
	sups, err := check.RegistrySuppressions(reg)
	if err != nil {
		panic(err)
	}
	decls := []manifest.Declaration{
		compose("grafana", "3000/tcp", 3000, 4),
		compose("web", "3000/tcp", 8080, 9),
	}
	limits, _ := hostports.Defaults("linux")
	rep, err := check.Run(decls, check.Options{Limits: limits})
	if err != nil {
		panic(err)
	}
	for _, s := range rep.Suppress(sups, check.Options{}) {
		fmt.Printf("suppressed [%s] by the %s conflict at %s:%d: %s\n", s.Finding.Rule, s.By.Kind, s.By.File, s.By.Line, s.By.Reason)
	}
	for _, f := range rep.Findings {
		fmt.Printf("%s [%s]: %s\n", f.Severity, f.Rule, f.Message)
	}
	fmt.Println("failed:", rep.Failed())
	// Output:
	// suppressed [collision] by the accepted conflict at ports.yaml:4: grafana runs only in production, web only in development
	// warning [unused-suppression]: the accepted conflict of api, web (collision) matches no finding
	// failed: false
}
