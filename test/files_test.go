// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Files in the VM (issue 5): the exec wrapper mounts the working
// directory read-only at its own path from a boot archive and sets PWD,
// so go test's relative testdata paths work.

// TestGoTestRelativeFile runs go test on a package whose test opens
// testdata/hello.txt by relative path and checks the working directory.
func TestGoTestRelativeFile(t *testing.T) {
	testGoTestRelativeFile(t, "xen/amd64")
}

func testGoTestRelativeFile(t *testing.T, target string) {
	t.Helper()
	dir := progsDir(t)
	r := mgo(t, dir, target, "test", "-count=1", "-v", "./files")
	for _, want := range []string{"--- PASS: TestRelativeFile", "wd " + filepath.Join(dir, "files"), "ok  \texample/files"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("go test output lacks %q:\n%s", want, r)
		}
	}
	if r.code != 0 {
		t.Errorf("go test ./files: exit status %d, want 0:\n%s", r.code, r)
	}
}

// TestFilesFromWorkingDir boots the files program through the wrapper:
// it reads a file of the mounted tree by absolute path, finds it
// read-only, starts in the host's working directory, and does a
// write/read/rename/remove round trip under /tmp.
func TestFilesFromWorkingDir(t *testing.T) {
	dir := progsDir(t)
	img := progImage(t, "files")
	hello := filepath.Join(dir, "files", "testdata", "hello.txt")
	wrapper := filepath.Join(goroot(t), "bin", "go_xen_amd64_exec")
	r := run(t, dir, env(t), wrapper, img, hello)
	wantRun(t, r, 0,
		`read `+hello+`: "hello from the package directory\n"`,
		"wd "+dir+"\n",
		"tmp round trip: ok",
		"files: ok")
}

// TestFilesNoMount checks the opt-out: with MIRAGO_NOMOUNT=1 the tree is
// not there and the program starts in /.
func TestFilesNoMount(t *testing.T) {
	dir := progsDir(t)
	img := progImage(t, "files")
	hello := filepath.Join(dir, "files", "testdata", "hello.txt")
	wrapper := filepath.Join(goroot(t), "bin", "go_xen_amd64_exec")
	r := run(t, dir, env(t, "MIRAGO_NOMOUNT=1"), wrapper, img, hello)
	wantRun(t, r, 1, "FAIL: open "+hello+": no such file or directory")
}

// TestFilesMalformedArchive boots with a boot module that is not an
// archive: the guest says so in one line and runs without it.
func TestFilesMalformedArchive(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "bad.cpio")
	if err := os.WriteFile(bad, []byte("070701 is not enough"), 0o644); err != nil {
		t.Fatal(err)
	}
	img := progImage(t, "files")
	wrapper := filepath.Join(goroot(t), "bin", "go_xen_amd64_exec")
	r := run(t, progsDir(t), env(t, "MIRAGO_NOMOUNT=1", "MIRAGO_QEMU_FLAGS=-initrd "+bad), wrapper, img, "/etc/passwd")
	// The program gets as far as the EROFS check, which /etc/passwd fails.
	wantRun(t, r, 1,
		"syscall: boot module 0: not a newc cpio archive, ignored: at byte 0: truncated header (no TRAILER!!! entry)\n",
		`read /etc/passwd: "root:x:0:0:root:/root:/sbin/nologin\n"`,
		"wd /\n")
}
