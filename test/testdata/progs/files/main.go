// Files reads the file named by its argument and prints it, then
// writes, reads back, renames and removes a file under /tmp, and checks
// that the boot archive is read-only. It exits with 1 on any failure.
package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

func main() {
	if err := run(os.Args[1]); err != nil {
		fmt.Println("FAIL:", err)
		os.Exit(1)
	}
	fmt.Println("files: ok")
}

func run(path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	fmt.Printf("read %s: %q\n", path, data)
	wd, err := os.Getwd()
	if err != nil {
		return err
	}
	fmt.Printf("wd %s\n", wd)

	// The boot archive is mounted read-only.
	if err := os.WriteFile(path, []byte("x"), 0o644); !errors.Is(err, syscall.EROFS) {
		return fmt.Errorf("writing %s: got %v, want EROFS", path, err)
	}

	dir, err := os.MkdirTemp("/tmp", "files-")
	if err != nil {
		return err
	}
	a, b := filepath.Join(dir, "a"), filepath.Join(dir, "b")
	want := bytes.Repeat([]byte("0123456789"), 1000)
	if err := os.WriteFile(a, want, 0o600); err != nil {
		return err
	}
	if got, err := os.ReadFile(a); err != nil || !bytes.Equal(got, want) {
		return fmt.Errorf("reading back %s: %d bytes, %v", a, len(got), err)
	}
	if err := os.Rename(a, b); err != nil {
		return err
	}
	if _, err := os.Stat(a); !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("stat %s after rename: %v, want not exist", a, err)
	}
	if got, err := os.ReadFile(b); err != nil || !bytes.Equal(got, want) {
		return fmt.Errorf("reading renamed %s: %d bytes, %v", b, len(got), err)
	}
	if err := os.Remove(b); err != nil {
		return err
	}
	if err := os.Remove(dir); err != nil {
		return err
	}
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("stat %s after remove: %v, want not exist", dir, err)
	}
	fmt.Println("tmp round trip: ok")
	return nil
}
