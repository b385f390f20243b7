package main

// The report as GitHub Actions workflow commands: one "::error" or
// "::warning" line for each finding, which the runner turns into an
// annotation on the file and line. The runner reads a command's message up
// to the end of the line and its properties up to the next comma, so
// percent signs, carriage returns and newlines are escaped in both, and
// colons and commas in properties too, as the runner unescapes them.

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/portalloc/ports/check"
)

var (
	githubData     = strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A")
	githubProperty = strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C")
)

func writeGitHub(w io.Writer, in reportInput) {
	for _, f := range in.res.Findings {
		cmd := "warning"
		if f.Severity == check.Error {
			cmd = "error"
		}
		src := at(f).Pos
		var props []string
		if src.File != "" {
			props = append(props, "file="+githubProperty.Replace(safe(src.File)))
			if src.Line > 0 {
				props = append(props, "line="+strconv.Itoa(src.Line))
				if src.Column > 0 {
					props = append(props, "col="+strconv.Itoa(src.Column))
				}
			}
		}
		props = append(props, "title="+githubProperty.Replace("ports check: "+f.Rule))
		msg := safe(headline(f))
		if adv := advice(f); adv != "" {
			msg += "\n" + upper(safe(adv))
		}
		for _, m := range related(f) {
			msg += "\nalso " + safe(m.Declaration.Pos.String()) + ": " + safe(memberText(m))
		}
		fmt.Fprintf(w, "::%s %s::%s\n", cmd, strings.Join(props, ","), githubData.Replace(msg))
	}
}
