package durable

import (
	"net/http"

	"github.com/bgtasks/tutorial/lessons/internal/httpjson"
)

// maxBody caps a request's JSON: an order is a few dozen bytes.
const maxBody = 4 << 10

// decodeJSON reads one JSON object into v, as strictly as every lesson's
// app does (see httpjson.Decode), and returns the status to answer with.
func decodeJSON(w http.ResponseWriter, r *http.Request, v any) (int, error) {
	return httpjson.Decode(w, r, v, maxBody)
}

// writeJSON sends v as JSON with status.
func writeJSON(w http.ResponseWriter, status int, v any) { httpjson.Write(w, status, v) }

// writeError answers {"error": "..."}.
func writeError(w http.ResponseWriter, status int, err error) { httpjson.Error(w, status, err) }
