package site

import (
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
		pages := map[string]func() ([]byte, error){"contents": p.index}
		for slug, page := range p.byName {
			pages[slug] = page
		}
		for name, page := range pages {
			b, err := page()
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			html := string(b)
			if static {
				name += " (static)"
			}
			for _, m := range scriptTag.FindAllStringSubmatch(html, -1) {
				if !strings.Contains(m[1], "src=") || strings.TrimSpace(m[2]) != "" {
					t.Errorf("%s: inline script %.80q", name, m[0])
				}
			}
			if m := inlineAttr.FindString(html); m != "" {
				t.Errorf("%s: inline style or event handler %.80q", name, m)
			}
			for _, m := range loadedURL.FindAllStringSubmatch(html, -1) {
				if offSite.MatchString(m[1]) {
					t.Errorf("%s: loads %q from off the site", name, m[1])
				}
			}
			if static && !strings.Contains(html, `http-equiv="Content-Security-Policy" content="default-src 'self'; script-src 'self'; style-src 'self';`) {
				t.Errorf("%s: the static copy carries no strict Content-Security-Policy of its own", name)
			}
		}
		if css := string(p.css()); cssImport.MatchString(css) {
			t.Errorf("site.css fetches something: %q", cssImport.FindString(css))
		}
	}
	js, _, _ := newPages(false).asset("site.js")
	for _, call := range regexp.MustCompile(`fetch\(([^,)]*)`).FindAllStringSubmatch(string(js), -1) {
		if strings.Contains(call[1], "//") || strings.Contains(call[1], "http") {
			t.Errorf("site.js fetches %s, which may leave the site", call[1])
		}
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
