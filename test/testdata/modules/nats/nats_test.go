package nats_test

import (
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
)

// TestPubSub runs an embedded server on loopback and publishes to a
// subscriber through the nats.go client.
func TestPubSub(t *testing.T) {
	s, err := server.NewServer(&server.Options{
		Host:   "127.0.0.1",
		Port:   server.RANDOM_PORT,
		NoLog:  true,
		NoSigs: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	go s.Start()
	defer func() {
		s.Shutdown()
		done := make(chan struct{})
		go func() { s.WaitForShutdown(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			t.Errorf("server did not shut down in 5s")
		}
	}()
	if !s.ReadyForConnections(10 * time.Second) {
		t.Fatalf("server not ready in 10s")
	}

	nc, err := nats.Connect(s.ClientURL(), nats.Timeout(5*time.Second), nats.MaxReconnects(0))
	if err != nil {
		t.Fatalf("Connect(%s): %v", s.ClientURL(), err)
	}
	defer nc.Close()

	sub, err := nc.SubscribeSync("greet.*")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := nc.Subscribe("help", func(m *nats.Msg) { m.Respond([]byte("ok " + string(m.Data))) }); err != nil {
		t.Fatal(err)
	}
	if err := nc.Publish("greet.xen", []byte("hello")); err != nil {
		t.Fatal(err)
	}
	if err := nc.FlushTimeout(5 * time.Second); err != nil {
		t.Fatal(err)
	}
	m, err := sub.NextMsg(5 * time.Second)
	if err != nil {
		t.Fatalf("NextMsg: %v", err)
	}
	if m.Subject != "greet.xen" || string(m.Data) != "hello" {
		t.Fatalf("got %s %q", m.Subject, m.Data)
	}

	r, err := nc.Request("help", []byte("me"), 5*time.Second)
	if err != nil || string(r.Data) != "ok me" {
		t.Fatalf("Request = %v, %v", r, err)
	}
	if n := s.NumClients(); n != 1 {
		t.Fatalf("NumClients = %d", n)
	}
}
