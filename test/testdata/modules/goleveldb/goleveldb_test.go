package goleveldb_test

import (
	"fmt"
	"testing"

	"github.com/syndtr/goleveldb/leveldb"
	"github.com/syndtr/goleveldb/leveldb/util"
)

// TestPutGet puts keys into a database in a directory, reads them, and
// reads them again after closing and reopening it.
func TestPutGet(t *testing.T) {
	dir := t.TempDir()
	db, err := leveldb.OpenFile(dir, nil)
	if err != nil {
		t.Fatalf("OpenFile: %v", err)
	}
	batch := new(leveldb.Batch)
	for i := range 500 {
		batch.Put(fmt.Appendf(nil, "k%03d", i), fmt.Appendf(nil, "v%d", i))
	}
	if err := db.Write(batch, nil); err != nil {
		t.Fatalf("Write: %v", err)
	}
	if err := db.Put([]byte("hello"), []byte("xen"), nil); err != nil {
		t.Fatalf("Put: %v", err)
	}
	if err := db.Delete([]byte("k000"), nil); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	check := func(db *leveldb.DB) {
		t.Helper()
		if v, err := db.Get([]byte("hello"), nil); err != nil || string(v) != "xen" {
			t.Fatalf("Get(hello) = %q, %v", v, err)
		}
		if v, err := db.Get([]byte("k250"), nil); err != nil || string(v) != "v250" {
			t.Fatalf("Get(k250) = %q, %v", v, err)
		}
		if _, err := db.Get([]byte("k000"), nil); err != leveldb.ErrNotFound {
			t.Fatalf("Get(deleted) err = %v", err)
		}
		it := db.NewIterator(util.BytesPrefix([]byte("k")), nil)
		n := 0
		for it.Next() {
			n++
		}
		it.Release()
		if err := it.Error(); err != nil || n != 499 {
			t.Fatalf("iterated %d keys, %v; want 499", n, err)
		}
	}
	check(db)
	if err := db.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	db, err = leveldb.OpenFile(dir, nil)
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer db.Close()
	check(db)
	// The directory is locked while open.
	if db2, err := leveldb.OpenFile(dir, nil); err == nil {
		db2.Close()
		t.Fatalf("second OpenFile of an open database succeeded")
	}
}
