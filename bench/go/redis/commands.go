package main

import (
	"bufio"
	"errors"
	"io"
	"strings"
	"time"
)

// command is a table entry: a positive arity is exact, a negative one a minimum, both
// counting the name (Redis's convention). body writes one reply.
type command struct {
	name  string
	arity int
	body  func(args [][]byte, w *bufio.Writer) error
}

// commands is the command table over a store (the Java twins' Commands).
type commands struct {
	store *store
	table map[string]*command
}

// config is what CONFIG GET answers (redis-benchmark asks for save and appendonly).
var config = map[string]string{"save": "", "appendonly": "no"}

func newCommands(s *store) *commands {
	c := &commands{store: s, table: map[string]*command{}}
	add := func(name string, arity int, body func([][]byte, *bufio.Writer) error) {
		c.table[name] = &command{name, arity, body}
	}
	add("ping", -1, c.ping)
	add("echo", 2, func(a [][]byte, w *bufio.Writer) error { writeBulk(w, a[1]); return nil })
	add("set", -3, c.set)
	add("get", 2, func(a [][]byte, w *bufio.Writer) error { writeBulk(w, s.get(a[1])); return nil })
	add("del", -2, func(a [][]byte, w *bufio.Writer) error { writeInt(w, s.del(a[1:])); return nil })
	add("exists", -2, func(a [][]byte, w *bufio.Writer) error { writeInt(w, s.exists(a[1:])); return nil })
	add("incr", 2, func(a [][]byte, w *bufio.Writer) error {
		v, err := s.incr(a[1])
		if err == nil {
			writeInt(w, v)
		}
		return err
	})
	add("mset", -3, c.mset)
	add("mget", -2, c.mget)
	add("config", -2, c.config)
	add("quit", -1, func(a [][]byte, w *bufio.Writer) error { writeSimple(w, "OK"); return nil })
	return c
}

// serve runs one connection's commands until the client quits, leaves (also inside a
// command: nobody to answer) or sends malformed input (Redis's protocol error, then the
// connection is dropped). The flushingReader under r flushes w before each read.
func (c *commands) serve(r *bufio.Reader, w *bufio.Writer) {
	for {
		args, err := readCommand(r)
		if err != nil {
			var pe protocolError
			if errors.As(err, &pe) {
				writeError(w, "ERR "+pe.Error())
				w.Flush()
			} else if err == io.EOF {
				w.Flush()
			}
			return
		}
		if quit := c.execute(args, w); quit {
			w.Flush()
			return
		}
	}
}

// execute runs one command, writing its reply; true for QUIT.
func (c *commands) execute(args [][]byte, w *bufio.Writer) bool {
	name := string(args[0])
	cmd := c.table[strings.ToLower(name)]
	if cmd == nil {
		writeError(w, unknownCommand(name, args))
		return false
	}
	if cmd.arity > 0 && len(args) != cmd.arity || cmd.arity < 0 && len(args) < -cmd.arity {
		writeError(w, wrongArity(cmd.name))
		return false
	}
	if err := cmd.body(args, w); err != nil {
		writeError(w, err.Error())
	}
	return cmd.name == "quit"
}

func unknownCommand(name string, args [][]byte) string {
	var b strings.Builder
	b.WriteString("ERR unknown command '")
	b.WriteString(name[:min(len(name), 128)])
	b.WriteString("', with args beginning with: ")
	start := b.Len()
	for _, a := range args[1:] {
		if b.Len()-start >= 128 {
			break
		}
		b.WriteByte('\'')
		b.Write(a[:min(len(a), 128-(b.Len()-start))])
		b.WriteString("' ")
	}
	return b.String()
}

func wrongArity(name string) string {
	return "ERR wrong number of arguments for '" + name + "' command"
}

func (c *commands) ping(a [][]byte, w *bufio.Writer) error {
	switch len(a) {
	case 1:
		writeSimple(w, "PONG")
	case 2:
		writeBulk(w, a[1])
	default:
		return commandError(wrongArity("ping"))
	}
	return nil
}

// set is SET key value [NX | XX] [EX seconds | PX milliseconds].
func (c *commands) set(a [][]byte, w *bufio.Writer) error {
	cond := always
	var ttl time.Duration
	for i := 3; i < len(a); i++ {
		opt := strings.ToLower(string(a[i]))
		switch {
		case opt == "nx" && cond == always:
			cond = ifAbsent
		case opt == "xx" && cond == always:
			cond = ifPresent
		case (opt == "ex" || opt == "px") && ttl == 0 && i+1 < len(a):
			i++
			v, ok := parseInt(a[i])
			if !ok {
				return commandError("ERR value is not an integer or out of range")
			}
			unit := time.Millisecond
			if opt == "ex" {
				unit = time.Second
			}
			if v <= 0 || v > (1<<63-1)/int64(unit)/2 {
				return commandError("ERR invalid expire time in 'set' command")
			}
			ttl = time.Duration(v) * unit
		default:
			return commandError("ERR syntax error")
		}
	}
	if c.store.set(a[1], a[2], ttl, cond) {
		writeSimple(w, "OK")
	} else {
		writeBulk(w, nil)
	}
	return nil
}

func (c *commands) mset(a [][]byte, w *bufio.Writer) error {
	if len(a)%2 == 0 {
		return commandError(wrongArity("mset"))
	}
	c.store.mset(a[1:])
	writeSimple(w, "OK")
	return nil
}

func (c *commands) mget(a [][]byte, w *bufio.Writer) error {
	values := c.store.mget(a[1:])
	writeArray(w, len(values))
	for _, v := range values {
		writeBulk(w, v)
	}
	return nil
}

// config is CONFIG GET parameter [parameter ...], over the few parameters known.
func (c *commands) config(a [][]byte, w *bufio.Writer) error {
	if !strings.EqualFold(string(a[1]), "get") {
		return commandError("ERR unknown subcommand '" + string(a[1]) + "'. Try CONFIG HELP.")
	}
	if len(a) < 3 {
		return commandError(wrongArity("config|get"))
	}
	var found []string
	seen := map[string]bool{}
	for _, p := range a[2:] {
		name := strings.ToLower(string(p))
		if v, ok := config[name]; ok && !seen[name] {
			seen[name] = true
			found = append(found, name, v)
		}
	}
	writeArray(w, len(found))
	for _, s := range found {
		writeBulk(w, []byte(s))
	}
	return nil
}
