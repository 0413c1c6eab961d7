// Command redis is the Go twin of gort's redis example
// (gort-examples/src/main/java/dev/gort/examples/redis): the same RESP2 subset (PING,
// ECHO, SET with EX/PX/NX/XX, GET, DEL, EXISTS, INCR, MSET, MGET, CONFIG GET, QUIT,
// inline commands, pipelining) and the same structure: one goroutine per connection,
// a buffered reader that flushes the replies before each read that may block, a map
// behind one sync.Mutex with lazy expiry on the monotonic clock.
//
//	cd bench/go && go build -o /tmp/redis-go ./redis && /tmp/redis-go [HOST:PORT]
//
// Prints "listening HOST:PORT" once it accepts connections (default 127.0.0.1:6380;
// port 0 picks a free one).
package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"os"
	"time"
)

func main() {
	addr := "127.0.0.1:6380"
	if len(os.Args) > 1 {
		addr = os.Args[1]
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "redis:", err)
		os.Exit(1)
	}
	fmt.Println("listening", l.Addr())
	cmds := newCommands(newStore())
	for {
		c, err := l.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			log.Print("redis: accept: ", err)
			time.Sleep(10 * time.Millisecond)
			continue
		}
		go handle(c, cmds)
	}
}

// handle serves one connection; its errors (a reset, a client gone) end only this session.
func handle(c net.Conn, cmds *commands) {
	defer c.Close()
	w := bufio.NewWriterSize(c, 16*1024)
	r := bufio.NewReaderSize(flushingReader{c, w}, 16*1024)
	cmds.serve(r, w)
}

// flushingReader flushes the pending replies before each read of the connection: the
// bufio.Reader reads it only when it holds no complete command, so replies go out with
// one write per batch of pipelined commands (the Java twins' RespReader.fill).
type flushingReader struct {
	c net.Conn
	w *bufio.Writer
}

func (f flushingReader) Read(p []byte) (int, error) {
	if f.w.Buffered() > 0 {
		if err := f.w.Flush(); err != nil {
			return 0, err
		}
	}
	return f.c.Read(p)
}

var _ io.Reader = flushingReader{}
