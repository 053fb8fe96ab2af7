// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"mirago.dev/mirago/scripts/xen/harness"
)

func TestReadJob(t *testing.T) {
	dir := t.TempDir()
	write := func(name, data string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	write("check.sh", "wget -O- http://$GUEST_IP/\n")
	job := write("job.json", `{"guests": [
		{"name": "web", "image": "web.xen", "extra": "-- web", "memory": 128, "vif": true,
		 "side": "check.sh", "side_ends_guest": true, "timeout": "2m"},
		{"image": "/abs/b.xen", "disk": "disk.img", "ramdisk": "files.cpio"}],
	 "files": {"/bin/client": "client"}}`)
	opts, err := readJob(job, harness.Options{Files: map[string]string{}})
	if err != nil {
		t.Fatal(err)
	}
	if len(opts.Guests) != 2 {
		t.Fatalf("%d guests, want 2", len(opts.Guests))
	}
	g := opts.Guests[0]
	if g.Name != "web" || g.Image != filepath.Join(dir, "web.xen") || g.Extra != "-- web" || g.Memory != 128 || !g.Vif ||
		g.Side != "wget -O- http://$GUEST_IP/\n" || !g.SideEndsGuest || g.Timeout != 2*time.Minute {
		t.Errorf("first guest %+v", g)
	}
	g = opts.Guests[1]
	if g.Image != "/abs/b.xen" || g.Disk != filepath.Join(dir, "disk.img") || g.Ramdisk != filepath.Join(dir, "files.cpio") {
		t.Errorf("second guest %+v: want relative paths taken from the job file's directory", g)
	}
	if opts.Files["/bin/client"] != filepath.Join(dir, "client") {
		t.Errorf("files %v", opts.Files)
	}

	for name, bad := range map[string]string{
		"unknown field": `{"guests": [{"image": "a", "memroy": 5}]}`,
		"no image":      `{"guests": [{"name": "a"}]}`,
		"bad timeout":   `{"guests": [{"image": "a", "timeout": "soon"}]}`,
		"missing side":  `{"guests": [{"image": "a", "side": "nonexistent.sh"}]}`,
		"not JSON":      `guests: a`,
	} {
		p := write("bad.json", bad)
		if _, err := readJob(p, harness.Options{Files: map[string]string{}}); err == nil || !strings.Contains(err.Error(), p) {
			t.Errorf("%s: readJob = %v, want an error naming the file", name, err)
		}
	}
}
