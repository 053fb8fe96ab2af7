package bbolt_test

import (
	"fmt"
	"path/filepath"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// TestPutGetReopen puts keys, reads them, closes the database, opens it
// again and reads them once more.
func TestPutGetReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "test.db")
	opts := &bolt.Options{Timeout: 2 * time.Second}
	bucket := []byte("b")

	db, err := bolt.Open(path, 0o600, opts)
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(bucket)
		if err != nil {
			return err
		}
		for i := range 1000 {
			if err := b.Put(fmt.Appendf(nil, "key%04d", i), fmt.Appendf(nil, "value%d", i)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("Update: %v", err)
	}
	checkKeys := func(db *bolt.DB) {
		t.Helper()
		err := db.View(func(tx *bolt.Tx) error {
			b := tx.Bucket(bucket)
			if b == nil {
				return fmt.Errorf("no bucket")
			}
			for _, i := range []int{0, 1, 500, 999} {
				k := fmt.Sprintf("key%04d", i)
				if got, want := string(b.Get([]byte(k))), fmt.Sprintf("value%d", i); got != want {
					return fmt.Errorf("Get(%s) = %q, want %q", k, got, want)
				}
			}
			if v := b.Get([]byte("absent")); v != nil {
				return fmt.Errorf("Get(absent) = %q", v)
			}
			if n := b.Stats().KeyN; n != 1000 {
				return fmt.Errorf("KeyN = %d", n)
			}
			return nil
		})
		if err != nil {
			t.Fatalf("View: %v", err)
		}
	}
	checkKeys(db)
	if err := db.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}

	db, err = bolt.Open(path, 0o600, opts)
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer db.Close()
	checkKeys(db)
	// A second writer on the same file must wait for the lock and time out.
	if _, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: 200 * time.Millisecond}); err != bolt.ErrTimeout {
		t.Fatalf("second Open = %v, want %v", err, bolt.ErrTimeout)
	}
}
