package failures

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
)

// FuzzPathID reads any {id} of a path. A refusal is a 400 whose JSON error
// quotes the id as sent; an accepted id is a positive number that is the
// id as sent, less any leading zeros.
// The seed corpus is in testdata/fuzz/FuzzPathID.
func FuzzPathID(f *testing.F) {
	f.Add("42")
	f.Fuzz(func(t *testing.T, raw string) {
		req := httptest.NewRequest("POST", "/orders/x", nil)
		req.SetPathValue("id", raw)
		rec := httptest.NewRecorder()
		id, ok := pathID(rec, req)
		if !ok {
			var reply map[string]string
			if err := json.Unmarshal(rec.Body.Bytes(), &reply); err != nil || rec.Code != http.StatusBadRequest {
				t.Fatalf("refused %q with %d %q: want 400 and a JSON error", raw, rec.Code, rec.Body)
			}
			if want := fmt.Sprintf("id %q is not a positive number", raw); reply["error"] != want {
				t.Errorf("error %q, want %q", reply["error"], want)
			}
			return
		}
		if rec.Body.Len() > 0 || rec.Code != http.StatusOK {
			t.Errorf("accepted %q and answered %d %q", raw, rec.Code, rec.Body)
		}
		if id == 0 || strconv.FormatUint(id, 10) != strings.TrimLeft(raw, "0") {
			t.Errorf("pathID(%q) = %d", raw, id)
		}
	})
}
