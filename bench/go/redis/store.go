package main

import (
	"strconv"
	"sync"
	"time"
)

// store is the keyspace: a map behind one sync.Mutex, each command taking it once (the
// Java twins' Store). Expiry is lazy: a key past its deadline is removed when a command
// touches it. Deadlines are time.Time values, compared on their monotonic reading.
type store struct {
	mu sync.Mutex
	m  map[string]entry
}

type entry struct {
	value       []byte
	hasDeadline bool
	deadline    time.Time
}

// commandError is an error reply, with Redis's text.
type commandError string

func (e commandError) Error() string { return string(e) }

func newStore() *store { return &store{m: make(map[string]entry)} }

// live returns key's entry, removing it if it has expired. Called with mu held.
func (s *store) live(key string, now time.Time) (entry, bool) {
	e, ok := s.m[key]
	if ok && e.hasDeadline && !now.Before(e.deadline) {
		delete(s.m, key)
		return entry{}, false
	}
	return e, ok
}

func (s *store) get(key []byte) []byte {
	now := time.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	e, _ := s.live(string(key), now)
	return e.value
}

// condition is SET's NX / XX.
type condition int

const (
	always condition = iota
	ifAbsent
	ifPresent
)

// set stores value with a time to live (ttl > 0) or none, if cond holds.
func (s *store) set(key, value []byte, ttl time.Duration, cond condition) bool {
	now := time.Now()
	next := entry{value: value, hasDeadline: ttl > 0, deadline: now.Add(ttl)}
	k := string(key)
	s.mu.Lock()
	defer s.mu.Unlock()
	if cond != always {
		_, present := s.live(k, now)
		if present != (cond == ifPresent) {
			return false
		}
	}
	s.m[k] = next
	return true
}

func (s *store) mset(pairs [][]byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := 0; i+1 < len(pairs); i += 2 {
		s.m[string(pairs[i])] = entry{value: pairs[i+1]}
	}
}

func (s *store) mget(keys [][]byte) [][]byte {
	now := time.Now()
	values := make([][]byte, len(keys))
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, k := range keys {
		e, _ := s.live(string(k), now)
		values[i] = e.value
	}
	return values
}

func (s *store) del(keys [][]byte) int64 {
	now := time.Now()
	n := int64(0)
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, k := range keys {
		if _, ok := s.live(string(k), now); ok {
			delete(s.m, string(k))
			n++
		}
	}
	return n
}

func (s *store) exists(keys [][]byte) int64 {
	now := time.Now()
	n := int64(0)
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, k := range keys {
		if _, ok := s.live(string(k), now); ok {
			n++
		}
	}
	return n
}

// incr adds one to key's integer value (missing: 0), keeping its deadline.
func (s *store) incr(key []byte) (int64, error) {
	now := time.Now()
	k := string(key)
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.live(k, now)
	v := int64(0)
	if ok {
		var valid bool
		if v, valid = parseInt(e.value); !valid {
			return 0, commandError("ERR value is not an integer or out of range")
		}
	}
	if v == 1<<63-1 {
		return 0, commandError("ERR increment or decrement would overflow")
	}
	v++
	e.value = strconv.AppendInt(nil, v, 10)
	s.m[k] = e
	return v, nil
}
