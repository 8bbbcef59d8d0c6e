package site

import (
	"html"
	"path"
	"regexp"
	"strings"
	"testing"
)

var (
	// scriptTag is every <script> element, with what lies between its tags.
	scriptTag = regexp.MustCompile(`(?is)<script\b([^>]*)>(.*?)</script>`)
	// inlineAttr is an attribute that runs script or styles an element in
	// place: both refused by the Content-Security-Policy.
	inlineAttr = regexp.MustCompile(`(?i)<[a-z][^>]*\s(on[a-z]+|style)\s*=`)
	// loadedURL is a URL the browser fetches by itself as it reads a page.
	loadedURL = regexp.MustCompile(`(?i)<(?:script|link|img|iframe|source|video|audio|embed|object|input)\b[^>]*\s(?:src|href|data|srcset|poster)\s*=\s*"([^"]*)"`)
	// offSite is a URL with a scheme or a host of its own: anything but a
	// path on this site.
	offSite = regexp.MustCompile(`(?i)^(?:[a-z][a-z0-9+.-]*:|//)`)
	// metaCSP is a policy given in a <meta> tag.
	metaCSP = regexp.MustCompile(`<meta http-equiv="Content-Security-Policy" content="([^"]*)">`)
	// cssImport is a style sheet rule that fetches something.
	cssImport = regexp.MustCompile(`(?i)@import|url\(\s*['"]?(?:[a-z][a-z0-9+.-]*:|//)`)
)

// Security rule: no page, live or static, holds inline script, inline
// style or an event handler attribute, and nothing a page, its style sheet
// or its script loads comes from anywhere but the site itself. The
// Content-Security-Policy would refuse them; this finds them before a
// reader's browser does.
func TestPagesLoadNothingOffSiteAndNothingInline(t *testing.T) {
	for _, static := range []bool{false, true} {
		p := newPages(static)
		for name, b := range p.files {
			if path.Ext(name) != ".html" {
				continue
			}
			page := string(b)
			if static {
				name += " (static)"
			}
			for _, m := range scriptTag.FindAllStringSubmatch(page, -1) {
				if !strings.Contains(m[1], "src=") || strings.TrimSpace(m[2]) != "" {
					t.Errorf("%s: inline script %.80q", name, m[0])
				}
			}
			if m := inlineAttr.FindString(page); m != "" {
				t.Errorf("%s: inline style or event handler %.80q", name, m)
			}
			for _, m := range loadedURL.FindAllStringSubmatch(page, -1) {
				if offSite.MatchString(m[1]) {
					t.Errorf("%s: loads %q from off the site", name, m[1])
				}
			}
			meta := metaCSP.FindStringSubmatch(page)
			switch {
			case static && (meta == nil || html.UnescapeString(meta[1]) != cspMeta):
				t.Errorf("%s: the static copy carries no Content-Security-Policy of its own, or another one: %q", name, meta)
			case !static && meta != nil:
				t.Errorf("%s: a live page carries a policy in a <meta> tag; the header is the one place for it", name)
			}
		}
		if css := string(p.files["static/site.css"]); cssImport.MatchString(css) {
			t.Errorf("site.css fetches something: %q", cssImport.FindString(css))
		}
		for name, b := range p.files {
			if path.Ext(name) != ".js" {
				continue
			}
			for _, call := range regexp.MustCompile(`fetch\(([^,)]*)`).FindAllStringSubmatch(string(b), -1) {
				if strings.Contains(call[1], "//") || strings.Contains(call[1], "http") {
					t.Errorf("%s fetches %s, which may leave the site", name, call[1])
				}
			}
		}
	}
}

// The policy is one list: the header carries all of it, a static page's
// <meta> tag all that a <meta> tag may carry (a browser ignores
// frame-ancestors there, with a warning on the console).
func TestPolicy(t *testing.T) {
	for _, d := range []string{"default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:",
		"connect-src 'self'", "object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'"} {
		if !strings.Contains(cspHeader, d) {
			t.Errorf("the policy lacks %q: %s", d, cspHeader)
		}
	}
	if strings.Contains(cspHeader, "unsafe") {
		t.Errorf("the policy allows unsafe sources: %s", cspHeader)
	}
	if strings.Contains(cspMeta, "frame-ancestors") || !strings.HasPrefix(cspHeader, cspMeta+"; ") {
		t.Errorf("meta policy %q, header %q: want the header's, less frame-ancestors", cspMeta, cspHeader)
	}
}

// The patterns above must find what they look for, or the test could not
// fail.
func TestCSPPatternsFind(t *testing.T) {
	for _, tt := range []struct {
		re   *regexp.Regexp
		text string
	}{
		{scriptTag, `<script>alert(1)</script>`},
		{inlineAttr, `<p class="x" onclick="go()">`},
		{inlineAttr, `<span style="color:red">`},
		{loadedURL, `<img alt="" src="https://cdn.example/x.png">`},
		{loadedURL, `<link rel="stylesheet" href="//fonts.example/css">`},
		{cssImport, `@import "x.css";`},
		{cssImport, `body { background: url("https://cdn.example/bg.png") }`},
	} {
		if !tt.re.MatchString(tt.text) {
			t.Errorf("%s does not find %q", tt.re, tt.text)
		}
	}
	for _, u := range []string{"https://cdn.example/x.js", "//cdn.example/x.js"} {
		if !offSite.MatchString(u) {
			t.Errorf("offSite misses %q", u)
		}
	}
	for _, u := range []string{"../../static/site.js", "static/site.css", "run.json"} {
		if offSite.MatchString(u) {
			t.Errorf("offSite takes %q for a URL off the site", u)
		}
	}
}
