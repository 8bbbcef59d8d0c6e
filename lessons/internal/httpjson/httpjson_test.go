package httpjson

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
)

// order has the kinds of field a lesson's input may have.
type order struct {
	Email    string         `json:"email"`
	Quantity int            `json:"quantity,omitempty"`
	Tags     []string       `json:"tags"`
	Meta     map[string]int `json:"meta"`
	Gift     *gift          `json:"gift"`
	Secret   string         `json:"-"`
	Untagged string
	embedded
}

type gift struct {
	Note string `json:"note"`
}

type embedded struct {
	Coupon string `json:"coupon"`
}

func TestUnmarshal(t *testing.T) {
	for _, tt := range []struct {
		name, body string
		err        string // "" for none
		want       order
	}{
		{"all", `{"email":"a@b","quantity":2,"tags":["x"],"meta":{"Any":1},"gift":{"note":"hi"},"Untagged":"u","coupon":"c"}`, "",
			order{Email: "a@b", Quantity: 2, Tags: []string{"x"}, Meta: map[string]int{"Any": 1}, Gift: &gift{"hi"}, Untagged: "u", embedded: embedded{"c"}}},
		{"escaped key", `{"em\u0061il":"a@b"}`, "", order{Email: "a@b"}},
		{"case", `{"Email":"a@b"}`, `invalid JSON body: unknown field "Email" (did you mean "email"? field names are case-sensitive)`, order{}},
		{"case inside", `{"gift":{"Note":"hi"}}`, `invalid JSON body: unknown field "gift.Note" (did you mean "note"?`, order{}},
		{"case inside a list", `{"tags":[],"gift":{"note":"x","NOTE":"y"}}`, `unknown field "gift.NOTE"`, order{}},
		{"untagged in lower case", `{"untagged":"u"}`, `unknown field "untagged" (did you mean "Untagged"?`, order{}},
		{"dash", `{"Secret":"s"}`, `invalid JSON body: unknown field "Secret"`, order{}},
		{"unknown", `{"email":"a@b","admin":true}`, `invalid JSON body: unknown field "admin"`, order{}},
		{"twice", `{"email":"a@b","email":"c@d"}`, `invalid JSON body: field "email" given twice`, order{}},
		{"twice inside", `{"gift":{"note":"a","note":"b"}}`, `invalid JSON body: field "gift.note" given twice`, order{}},
		{"map keys are free", `{"meta":{"a":1,"A":2}}`, "", order{Meta: map[string]int{"a": 1, "A": 2}}},
		{"empty", ``, "body must be a JSON object", order{}},
		{"blank", " \n\t", "body must be a JSON object", order{}},
		{"null", `null`, "invalid JSON body: the body must be a JSON object, not null", order{}},
		{"array", `[{"email":"a@b"}]`, "invalid JSON body: the body must be a JSON object, not an array", order{}},
		{"string", `"a@b"`, "invalid JSON body: the body must be a JSON object, not a string", order{}},
		{"two objects", `{"email":"a@b"}{"email":"c@d"}`, "body must hold a single JSON object", order{}},
		{"trailing junk", `{"email":"a@b"} x`, "body must hold a single JSON object", order{}},
		{"broken", `{"email":`, "invalid JSON body: unexpected end of JSON input", order{}},
		{"bad syntax", `{"email" "a@b"}`, "invalid JSON body: invalid character", order{}},
		{"wrong type", `{"quantity":"two"}`, "invalid JSON body: cannot unmarshal string into Go struct field order.quantity of type int", order{}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var got order
			err := Unmarshal([]byte(tt.body), &got)
			switch {
			case tt.err == "" && err != nil:
				t.Fatalf("error %q, want none", err)
			case tt.err != "" && (err == nil || !strings.HasPrefix(err.Error(), tt.err) && !strings.Contains(err.Error(), tt.err)):
				t.Fatalf("error %v, want %q", err, tt.err)
			case tt.err == "" && !reflect.DeepEqual(got, tt.want):
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

// Decode refuses anything but application/json, so that a page on another
// site cannot send a body without the browser asking first, and bodies
// over the limit.
func TestDecode(t *testing.T) {
	for _, tt := range []struct {
		ctype, body string
		status      int
	}{
		{"application/json", `{"email":"a@b"}`, 0},
		{"application/json; charset=utf-8", `{"email":"a@b"}`, 0},
		{"Application/JSON", `{"email":"a@b"}`, 0},
		{"text/plain", `{"email":"a@b"}`, http.StatusUnsupportedMediaType},
		{"text/plain; charset=utf-8", `{"email":"a@b"}`, http.StatusUnsupportedMediaType},
		{"application/x-www-form-urlencoded", `email=a@b`, http.StatusUnsupportedMediaType},
		{"multipart/form-data; boundary=x", `{"email":"a@b"}`, http.StatusUnsupportedMediaType},
		{"application/json-seq", `{"email":"a@b"}`, http.StatusUnsupportedMediaType},
		{"", `{"email":"a@b"}`, http.StatusUnsupportedMediaType},
		{"application/json", `{"email":"` + strings.Repeat("a", 100) + `"}`, http.StatusRequestEntityTooLarge},
		{"application/json", `{"Email":"a@b"}`, http.StatusBadRequest},
	} {
		req := httptest.NewRequest("POST", "/", strings.NewReader(tt.body))
		if tt.ctype != "" {
			req.Header.Set("Content-Type", tt.ctype)
		}
		var got order
		status, err := Decode(httptest.NewRecorder(), req, &got, 64)
		if status != tt.status || (err == nil) != (tt.status == 0) {
			t.Errorf("Content-Type %q, body %.20q: %d %v, want %d", tt.ctype, tt.body, status, err, tt.status)
		}
		if status == http.StatusUnsupportedMediaType && err.Error() != "Content-Type must be application/json" {
			t.Errorf("415 says %q", err)
		}
	}
}

func TestWrite(t *testing.T) {
	rec := httptest.NewRecorder()
	Error(rec, http.StatusBadRequest, errIs("x <y> & z"))
	if rec.Code != 400 || rec.Header().Get("Content-Type") != "application/json" || rec.Header().Get("Content-Length") != "22" ||
		rec.Body.String() != `{"error":"x <y> & z"}`+"\n" {
		t.Errorf("%d %v %q", rec.Code, rec.Header(), rec.Body)
	}
	rec = httptest.NewRecorder()
	Write(rec, http.StatusOK, map[string]any{"bad": func() {}})
	if rec.Code != 500 || rec.Body.String() != `{"error":"internal error"}`+"\n" {
		t.Errorf("unencodable value: %d %q", rec.Code, rec.Body)
	}
}

type errIs string

func (e errIs) Error() string { return string(e) }

// FuzzUnmarshal checks Unmarshal against encoding/json. Unmarshal is
// stricter, never looser: what encoding/json refuses it refuses; what it
// accepts, encoding/json reads the same, its keys are the fields' names
// exactly, and it survives a round trip through json.Marshal. Every
// refusal says what is wrong in one of three ways.
// The seed corpus is in testdata/fuzz/FuzzUnmarshal.
func FuzzUnmarshal(f *testing.F) {
	f.Add([]byte(`{"email":"a@b","quantity":2,"tags":["x"],"meta":{"k":1},"gift":{"note":"hi"}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var got order
		err := Unmarshal(data, &got)

		var std order
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.DisallowUnknownFields()
		stdErr := dec.Decode(&std)
		if stdErr == nil && dec.More() {
			stdErr = errIs("trailing data")
		}
		if err != nil {
			msg := err.Error()
			if msg != "body must be a JSON object" && msg != "body must hold a single JSON object" &&
				!strings.HasPrefix(msg, "invalid JSON body: ") || strings.HasSuffix(msg, ": ") {
				t.Errorf("Unmarshal(%q): error %q does not say what is wrong", data, msg)
			}
			return
		}
		if stdErr != nil || !json.Valid(data) {
			t.Fatalf("Unmarshal accepted %q, which encoding/json refuses: %v", data, stdErr)
		}
		if !reflect.DeepEqual(got, std) {
			t.Errorf("Unmarshal(%q) = %+v, encoding/json reads %+v", data, got, std)
		}
		var keys map[string]json.RawMessage
		if err := json.Unmarshal(data, &keys); err != nil {
			t.Fatalf("accepted %q, which is not an object: %v", data, err)
		}
		names := fieldsOf(reflect.TypeFor[order]())
		for k := range keys {
			if _, ok := names[k]; !ok {
				t.Errorf("accepted the key %q, which names no field exactly", k)
			}
		}
		b, err := json.Marshal(got)
		if err != nil {
			t.Fatal(err)
		}
		var again order
		if err := Unmarshal(b, &again); err != nil || !reflect.DeepEqual(again, got) {
			t.Errorf("round trip of %+v through %s: %+v, %v", got, b, again, err)
		}
	})
}
