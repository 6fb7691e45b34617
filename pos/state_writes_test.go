package pos

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"strings"
	"testing"
)

// TestEveryStatusWriteGoesThroughMove keeps the tables the truth: outside
// move, no code of the till assigns an order's or an attempt's Status
// (a refund's own state, set in settleRefundIn, is not one of the
// machines).
func TestEveryStatusWriteGoesThroughMove(t *testing.T) {
	entries, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	allowedIn := map[string]bool{"move": true, "settleRefundIn": true}
	fset := token.NewFileSet()
	for _, e := range entries {
		name := e.Name()
		if !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			fn, ok := d.(*ast.FuncDecl)
			if !ok || fn.Body == nil || allowedIn[fn.Name.Name] {
				continue
			}
			ast.Inspect(fn.Body, func(n ast.Node) bool {
				as, ok := n.(*ast.AssignStmt)
				if !ok {
					return true
				}
				for _, lhs := range as.Lhs {
					if sel, ok := lhs.(*ast.SelectorExpr); ok && sel.Sel.Name == "Status" {
						t.Errorf("%s: %s writes a Status directly; use move", fset.Position(as.Pos()), fn.Name.Name)
					}
				}
				return true
			})
		}
	}
}
