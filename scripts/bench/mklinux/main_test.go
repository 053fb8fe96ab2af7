// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package main

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"strings"
	"testing"
)

// fakeBzImage lays out a bzImage as the boot protocol describes it:
// setup sectors, then the protected-mode part holding the compressed
// payload followed by the 4-byte uncompressed size.
func fakeBzImage(t *testing.T, kernel []byte) []byte {
	t.Helper()
	var z bytes.Buffer
	zw := gzip.NewWriter(&z)
	zw.Write(kernel)
	zw.Close()
	payload := binary.LittleEndian.AppendUint32(z.Bytes(), uint32(len(kernel)))

	const setupSects = 3
	img := make([]byte, (setupSects+1)*512+100)
	img[0x1f1] = setupSects
	copy(img[0x202:], "HdrS")
	binary.LittleEndian.PutUint16(img[0x206:], 0x20f)
	binary.LittleEndian.PutUint32(img[0x248:], 100) // payload_offset
	binary.LittleEndian.PutUint32(img[0x24c:], uint32(len(payload)))
	return append(img, payload...)
}

func TestExtractVmlinux(t *testing.T) {
	kernel := append([]byte("\x7fELF"), bytes.Repeat([]byte("kernel"), 1000)...)
	got, method, err := extractVmlinux(fakeBzImage(t, kernel))
	if err != nil {
		t.Fatal(err)
	}
	if method != "gzip" || !bytes.Equal(got, kernel) {
		t.Errorf("got %d bytes by %s, want the %d-byte kernel by gzip", len(got), method, len(kernel))
	}

	bad := fakeBzImage(t, kernel)
	binary.LittleEndian.PutUint32(bad[len(bad)-4:], uint32(len(kernel)+1))
	if _, _, err := extractVmlinux(bad); err == nil || !strings.Contains(err.Error(), "header says") {
		t.Errorf("wrong size trailer: err = %v, want a size mismatch", err)
	}
	if _, _, err := extractVmlinux(kernel); err == nil {
		t.Error("an ELF file passed for a bzImage")
	}
}

func TestCpio(t *testing.T) {
	var buf bytes.Buffer
	cw := &cpioWriter{w: &buf}
	cw.add("dev/console", 0o020600, devNum(5, 1), nil)
	cw.add("init", 0o100755, 0, []byte("abc"))
	cw.trailer()
	out := buf.String()
	// The console's header: rdevmajor 5, rdevminor 1, name size 12.
	hdr := out[:110]
	if hdr[:6] != "070701" || hdr[14:22] != "00002180" || hdr[78:86] != "00000005" || hdr[86:94] != "00000001" || hdr[94:102] != "0000000C" {
		t.Errorf("console header %q", hdr)
	}
	if buf.Len()%4 != 0 || !strings.Contains(out, "init\x00") || !strings.Contains(out, "abc") || !strings.Contains(out, "TRAILER!!!\x00") {
		t.Errorf("archive %q", out)
	}
}

func TestModName(t *testing.T) {
	for in, want := range map[string]string{
		"kernel/drivers/net/virtio_net.ko":    "virtio_net",
		"virtio-rng.ko.xz":                    "virtio_rng",
		"kernel/drivers/virtio/virtio.ko.zst": "virtio",
		"net_failover":                        "net_failover",
	} {
		if got := modName(in); got != want {
			t.Errorf("modName(%q) = %q, want %q", in, got, want)
		}
	}
}
