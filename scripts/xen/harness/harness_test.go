// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package harness

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestXLString(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain", `"plain"`},
		{"", `""`},
		{`-- /x "two words"`, `"-- /x \"two words\""`},
		{`a\b`, `"a\\b"`},
	}
	for _, tt := range tests {
		if got := xlString(tt.in); got != tt.want {
			t.Errorf("xlString(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

func TestXLConfig(t *testing.T) {
	c := XLConfig{Name: "web", Kernel: "/srv/web.xen", Ramdisk: "/srv/files.cpio", Extra: "-- web", Memory: 128,
		Bridge: "xenbr0", MAC: "00:16:3e:00:00:01", Disk: "/dev/vg/web"}
	got := c.String()
	for _, want := range []string{
		`name = "web"`, `type = "pvh"`, `kernel = "/srv/web.xen"`, `ramdisk = "/srv/files.cpio"`,
		`extra = "-- web"`, "memory = 128", "vcpus = 1", `tsc_mode = "native"`,
		`vif = [ "mac=00:16:3e:00:00:01,bridge=xenbr0" ]`,
		`disk = [ "format=raw,vdev=xvda,access=rw,target=/dev/vg/web" ]`,
		`on_crash = "destroy"`,
	} {
		if !slices.Contains(strings.Split(got, "\n"), want) {
			t.Errorf("config lacks the line %s:\n%s", want, got)
		}
	}
	min := XLConfig{Name: "a", Kernel: "/a", Memory: 64}.String()
	for _, absent := range []string{"ramdisk", "vif", "disk"} {
		if strings.Contains(min, absent+" =") {
			t.Errorf("config without %s has one:\n%s", absent, min)
		}
	}
}

// readCpio returns the names and contents of a newc archive's entries.
func readCpio(t *testing.T, b []byte) (names []string, files map[string]string) {
	t.Helper()
	files = map[string]string{}
	for len(b) >= 110 {
		if string(b[:6]) != "070701" {
			t.Fatalf("bad magic %q", b[:6])
		}
		hex := func(i int) int {
			var n int
			for _, c := range string(b[6+8*i : 14+8*i]) {
				n = n*16 + strings.IndexRune("0123456789ABCDEF", c)
			}
			return n
		}
		size, nameLen := hex(6), hex(11)
		name := string(b[110 : 110+nameLen-1])
		off := (110 + nameLen + 3) &^ 3
		data := string(b[off : off+size])
		b = b[(off+size+3)&^3:]
		if name == "TRAILER!!!" {
			break
		}
		names = append(names, name)
		files[name] = data
	}
	return names, files
}

func TestCpioParents(t *testing.T) {
	var buf bytes.Buffer
	w := newCpioWriter(&buf)
	if err := w.addFile("job/g0/kernel", 0o755, []byte("ELF")); err != nil {
		t.Fatal(err)
	}
	if err := w.addFile("job/g0/xl.cfg", 0o644, []byte("cfg")); err != nil {
		t.Fatal(err)
	}
	if err := w.addSymlink("var/run", "/run"); err != nil {
		t.Fatal(err)
	}
	if err := w.close(); err != nil {
		t.Fatal(err)
	}
	names, files := readCpio(t, buf.Bytes())
	want := []string{"job", "job/g0", "job/g0/kernel", "job/g0/xl.cfg", "var", "var/run"}
	if !slices.Equal(names, want) {
		t.Errorf("entries %q, want %q (each parent once, before its children)", names, want)
	}
	if files["job/g0/kernel"] != "ELF" || files["var/run"] != "/run" {
		t.Errorf("contents %q", files)
	}
}

// fakeArtifacts returns artefacts of empty files and puts on PATH a
// fake QEMU that runs script, with agent() reporting on fd 3 as dom0's
// agent does on its virtio serial port.
func fakeArtifacts(t *testing.T, script string) *Artifacts {
	t.Helper()
	dir := t.TempDir()
	a := &Artifacts{Dir: dir, Xen: filepath.Join(dir, "xen"), Kernel: filepath.Join(dir, "vmlinux"), Initrd: filepath.Join(dir, "dom0.cpio")}
	for _, f := range []string{a.Xen, a.Kernel, a.Initrd} {
		if err := os.WriteFile(f, nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	bin := t.TempDir()
	sh := "#!/bin/sh\nagent() { echo \"@mirago $*\" >&3; }\n" + script + "\nexec sleep 60\n"
	if err := os.WriteFile(filepath.Join(bin, "qemu-system-x86_64"), []byte(sh), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	return a
}

func TestRunSeveralGuests(t *testing.T) {
	a := fakeArtifacts(t, `
echo "(XEN) booting"
agent ready dom0
agent create one
agent domid one 1
echo "(d1) one on 0xE9"
agent console one mirago: exit status 3
agent end one reason=crash
agent create two
agent domid two 2
agent side two fetched 13 bytes
agent side-exit two 0
echo "(d2) mirago: exit status 0"
agent end two reason=poweroff
agent create three
agent domid three 3
agent console three mirago: exit status 9
agent console three but more came after it
agent end three reason=timeout
agent done dom0`)
	img := filepath.Join(t.TempDir(), "img")
	os.WriteFile(img, []byte("ELF"), 0o644)
	var stdout, stderr bytes.Buffer
	res, err := Run(context.Background(), a, Options{
		Guests: []Guest{
			{Name: "one", Image: img},
			{Name: "two", Image: img, Vif: true, Side: "wget ...", SideEndsGuest: true},
			{Name: "three", Image: img, Timeout: time.Second},
		},
		Stdout: &stdout, Stderr: &stderr,
	})
	if err != nil {
		t.Fatalf("Run: %v\nstderr: %s", err, stderr.String())
	}
	type short struct {
		name, reason string
		status       int
		line         bool
		domid        int
	}
	var got []short
	for _, g := range res.Guests {
		got = append(got, short{g.Name, g.Reason, g.Status, g.HasLine, g.DomID})
	}
	want := []short{
		{"one", "crash", 3, true, 1},
		{"two", "poweroff", 0, true, 2},
		// The status line is what counts even when the guest wrote on;
		// the runtime makes it its last.
		{"three", "timeout", 9, true, 3},
	}
	if !slices.Equal(got, want) {
		t.Errorf("results %+v, want %+v", got, want)
	}
	if g := res.Guests[1]; !slices.Equal(g.Side, []string{"fetched 13 bytes"}) || g.SideExit != 0 {
		t.Errorf("side output %q, exit %d", g.Side, g.SideExit)
	}
	wantOut := "one: one on 0xE9\none: mirago: exit status 3\ntwo: mirago: exit status 0\nthree: mirago: exit status 9\nthree: but more came after it\n"
	// The two serial lines are read apart, so only each one's own
	// order is kept.
	if sortLines(stdout.String()) != sortLines(wantOut) {
		t.Errorf("stdout %q, want the lines of %q", stdout.String(), wantOut)
	}
}

// TestRunXenLines checks that a guest's result keeps Xen's own lines
// from its life, which say why a domain ended without a status: the
// two serial lines are read apart, hence the sleeps.
func TestRunXenLines(t *testing.T) {
	a := fakeArtifacts(t, `
echo "(XEN) booting"
sleep 0.5
agent ready dom0
agent create tf
agent domid tf 1
sleep 0.5
echo "(XEN) HVM d1v0 save: CPU"
echo "(XEN) HVM1 restore: CPU 0"
echo "(XEN) d1v1 Triple fault - invoking HVM shutdown action 1"
echo "[    5.1] a dom0 line"
echo "(d1) the guest's own"
echo "(XEN) RIP:    0010:[<0000000000412345>]"
sleep 0.5
agent end tf reason=reboot
agent done dom0`)
	img := filepath.Join(t.TempDir(), "img")
	os.WriteFile(img, []byte("ELF"), 0o644)
	res, err := Run(context.Background(), a, Options{Guests: []Guest{{Name: "tf", Image: img}}, Stdout: io.Discard, Stderr: io.Discard})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	g := res.Guests[0]
	want := []string{"(XEN) d1v1 Triple fault - invoking HVM shutdown action 1", "(XEN) RIP:    0010:[<0000000000412345>]"}
	if g.Reason != "reboot" || g.HasLine || !slices.Equal(g.Xen, want) {
		t.Errorf("reason %q, status line %v, Xen's lines %q; want reboot, none, %q", g.Reason, g.HasLine, g.Xen, want)
	}
}

func TestRunBootTimeout(t *testing.T) {
	a := fakeArtifacts(t, `echo "(XEN) stuck"`)
	img := filepath.Join(t.TempDir(), "img")
	os.WriteFile(img, []byte("ELF"), 0o644)
	start := time.Now()
	_, err := Run(context.Background(), a, Options{Guests: []Guest{{Image: img}}, BootTimeout: 2 * time.Second})
	if err == nil || !strings.Contains(err.Error(), "did not come up within 2s") || !strings.Contains(err.Error(), "(XEN) stuck") {
		t.Errorf("Run = %v, want a boot timeout with Xen's last output", err)
	}
	if d := time.Since(start); d > 20*time.Second {
		t.Errorf("Run took %v to give up", d)
	}
}

func TestRunRejects(t *testing.T) {
	a := fakeArtifacts(t, "")
	img := filepath.Join(t.TempDir(), "img")
	os.WriteFile(img, []byte("ELF"), 0o644)
	odd := filepath.Join(t.TempDir(), "odd.img")
	os.WriteFile(odd, make([]byte, 1000), 0o644)
	for _, tt := range []struct {
		name   string
		guests []Guest
		msg    string
	}{
		{"none", nil, "no guests"},
		{"bad name", []Guest{{Name: "a b", Image: img}}, "guest name"},
		{"same name", []Guest{{Name: "a", Image: img}, {Name: "a", Image: img}}, "guest name"},
		{"no image", []Guest{{Image: "/nonexistent"}}, "cannot read image"},
		{"odd disk", []Guest{{Image: img, Disk: odd}}, "multiple of 512"},
	} {
		if _, err := Run(context.Background(), a, Options{Guests: tt.guests}); err == nil || !strings.Contains(err.Error(), tt.msg) {
			t.Errorf("%s: Run = %v, want an error containing %q", tt.name, err, tt.msg)
		}
	}
}

func TestKeyStable(t *testing.T) {
	if k := Key(); k != Key() || len(k) != 16 {
		t.Errorf("Key() = %q, want 16 hex digits, the same each time", k)
	}
}

func sortLines(s string) string {
	lines := strings.Split(s, "\n")
	slices.Sort(lines)
	return strings.Join(lines, "\n")
}
