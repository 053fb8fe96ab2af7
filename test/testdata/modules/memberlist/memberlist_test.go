package memberlist_test

import (
	"io"
	"log"
	"testing"
	"time"

	"github.com/hashicorp/memberlist"
)

// TestOneNode creates a one-node list on loopback.
func TestOneNode(t *testing.T) {
	c := memberlist.DefaultLocalConfig()
	c.Name = "node1"
	c.BindAddr = "127.0.0.1"
	c.BindPort = 0 // a free port
	c.AdvertiseAddr = ""
	c.Logger = log.New(io.Discard, "", 0)

	type result struct {
		m   *memberlist.Memberlist
		err error
	}
	ch := make(chan result, 1)
	go func() {
		m, err := memberlist.Create(c)
		ch <- result{m, err}
	}()
	var m *memberlist.Memberlist
	select {
	case r := <-ch:
		if r.err != nil {
			t.Fatalf("Create: %v", r.err)
		}
		m = r.m
	case <-time.After(10 * time.Second):
		t.Fatalf("Create did not return in 10s")
	}
	defer m.Shutdown()

	members := m.Members()
	if len(members) != 1 {
		t.Fatalf("Members() = %v, want one", members)
	}
	n := m.LocalNode()
	if n.Name != "node1" || n.Addr.String() != "127.0.0.1" || n.Port == 0 {
		t.Fatalf("LocalNode = %s %s:%d", n.Name, n.Addr, n.Port)
	}
	if m.NumMembers() != 1 || m.GetHealthScore() != 0 {
		t.Fatalf("NumMembers = %d, health %d", m.NumMembers(), m.GetHealthScore())
	}
	// Joining ourselves goes over loopback TCP (push/pull) and succeeds.
	done := make(chan error, 1)
	go func() {
		_, err := m.Join([]string{n.Address()})
		done <- err
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Join(self %s): %v", n.Address(), err)
		}
	case <-time.After(10 * time.Second):
		t.Fatalf("Join did not return in 10s")
	}
	if len(m.Members()) != 1 {
		t.Fatalf("after Join, Members() = %v", m.Members())
	}
	if err := m.Leave(time.Second); err != nil {
		t.Fatalf("Leave: %v", err)
	}
}
