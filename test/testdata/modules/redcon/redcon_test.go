package redcon_test

import (
	"bufio"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/tidwall/redcon"
)

// TestPing serves PING (and SET/GET) on loopback and talks RESP over a
// plain TCP connection.
func TestPing(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	store := map[string][]byte{}
	handler := func(conn redcon.Conn, cmd redcon.Command) {
		switch strings.ToLower(string(cmd.Args[0])) {
		case "ping":
			conn.WriteString("PONG")
		case "set":
			store[string(cmd.Args[1])] = append([]byte(nil), cmd.Args[2]...)
			conn.WriteString("OK")
		case "get":
			if v, ok := store[string(cmd.Args[1])]; ok {
				conn.WriteBulk(v)
			} else {
				conn.WriteNull()
			}
		default:
			conn.WriteError("ERR unknown command '" + string(cmd.Args[0]) + "'")
		}
	}
	served := make(chan error, 1)
	go func() { served <- redcon.Serve(ln, handler, nil, nil) }()
	defer func() {
		ln.Close()
		select {
		case <-served:
		case <-time.After(5 * time.Second):
			t.Errorf("Serve did not return after the listener closed")
		}
	}()

	c, err := net.DialTimeout("tcp", ln.Addr().String(), 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	r := bufio.NewReader(c)
	for _, x := range []struct{ req, resp string }{
		{"*1\r\n$4\r\nPING\r\n", "+PONG\r\n"},
		{"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$3\r\nxen\r\n", "+OK\r\n"},
		{"*2\r\n$3\r\nGET\r\n$1\r\nk\r\n", "$3\r\nxen\r\n"},
		{"*2\r\n$3\r\nGET\r\n$1\r\nz\r\n", "$-1\r\n"},
		{"PING\r\n", "+PONG\r\n"}, // inline command
	} {
		if _, err := io.WriteString(c, x.req); err != nil {
			t.Fatalf("write %q: %v", x.req, err)
		}
		got := make([]byte, len(x.resp))
		if _, err := io.ReadFull(r, got); err != nil {
			t.Fatalf("reply to %q: %v (got %q)", x.req, err, got)
		}
		if string(got) != x.resp {
			t.Fatalf("reply to %q = %q, want %q", x.req, got, x.resp)
		}
	}
}
