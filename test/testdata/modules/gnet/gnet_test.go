package gnet_test

import (
	"context"
	"io"
	"net"
	"testing"
	"time"

	"github.com/panjf2000/gnet/v2"
)

type echo struct {
	gnet.BuiltinEventEngine
	booted chan gnet.Engine
}

func (e *echo) OnBoot(eng gnet.Engine) gnet.Action {
	e.booted <- eng
	return gnet.None
}

func (e *echo) OnTraffic(c gnet.Conn) gnet.Action {
	buf, err := c.Next(-1)
	if err != nil {
		return gnet.Close
	}
	c.Write(buf)
	return gnet.None
}

// freePort finds a free loopback port (gnet does not report the port it
// bound when asked for port 0).
func freePort(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// TestEcho runs a gnet echo server on loopback and talks to it with net.
func TestEcho(t *testing.T) {
	addr := freePort(t)
	e := &echo{booted: make(chan gnet.Engine, 1)}
	ran := make(chan error, 1)
	go func() { ran <- gnet.Run(e, "tcp://"+addr, gnet.WithMulticore(false), gnet.WithNumEventLoop(1)) }()

	var eng gnet.Engine
	select {
	case eng = <-e.booted:
	case err := <-ran:
		t.Fatalf("gnet.Run: %v", err)
	case <-time.After(10 * time.Second):
		t.Fatalf("gnet did not boot in 10s")
	}
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := eng.Stop(ctx); err != nil {
			t.Errorf("Stop: %v", err)
		}
		select {
		case err := <-ran:
			if err != nil {
				t.Errorf("gnet.Run: %v", err)
			}
		case <-time.After(5 * time.Second):
			t.Errorf("gnet.Run did not return after Stop")
		}
	}()

	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	for _, msg := range []string{"hello", "xen unikernel", string(make([]byte, 64<<10))} {
		wrote := make(chan error, 1)
		go func() { _, err := io.WriteString(c, msg); wrote <- err }()
		got := make([]byte, len(msg))
		if _, err := io.ReadFull(c, got); err != nil {
			t.Fatalf("read echo of %d bytes: %v", len(msg), err)
		}
		if err := <-wrote; err != nil {
			t.Fatalf("write: %v", err)
		}
		if string(got) != msg {
			t.Fatalf("echo differs (%d bytes)", len(msg))
		}
	}
}
