package main

import (
	"os"
	"path/filepath"
	"testing"
)

// TestRelativeFile opens a file of the package directory by relative
// path, as tests with testdata do; go test runs the test binary in the
// package directory, and the exec wrapper mounts it in the VM.
func TestRelativeFile(t *testing.T) {
	data, err := os.ReadFile("testdata/hello.txt")
	if err != nil {
		t.Fatal(err)
	}
	if string(data) != "hello from the package directory\n" {
		t.Errorf("testdata/hello.txt = %q", data)
	}
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Base(wd) != "files" {
		t.Errorf("working directory %s, want the package directory", wd)
	}
	t.Logf("wd %s", wd)
}
