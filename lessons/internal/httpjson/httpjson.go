// Package httpjson reads and writes the JSON bodies of the lessons' apps.
//
// It reads strictly, as an app that queues work should: only a body sent
// as application/json (a cross-site form cannot send one without the
// browser asking first: a CORS preflight), only one JSON object, and only
// the fields of the struct it fills, spelt exactly as its tags spell them.
// encoding/json alone would take "Quantity" for a field tagged "quantity",
// and the last of two "quantity" keys.
package httpjson

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"reflect"
	"strconv"
	"strings"
)

// Decode reads r's body into v, a pointer to a struct, and returns the
// status to answer a refusal with: 415 for a Content-Type other than
// application/json, 413 for a body over limit bytes, 400 for a body that is
// not one JSON object of v's fields (see Unmarshal). The error says what is
// wrong, for the client.
func Decode(w http.ResponseWriter, r *http.Request, v any, limit int64) (status int, err error) {
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		return http.StatusUnsupportedMediaType, errors.New("Content-Type must be application/json")
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	if tooLarge := new(http.MaxBytesError); errors.As(err, &tooLarge) {
		return http.StatusRequestEntityTooLarge, fmt.Errorf("body is larger than %d bytes", tooLarge.Limit)
	}
	if err != nil {
		return http.StatusBadRequest, fmt.Errorf("body could not be read: %v", err)
	}
	if err := Unmarshal(body, v); err != nil {
		return http.StatusBadRequest, err
	}
	return 0, nil
}

// Unmarshal decodes data into v, a pointer to a struct. data must hold one
// JSON object and nothing after it; each of its keys must name one of v's
// fields exactly, case included, and appear once; and the same holds of
// objects inside it that fill structs. The error's message is for a client:
// "body must be a JSON object", "body must hold a single JSON object", or
// "invalid JSON body: ..." saying what is wrong.
func Unmarshal(data []byte, v any) error {
	t := reflect.TypeOf(v)
	if t == nil || t.Kind() != reflect.Pointer || t.Elem().Kind() != reflect.Struct {
		panic(fmt.Sprintf("httpjson: Unmarshal needs a pointer to a struct, not %T", v))
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return errors.New("body must be a JSON object")
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := checkKeys(dec, t.Elem(), ""); err != nil {
		return invalid(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("body must hold a single JSON object")
	}
	dec = json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return invalid(err)
	}
	return nil
}

func invalid(err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return errors.New("invalid JSON body: unexpected end of JSON input")
	}
	return fmt.Errorf("invalid JSON body: %s", strings.TrimPrefix(err.Error(), "json: "))
}

// checkKeys reads one JSON value from dec, which fills a value of type t,
// and checks the keys of every object in it that fills a struct. A value
// that does not fit t is left for encoding/json to describe; t is nil
// where anything goes.
func checkKeys(dec *json.Decoder, t reflect.Type, path string) error {
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	delim, ok := tok.(json.Delim)
	if path == "" && t != nil && t.Kind() == reflect.Struct && delim != '{' {
		return fmt.Errorf("the body must be a JSON object, not %s", describe(tok))
	}
	if !ok {
		return nil // a string, number, true, false or null
	}
	switch delim {
	case '{':
		var fields map[string]reflect.Type
		var elem reflect.Type
		switch {
		case t == nil:
		case t.Kind() == reflect.Struct:
			fields = fieldsOf(t)
		case t.Kind() == reflect.Map:
			elem = t.Elem()
		}
		seen := map[string]bool{}
		for dec.More() {
			tok, err := dec.Token()
			if err != nil {
				return err
			}
			key := tok.(string) // the decoder allows only strings as keys
			if seen[key] {
				return fmt.Errorf("field %q given twice", path+key)
			}
			seen[key] = true
			ft := elem
			if fields != nil {
				f, ok := fields[key]
				if !ok {
					return unknown(path+key, fields, key)
				}
				ft = f
			}
			if err := checkKeys(dec, ft, path+key+"."); err != nil {
				return err
			}
		}
	case '[':
		var elem reflect.Type
		if t != nil && (t.Kind() == reflect.Slice || t.Kind() == reflect.Array) {
			elem = t.Elem()
		}
		for dec.More() {
			if err := checkKeys(dec, elem, path); err != nil {
				return err
			}
		}
	}
	_, err = dec.Token() // the closing delimiter
	return err
}

// unknown says that the key named at path fills no field, and which field
// it may have meant.
func unknown(path string, fields map[string]reflect.Type, key string) error {
	for name := range fields {
		if strings.EqualFold(name, key) {
			return fmt.Errorf("unknown field %q (did you mean %q? field names are case-sensitive)", path, name)
		}
	}
	return fmt.Errorf("unknown field %q", path)
}

// describe names the kind of JSON value tok begins.
func describe(tok json.Token) string {
	switch tok := tok.(type) {
	case json.Delim:
		return "an array"
	case string:
		return "a string"
	case float64, json.Number:
		return "a number"
	case bool:
		return strconv.FormatBool(tok)
	}
	return "null"
}

// fieldsOf returns the JSON names of struct type t's fields, as
// encoding/json names them, with their types. Fields of an embedded struct
// without a name of its own are t's.
func fieldsOf(t reflect.Type) map[string]reflect.Type {
	fields := map[string]reflect.Type{}
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" && !strings.Contains(f.Tag.Get("json"), ",") {
			continue
		}
		ft := f.Type
		for ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		if f.Anonymous && name == "" && ft.Kind() == reflect.Struct {
			for n, typ := range fieldsOf(ft) {
				if _, ok := fields[n]; !ok {
					fields[n] = typ
				}
			}
			continue
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		fields[name] = f.Type
	}
	return fields
}

// Write sends v as JSON with status and its Content-Length, so that the
// client knows it has the whole response when the last byte arrives, even
// if a handler further out flushes before it returns.
func Write(w http.ResponseWriter, status int, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // an API's errors read better with <, > and & as they are
	if err := enc.Encode(v); err != nil {
		status = http.StatusInternalServerError
		buf.Reset()
		buf.WriteString(`{"error":"internal error"}` + "\n")
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes()) // a client that has gone cannot be told
}

// Error answers {"error": "..."} with status.
func Error(w http.ResponseWriter, status int, err error) {
	Write(w, status, map[string]string{"error": err.Error()})
}
