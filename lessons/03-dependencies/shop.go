package dependencies

import (
	"errors"
	"fmt"
	"net/mail"
	"sync"
)

// The shop's use case lives in this file. It imports nothing from net/http
// or bgtasks: a test, a command-line tool or a queue consumer can place an
// order as well as a handler can.

// Errors PlaceOrder returns, besides an *InvalidOrderError.
var (
	ErrUnknownItem = errors.New("no such item")
	ErrOutOfStock  = errors.New("not enough stock")
)

// LowStock is the stock level at or below which an order raises StockLow.
const LowStock = 1

// An OrderInput is what a customer asks for.
type OrderInput struct {
	Email    string `json:"email"`
	Item     string `json:"item"`
	Quantity int    `json:"quantity"`
}

// An Order is an accepted OrderInput.
type Order struct {
	ID       int    `json:"id"`
	Email    string `json:"email"`
	Item     string `json:"item"`
	Quantity int    `json:"quantity"`
}

// An Event is something that happened in the shop, for others to act on.
// The use case only reports it; the caller decides when and how to act.
type Event interface{ event() }

// OrderPlaced reports an accepted order: the customer should hear of it.
type OrderPlaced struct{ Order Order }

// StockLow reports an item running out: it should be reordered.
type StockLow struct {
	Item string
	Left int
}

func (OrderPlaced) event() {}
func (StockLow) event()    {}

// An InvalidOrderError says what is wrong with an OrderInput.
type InvalidOrderError struct{ Reason string }

// Error says what the order got wrong.
func (e *InvalidOrderError) Error() string { return "invalid order: " + e.Reason }

// A Shop holds stock and takes orders. It is safe for concurrent use.
type Shop struct {
	mu     sync.Mutex
	stock  map[string]int
	lastID int
}

// NewShop returns a shop with the given stock, by item name.
func NewShop(stock map[string]int) *Shop {
	s := &Shop{stock: map[string]int{}}
	for item, n := range stock {
		s.stock[item] = n
	}
	return s
}

// PlaceOrder takes an order out of stock and returns it with the events it
// raised: always OrderPlaced, and StockLow when the item is nearly gone.
func (s *Shop) PlaceOrder(in OrderInput) (Order, []Event, error) {
	if a, err := mail.ParseAddress(in.Email); err != nil || a.Address != in.Email || len(in.Email) > 254 {
		return Order{}, nil, &InvalidOrderError{fmt.Sprintf("invalid email address %q", in.Email)}
	}
	if in.Quantity < 1 || in.Quantity > 10 {
		return Order{}, nil, &InvalidOrderError{"quantity must be 1 to 10"}
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	left, ok := s.stock[in.Item]
	switch {
	case !ok:
		return Order{}, nil, fmt.Errorf("%w: %q", ErrUnknownItem, in.Item)
	case left < in.Quantity:
		return Order{}, nil, fmt.Errorf("%w: %d %s left", ErrOutOfStock, left, in.Item)
	}
	left -= in.Quantity
	s.stock[in.Item] = left
	s.lastID++
	order := Order{ID: s.lastID, Email: in.Email, Item: in.Item, Quantity: in.Quantity}

	events := []Event{OrderPlaced{order}}
	if left <= LowStock {
		events = append(events, StockLow{Item: in.Item, Left: left})
	}
	return order, events, nil
}
