package apperr

import (
	"fmt"
	"regexp"
	"sort"
	"sync"
)

// Kind is what went wrong, in the few words the edge needs to answer: the
// HTTP status follows from it (route's table), never from the code.
type Kind uint8

// The kinds. The zero Kind is no kind: Define refuses it.
const (
	KindInvalid         Kind = iota + 1 // the input is wrong: 422
	KindUnauthenticated                 // who is asking is not known: 401
	KindForbidden                       // known, but not allowed (yet): 403
	KindNotFound                        // no such thing, or not to be told apart from it: 404
	KindConflict                        // the state does not allow it now: 409
	KindLimited                         // too many, too often: 429
	KindTooLarge                        // the body or file is over its limit: 413
	KindUnsupported                     // the body's media type is not accepted: 415
	KindUnavailable                     // the service cannot answer now, try again shortly: 503
	KindInternal                        // a fault of Kofu's, never the caller's: 500
	kindEnd
)

var kindNames = [...]string{"", "invalid", "unauthenticated", "forbidden", "not_found", "conflict",
	"limited", "too_large", "unsupported", "unavailable", "internal"}

func (k Kind) String() string {
	if k >= kindEnd {
		return fmt.Sprintf("Kind(%d)", uint8(k))
	}
	return kindNames[k]
}

// Kinds lists every kind.
func Kinds() []Kind {
	out := make([]Kind, 0, kindEnd-1)
	for k := KindInvalid; k < kindEnd; k++ {
		out = append(out, k)
	}
	return out
}

// Code is a stable error code: its name is what the API answers, its kind
// what status it answers with. Codes are made only by Define, so a code
// without a kind cannot be written. Codes compare with ==.
type Code struct {
	name string
	kind Kind
}

// String returns the code's name, e.g. "slot_full".
func (c Code) String() string { return c.name }

// Kind returns the code's kind.
func (c Code) Kind() Kind { return c.kind }

// MarshalText writes the code's name, so codes read the same in JSON and logs.
func (c Code) MarshalText() ([]byte, error) { return []byte(c.name), nil }

var (
	codesMu  sync.Mutex
	codes    = map[string]Code{}
	codeName = regexp.MustCompile(`^[a-z][a-z0-9]*(_[a-z0-9]+)*$`)
)

// Define declares a code once, in the package that reports it:
//
//	var CodeSlotFull = apperr.Define("slot_full", apperr.KindConflict)
//
// It panics, at start-up, on a name that is malformed or taken, or on no kind.
func Define(name string, kind Kind) Code {
	if !codeName.MatchString(name) {
		panic("apperr: malformed code " + name)
	}
	if kind == 0 || kind >= kindEnd {
		panic("apperr: code " + name + " has no kind")
	}
	codesMu.Lock()
	defer codesMu.Unlock()
	if _, ok := codes[name]; ok {
		panic("apperr: code " + name + " defined twice")
	}
	c := Code{name: name, kind: kind}
	codes[name] = c
	return c
}

// Codes lists every code defined in the program, by name.
func Codes() []Code {
	codesMu.Lock()
	defer codesMu.Unlock()
	out := make([]Code, 0, len(codes))
	for _, c := range codes {
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}

// Lookup returns the code with the name, if one is defined.
func Lookup(name string) (Code, bool) {
	codesMu.Lock()
	defer codesMu.Unlock()
	c, ok := codes[name]
	return c, ok
}
