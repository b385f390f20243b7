package wellknown

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strings"
	"testing"
)

// TestNoStartupWork checks what makes the package free at program start:
// no init function, and every package-level variable a composite literal of
// constants, which the linker lays out as data (no code runs to build it).
func TestNoStartupWork(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			switch d := d.(type) {
			case *ast.FuncDecl:
				if d.Recv == nil && d.Name.Name == "init" {
					t.Errorf("%s: func init", fset.Position(d.Pos()))
				}
			case *ast.GenDecl:
				if d.Tok != token.VAR {
					continue
				}
				for _, spec := range d.Specs {
					for _, v := range spec.(*ast.ValueSpec).Values {
						if !constantLiteral(v) {
							t.Errorf("%s: package-level variable not built from constants", fset.Position(v.Pos()))
						}
					}
				}
			}
		}
	}
}

// constantLiteral reports whether e is a literal, a named constant, or a
// composite literal of such.
func constantLiteral(e ast.Expr) bool {
	switch e := e.(type) {
	case *ast.BasicLit, *ast.Ident:
		return true
	case *ast.UnaryExpr:
		return constantLiteral(e.X)
	case *ast.KeyValueExpr:
		return constantLiteral(e.Key) && constantLiteral(e.Value)
	case *ast.CompositeLit:
		for _, elt := range e.Elts {
			if !constantLiteral(elt) {
				return false
			}
		}
		return true
	}
	return false
}
