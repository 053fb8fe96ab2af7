package kafka_test

import (
	"context"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"
	"github.com/segmentio/kafka-go/compress"
)

// TestWriterConfig builds a Writer; there is no broker.
func TestWriterConfig(t *testing.T) {
	w := &kafka.Writer{
		Addr:         kafka.TCP("127.0.0.1:9092", "127.0.0.1:9093"),
		Topic:        "events",
		Balancer:     &kafka.Hash{},
		BatchSize:    50,
		BatchTimeout: 10 * time.Millisecond,
		RequiredAcks: kafka.RequireAll,
		Compression:  compress.Snappy,
		MaxAttempts:  1,
	}
	defer w.Close()
	if got := w.Addr.String(); got != "127.0.0.1:9092,127.0.0.1:9093" {
		t.Fatalf("Addr = %q", got)
	}
	if w.Addr.Network() != "tcp,tcp" {
		t.Fatalf("Addr.Network = %q", w.Addr.Network())
	}
	if s := w.Stats(); s.Topic != "events" || s.Writes != 0 {
		t.Fatalf("Stats = %+v", s)
	}
	// The balancer is deterministic: one key, one partition.
	msg := kafka.Message{Key: []byte("user-42")}
	p1 := (&kafka.Hash{}).Balance(msg, 0, 1, 2, 3)
	p2 := (&kafka.Hash{}).Balance(msg, 0, 1, 2, 3)
	if p1 != p2 || p1 < 0 || p1 > 3 {
		t.Fatalf("Hash.Balance = %d, %d", p1, p2)
	}

	// The deprecated WriterConfig path validates too.
	cfg := kafka.WriterConfig{Brokers: []string{"127.0.0.1:9092"}, Topic: "t"}
	if err := cfg.Validate(); err != nil {
		t.Fatalf("WriterConfig.Validate: %v", err)
	}
	if err := (&kafka.WriterConfig{}).Validate(); err == nil {
		t.Fatalf("empty WriterConfig validated")
	}
}

// TestWriteNoBroker writes to a port where nothing listens: it must fail
// with an error before the context's deadline, not hang.
func TestWriteNoBroker(t *testing.T) {
	w := &kafka.Writer{
		Addr:         kafka.TCP("127.0.0.1:1"),
		Topic:        "events",
		BatchTimeout: time.Millisecond,
		MaxAttempts:  1,
	}
	defer w.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	start := time.Now()
	err := w.WriteMessages(ctx, kafka.Message{Value: []byte("x")})
	if err == nil {
		t.Fatalf("WriteMessages to 127.0.0.1:1 succeeded")
	}
	t.Logf("after %v: %v", time.Since(start).Round(time.Millisecond), err)
}
