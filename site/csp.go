package site

import "strings"

// policy is the site's Content-Security-Policy, its one definition: only
// this site's own scripts, style sheets, images and connections; no inline
// script or style, no plugins, no frames, no base URL of its own.
var policy = []struct {
	directive string
	// header: a browser honours it only in the response header, and warns
	// about it in a <meta> tag.
	header bool
}{
	{"default-src 'self'", false},
	{"script-src 'self'", false},
	{"style-src 'self'", false},
	{"img-src 'self' data:", false},
	{"connect-src 'self'", false},
	{"font-src 'self'", false},
	{"object-src 'none'", false},
	{"form-action 'self'", false},
	{"base-uri 'none'", false},
	{"frame-ancestors 'none'", true},
}

// cspHeader is the policy as the server sends it on every response;
// cspMeta is the same policy, less what only a header may carry, for the
// static copy, which is served by a server that sends no policy of its own.
var cspHeader, cspMeta = func() (string, string) {
	var header, meta []string
	for _, p := range policy {
		header = append(header, p.directive)
		if !p.header {
			meta = append(meta, p.directive)
		}
	}
	return strings.Join(header, "; "), strings.Join(meta, "; ")
}()
