package buntdb_test

import (
	"path/filepath"
	"testing"

	"github.com/tidwall/buntdb"
)

func exercise(t *testing.T, db *buntdb.DB) {
	t.Helper()
	err := db.Update(func(tx *buntdb.Tx) error {
		if err := tx.CreateIndex("age", "user:*:age", buntdb.IndexInt); err != nil {
			return err
		}
		for k, v := range map[string]string{"user:1:age": "40", "user:2:age": "21", "user:3:age": "33", "name": "xen"} {
			if _, _, err := tx.Set(k, v, nil); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("Update: %v", err)
	}
	err = db.View(func(tx *buntdb.Tx) error {
		if v, err := tx.Get("name"); err != nil || v != "xen" {
			t.Fatalf("Get(name) = %q, %v", v, err)
		}
		if _, err := tx.Get("absent"); err != buntdb.ErrNotFound {
			t.Fatalf("Get(absent) err = %v", err)
		}
		var order []string
		tx.Ascend("age", func(k, v string) bool { order = append(order, v); return true })
		if len(order) != 3 || order[0] != "21" || order[1] != "33" || order[2] != "40" {
			t.Fatalf("ascending ages = %v", order)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("View: %v", err)
	}
}

// TestMemory uses an in-memory database.
func TestMemory(t *testing.T) {
	db, err := buntdb.Open(":memory:")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	exercise(t, db)
}

// TestFile uses a file, closes it and reads it back.
func TestFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "data.db")
	db, err := buntdb.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	exercise(t, db)
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db, err = buntdb.Open(path)
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer db.Close()
	err = db.View(func(tx *buntdb.Tx) error {
		v, err := tx.Get("user:2:age")
		if err != nil || v != "21" {
			t.Fatalf("after reopen Get(user:2:age) = %q, %v", v, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
