package dns_test

import (
	"context"
	"net"
	"testing"
	"time"

	"github.com/miekg/dns"
)

// TestExchangeUDP serves a zone on a loopback UDP socket and queries it
// with dns.Client.
func TestExchangeUDP(t *testing.T) {
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	mux := dns.NewServeMux()
	mux.HandleFunc("example.org.", func(w dns.ResponseWriter, r *dns.Msg) {
		m := new(dns.Msg)
		m.SetReply(r)
		if r.Question[0].Qtype == dns.TypeA {
			rr, _ := dns.NewRR("example.org. 300 IN A 127.0.0.53")
			m.Answer = append(m.Answer, rr)
		} else {
			m.Rcode = dns.RcodeNameError
		}
		w.WriteMsg(m)
	})
	started := make(chan struct{})
	srv := &dns.Server{PacketConn: pc, Handler: mux, NotifyStartedFunc: func() { close(started) }}
	served := make(chan error, 1)
	go func() { served <- srv.ActivateAndServe() }()
	select {
	case <-started:
	case err := <-served:
		t.Fatalf("ActivateAndServe: %v", err)
	case <-time.After(5 * time.Second):
		t.Fatalf("server did not start in 5s")
	}
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := srv.ShutdownContext(ctx); err != nil {
			t.Errorf("Shutdown: %v", err)
		}
	}()

	c := &dns.Client{Net: "udp", Timeout: 5 * time.Second}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	q := new(dns.Msg)
	q.SetQuestion("example.org.", dns.TypeA)
	r, _, err := c.ExchangeContext(ctx, q, pc.LocalAddr().String())
	if err != nil {
		t.Fatalf("Exchange A: %v", err)
	}
	if r.Id != q.Id || r.Rcode != dns.RcodeSuccess || len(r.Answer) != 1 {
		t.Fatalf("reply: %v", r)
	}
	a, ok := r.Answer[0].(*dns.A)
	if !ok || !a.A.Equal(net.IPv4(127, 0, 0, 53)) || a.Hdr.Ttl != 300 {
		t.Fatalf("answer: %v", r.Answer[0])
	}

	q.SetQuestion("example.org.", dns.TypeMX)
	r, _, err = c.ExchangeContext(ctx, q, pc.LocalAddr().String())
	if err != nil {
		t.Fatalf("Exchange MX: %v", err)
	}
	if r.Rcode != dns.RcodeNameError {
		t.Fatalf("MX rcode = %s, want NXDOMAIN", dns.RcodeToString[r.Rcode])
	}
}
