package etcd_test

import (
	"context"
	"errors"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap"
)

// TestUnreachable points the client at a port where nothing listens: a
// Get must fail with an error by its context's deadline, not hang.
func TestUnreachable(t *testing.T) {
	start := time.Now()
	cli, err := clientv3.New(clientv3.Config{
		Endpoints:   []string{"127.0.0.1:1"},
		DialTimeout: time.Second,
		Logger:      zap.NewNop(),
	})
	if err != nil {
		// A blocking dial would fail here; that is a clear error too.
		t.Logf("New after %v: %v", time.Since(start).Round(time.Millisecond), err)
		return
	}
	defer cli.Close()

	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	_, err = cli.Get(ctx, "key")
	elapsed := time.Since(start)
	if err == nil {
		t.Fatalf("Get from 127.0.0.1:1 succeeded")
	}
	if elapsed > 10*time.Second {
		t.Fatalf("Get took %v", elapsed)
	}
	if !errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil {
		t.Logf("error is not a deadline: %v", err)
	}
	t.Logf("Get after %v: %v", elapsed.Round(time.Millisecond), err)

	ctx2, cancel2 := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel2()
	if _, err := cli.Put(ctx2, "k", "v"); err == nil {
		t.Fatalf("Put to 127.0.0.1:1 succeeded")
	}
}
