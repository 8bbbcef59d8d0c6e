package dependencies

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/bgtasks/tutorial/bgtasks"
)

// FuzzPlaceOrder posts any body as an order. A refusal is a 4xx with an
// error and takes no stock; an accepted order is what encoding/json reads
// from the body, takes exactly its quantity from stock, and its tasks
// write exactly the lines the lesson promises: no input forges a line of
// log.txt or audit.log.
// The seed corpus is in testdata/fuzz/FuzzPlaceOrder.
func FuzzPlaceOrder(f *testing.F) {
	f.Add(`{"email":"ada@example.com","item":"book","quantity":2}`)
	f.Fuzz(func(t *testing.T, body string) {
		dir := t.TempDir()
		stock := map[string]int{"book": 3, "mug": 20}
		shop := NewShop(stock)
		runner := bgtasks.New(bgtasks.Synchronous(), bgtasks.WithLogger(slog.New(slog.DiscardHandler)))
		app := runner.Middleware(NewApp(dir, shop, instant))
		req := httptest.NewRequest("POST", "/orders", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		app.ServeHTTP(rec, req) // Synchronous: the tasks have run when it returns

		var reply map[string]any
		if err := json.Unmarshal(rec.Body.Bytes(), &reply); err != nil {
			t.Fatalf("%d %q: the reply is not a JSON object: %v", rec.Code, rec.Body, err)
		}
		if audit := read(t, dir, "audit.log"); audit != "req-1 POST /orders\n" {
			t.Errorf("audit.log = %q, want the one request's line", audit)
		}
		log := read(t, dir, "log.txt")
		if rec.Code != http.StatusCreated {
			if msg, _ := reply["error"].(string); rec.Code < 400 || rec.Code > 499 || msg == "" {
				t.Errorf("refused with %d %v: want a 4xx and an error", rec.Code, reply)
			}
			if fmt.Sprint(shop.stock) != fmt.Sprint(stock) || log != "" {
				t.Errorf("a refused order left stock %v and log.txt %q", shop.stock, log)
			}
			return
		}
		var in OrderInput
		if err := json.Unmarshal([]byte(body), &in); err != nil {
			t.Fatalf("accepted a body encoding/json cannot read: %q", body)
		}
		checkKeys(t, topKeys(t, body), "email", "item", "quantity")
		want := Order{ID: 1, Email: in.Email, Item: in.Item, Quantity: in.Quantity}
		var got Order
		b, _ := json.Marshal(reply)
		if err := json.Unmarshal(b, &got); err != nil || got != want {
			t.Errorf("order %v from %q, want %+v", reply, body, want)
		}
		left := stock[in.Item] - in.Quantity
		if shop.stock[in.Item] != left || left < 0 {
			t.Errorf("stock of %s is %d after ordering %d of %d", in.Item, shop.stock[in.Item], in.Quantity, stock[in.Item])
		}
		wantLog := fmt.Sprintf("confirmation to %s: order 1, %d x %s\n", in.Email, in.Quantity, in.Item)
		if left <= LowStock {
			wantLog += fmt.Sprintf("reorder %s: %d left\n", in.Item, left)
		}
		if log != wantLog {
			t.Errorf("log.txt = %q, want %q", log, wantLog)
		}
	})
}

func read(t *testing.T, dir, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	return string(b)
}

// topKeys returns the keys of the JSON object in body, in order, repeats
// included.
func topKeys(t *testing.T, body string) []string {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(body))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		t.Fatalf("accepted %q, which is not a JSON object", body)
	}
	var keys []string
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, tok.(string))
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			t.Fatal(err)
		}
	}
	return keys
}

// checkKeys fails the test unless keys are among want, each at most once.
func checkKeys(t *testing.T, keys []string, want ...string) {
	t.Helper()
	seen := map[string]bool{}
	for _, k := range keys {
		if seen[k] || !slices.Contains(want, k) {
			t.Errorf("accepted the keys %q: want only %q, spelt so, each once", keys, want)
			return
		}
		seen[k] = true
	}
}
