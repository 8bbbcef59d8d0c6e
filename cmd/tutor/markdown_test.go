package main

import "testing"

func TestPlainText(t *testing.T) {
	for md, want := range map[string]string{
		"plain words":                            "plain words",
		"call `bgtasks.From(r.Context())` here":  "call bgtasks.From(r.Context()) here",
		"`*T` and `a_b_c` stay as written":       "*T and a_b_c stay as written",
		"``a `b` c`` is code":                    "a `b` c is code",
		"*once* and _twice_, **bold** __too__":   "once and twice, bold too",
		"*a* *b*":                                "a b",
		"see [the docs](https://go.dev/doc/)":    "see the docs (https://go.dev/doc/)",
		"a snake_case_name and 2*3*4":            "a snake_case_name and 2*3*4",
		"an `unclosed span":                      "an `unclosed span",
		"`ctx.Done()` then *return* `ctx.Err()`": "ctx.Done() then return ctx.Err()",
	} {
		if got := plainText(md); got != want {
			t.Errorf("plainText(%q) = %q, want %q", md, got, want)
		}
	}
}
