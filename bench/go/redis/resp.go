package main

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"slices"
	"strconv"
	"strings"
)

// Limits and error texts of Redis (networking.c), as in the Java twins' RespReader.
const (
	inlineMax    = 64 * 1024
	multibulkMax = 1024 * 1024
	bulkMax      = 512 * 1024 * 1024
)

// protocolError is input Redis rejects; the server replies "-ERR " + its text and drops the connection.
type protocolError string

func (e protocolError) Error() string { return "Protocol error: " + string(e) }

// readCommand returns the next command's arguments, or io.EOF at the end of the stream
// between commands (io.ErrUnexpectedEOF inside one).
func readCommand(r *bufio.Reader) ([][]byte, error) {
	for {
		b, err := r.Peek(1)
		if err != nil {
			return nil, err
		}
		var args [][]byte
		if b[0] == '*' {
			args, err = readMultibulk(r)
		} else {
			args, err = readInline(r)
		}
		if err != nil || len(args) > 0 {
			return args, err
		}
		// "*0", "*-1" and empty inline lines are skipped, as Redis does.
	}
}

func readMultibulk(r *bufio.Reader) ([][]byte, error) {
	line, err := readLine(r, "too big mbulk count string")
	if err != nil {
		return nil, err
	}
	n, ok := parseInt(line[1:])
	if !ok || n > multibulkMax {
		return nil, protocolError("invalid multibulk length")
	}
	args := make([][]byte, 0, max(n, 0))
	for i := int64(0); i < n; i++ {
		b, err := r.Peek(1)
		if err != nil {
			return nil, unexpected(err)
		}
		if b[0] != '$' {
			return nil, protocolError("expected '$', got '" + string(rune(b[0])) + "'")
		}
		line, err := readLine(r, "too big bulk count string")
		if err != nil {
			return nil, err
		}
		size, ok := parseInt(line[1:])
		if !ok || size < 0 || size > bulkMax {
			return nil, protocolError("invalid bulk length")
		}
		v, err := readBulk(r, int(size))
		if err != nil {
			return nil, err
		}
		args = append(args, v)
	}
	return args, nil
}

// readBulk reads size bytes and the two after them (the CRLF, not checked: Redis skips
// two bytes too), growing as the data arrives rather than trusting the declared size.
func readBulk(r *bufio.Reader, size int) ([]byte, error) {
	v := make([]byte, 0, min(size, 1<<20))
	for len(v) < size {
		if len(v) == cap(v) {
			v = slices.Grow(v, min(cap(v), size-len(v)))
		}
		n, err := io.ReadFull(r, v[len(v):min(cap(v), size)])
		v = v[:len(v)+n]
		if err != nil {
			return nil, unexpected(err)
		}
	}
	if _, err := r.Discard(2); err != nil {
		return nil, unexpected(err)
	}
	return v, nil
}

// readInline reads Redis's inline protocol: arguments split on spaces (without quoting).
func readInline(r *bufio.Reader) ([][]byte, error) {
	line, err := readLine(r, "too big inline request")
	if err != nil {
		return nil, err
	}
	var args [][]byte
	for _, f := range bytes.Fields(line) {
		args = append(args, bytes.Clone(f))
	}
	return args, nil
}

// readLine returns the line without its "\n" (and "\r"), valid until the next read; a
// line longer than inlineMax is the protocol error tooBig.
func readLine(r *bufio.Reader, tooBig string) ([]byte, error) {
	var long []byte
	for {
		chunk, err := r.ReadSlice('\n')
		if err == nil {
			if long != nil {
				chunk = append(long, chunk...)
			}
			return bytes.TrimSuffix(chunk[:len(chunk)-1], []byte{'\r'}), nil
		}
		if !errors.Is(err, bufio.ErrBufferFull) {
			return nil, unexpected(err)
		}
		long = append(long, chunk...)
		if len(long) >= inlineMax {
			return nil, protocolError(tooBig)
		}
	}
}

func unexpected(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

// parseInt is Redis's string2ll: an optional '-', digits without a leading zero (but
// "0"), no '+', no spaces, within an int64 (math.MinInt64 excluded, as in Java).
func parseInt(b []byte) (int64, bool) {
	if len(b) == 0 || len(b) > 20 || b[0] == '+' || (len(b) > 1 && b[0] == '0') ||
		(len(b) > 1 && b[0] == '-' && b[1] == '0') {
		return 0, false
	}
	v, err := strconv.ParseInt(string(b), 10, 64)
	if err != nil || v == -1<<63 {
		return 0, false
	}
	return v, true
}

// Replies (RESP2), written into the connection's bufio.Writer.

func writeSimple(w *bufio.Writer, s string) {
	w.WriteByte('+')
	w.WriteString(s)
	w.WriteString("\r\n")
}

// noNewlines keeps an error line one line (a command name may hold CR or LF).
var noNewlines = strings.NewReplacer("\r", " ", "\n", " ")

func writeError(w *bufio.Writer, msg string) {
	w.WriteByte('-')
	noNewlines.WriteString(w, msg)
	w.WriteString("\r\n")
}

func writeInt(w *bufio.Writer, v int64) {
	w.WriteByte(':')
	w.Write(strconv.AppendInt(w.AvailableBuffer(), v, 10))
	w.WriteString("\r\n")
}

func writeBulk(w *bufio.Writer, b []byte) {
	if b == nil {
		w.WriteString("$-1\r\n")
		return
	}
	w.WriteByte('$')
	w.Write(strconv.AppendInt(w.AvailableBuffer(), int64(len(b)), 10))
	w.WriteString("\r\n")
	w.Write(b)
	w.WriteString("\r\n")
}

func writeArray(w *bufio.Writer, n int) {
	w.WriteByte('*')
	w.Write(strconv.AppendInt(w.AvailableBuffer(), int64(n), 10))
	w.WriteString("\r\n")
}
