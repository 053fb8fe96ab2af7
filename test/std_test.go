// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package test

import (
	"archive/zip"
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"testing"
)

// The standard library's view of the machine (issue 5): arguments and
// environment, randomness, time zones and what a unikernel cannot do.
// Each case boots testdata/progs/stdprobe (or tzdata) through the exec
// wrapper.

// stdprobe boots the program prog from dir with args and the extra
// environment e.
func stdprobe(t *testing.T, prog, dir string, e []string, args ...string) result {
	t.Helper()
	img := progImage(t, prog)
	wrapper := filepath.Join(goroot(t), "bin", "go_xen_amd64_exec")
	return run(t, dir, env(t, e...), wrapper, append([]string{img}, args...)...)
}

func TestStdArgsEnv(t *testing.T) {
	dir := progsDir(t)
	r := stdprobe(t, "stdprobe", dir,
		[]string{"MIRAGO_ENV=GREETING,EMPTY,HOSTNAME", "GREETING=hello, \"world\"", "EMPTY=", "HOSTNAME=probe"},
		"env", "two words", `q"uote`, "--", "K=V", "")
	wantRun(t, r, 0,
		`arg[1]="env"`+"\n",
		`arg[2]="two words"`+"\n",
		`arg[3]="q\"uote"`+"\n",
		`arg[4]="--"`+"\n",
		`arg[5]="K=V"`+"\n",
		`arg[6]=""`+"\n",
		`env "EMPTY="`+"\n",
		`env "GREETING=hello, \"world\""`+"\n",
		`env "PWD=`+dir+`"`+"\n",
		"lookup UNSET: false\n",
		`getenv SET_IN_GUEST="yes"`+"\n",
		"pid=1 ppid=0 uid=0 gid=0 hostname=probe wd="+dir+" tmp=/tmp\n")
	if regexp.MustCompile(`arg\[7\]`).MatchString(r.stdout) {
		t.Errorf("more arguments than were passed:\n%s", r)
	}
}

// TestStdRand checks that crypto/rand, math/rand and math/rand/v2 give
// different values within a boot and from one boot to the next.
func TestStdRand(t *testing.T) {
	seen := map[string]int{}
	for boot := 0; boot < 2; boot++ {
		r := stdprobe(t, "stdprobe", progsDir(t), nil, "rand")
		wantRun(t, r, 0)
		m := regexp.MustCompile(`(?m)^(crypto/rand|math/rand|math/rand/v2) (\w+)$`).FindAllStringSubmatch(r.stdout, -1)
		if len(m) != 4 {
			t.Fatalf("want 4 random values, got %d:\n%s", len(m), r)
		}
		for _, v := range m {
			if v[1] == "crypto/rand" && len(v[2]) != 64 {
				t.Errorf("crypto/rand value %s is not 32 bytes", v[2])
			}
			if n := seen[v[2]]; n > 0 {
				t.Errorf("%s value %s repeats", v[1], v[2])
			}
			seen[v[2]]++
		}
	}
}

// TestStdTimeZone loads Europe/Berlin from time/tzdata and sets
// time.Local from $TZ.
func TestStdTimeZone(t *testing.T) {
	r := stdprobe(t, "tzdata", progsDir(t), []string{"TZ=America/New_York"})
	wantRun(t, r, 0,
		"Europe/Berlin: 2026-07-01 14:00:00 +0200 CEST\n",
		"Local America/New_York: 2026-07-01 08:00:00 -0400 EDT\n")
}

// TestStdTimeZoneGOROOT: the exec wrapper mounts its GOROOT's
// lib/time/zoneinfo.zip, time's last resort, so zones load under go run
// and go test as on a host with Go installed.
func TestStdTimeZoneGOROOT(t *testing.T) {
	r := stdprobe(t, "stdprobe", progsDir(t), []string{"TZ=Europe/Berlin"}, "zone")
	wantRun(t, r, 0,
		"Europe/Berlin: 2026-07-01 14:00:00 +0200 CEST\n",
		"Local Europe/Berlin: 2026-07-01 14:00:00 +0200 CEST\n")
}

// TestStdTimeZoneMissing: without time/tzdata or zone files, a zone
// cannot be loaded, and an unknown $TZ means UTC, as on Linux.
func TestStdTimeZoneMissing(t *testing.T) {
	r := stdprobe(t, "stdprobe", progsDir(t), []string{"TZ=Europe/Berlin", "MIRAGO_NOMOUNT=1"}, "zone")
	wantRun(t, r, 0,
		"LoadLocation: unknown time zone Europe/Berlin\n",
		"Local UTC: 2026-07-01 12:00:00 +0000 UTC\n")
}

// TestStdTimeZoneFromArchive takes the zone data from files in the boot
// archive: the wrapper mounts its working directory, which holds a copy
// of $GOROOT/lib/time/zoneinfo.zip, named by $ZONEINFO for LoadLocation,
// and Asia/Tokyo's zone file, named by $TZ for time.Local. (As on Linux,
// $ZONEINFO is not searched for $TZ.)
func TestStdTimeZoneFromArchive(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(goroot(t), "lib", "time", "zoneinfo.zip")
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	zipFile := filepath.Join(dir, "zoneinfo.zip")
	if err := os.WriteFile(zipFile, data, 0o644); err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatalf("%s: %v", src, err)
	}
	tokyo, err := fs.ReadFile(zr, "Asia/Tokyo")
	if err != nil {
		t.Fatalf("%s: %v", src, err)
	}
	tz := filepath.Join(dir, "Tokyo")
	if err := os.WriteFile(tz, tokyo, 0o644); err != nil {
		t.Fatal(err)
	}
	r := stdprobe(t, "stdprobe", dir, []string{"MIRAGO_ENV=ZONEINFO", "ZONEINFO=" + zipFile, "TZ=" + tz}, "zone")
	wantRun(t, r, 0,
		"Europe/Berlin: 2026-07-01 14:00:00 +0200 CEST\n",
		"Local "+tz+": 2026-07-01 21:00:00 +0900 JST\n")
}

// TestStdUnsupported: running a program fails at once with an error that
// names the operation and matches errors.ErrUnsupported.
func TestStdUnsupported(t *testing.T) {
	r := stdprobe(t, "stdprobe", progsDir(t), nil, "unsupported")
	wantRun(t, r, 0,
		`exec.Command("ls").Run: exec: "ls": running programs is not supported on xen (a unikernel has one process) (ErrUnsupported: true)`+"\n",
		"os.StartProcess: fork/exec /bin/ls: function not implemented (ErrUnsupported: true)\n",
		"plugin.Open: plugin: not implemented\n")
}
