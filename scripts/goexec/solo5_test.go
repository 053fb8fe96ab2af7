// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package main

import (
	"encoding/binary"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"mirago.dev/sys/solo5"
)

// writeELF writes an ELF64 file whose only section, besides the
// section names, is a note named sec with contents note.
func writeELF(t *testing.T, sec string, note []byte) string {
	t.Helper()
	le := binary.LittleEndian
	shstr := []byte("\x00" + sec + "\x00.shstrtab\x00")
	const ehsize, shentsize = 64, 64
	noteOff := ehsize
	strOff := noteOff + len(note)
	shOff := (strOff + len(shstr) + 7) &^ 7
	b := make([]byte, shOff+3*shentsize)
	copy(b, "\x7fELF\x02\x01\x01") // 64-bit, little-endian, version 1
	le.PutUint16(b[16:], 2)        // ET_EXEC
	le.PutUint16(b[18:], 62)       // EM_X86_64
	le.PutUint32(b[20:], 1)
	le.PutUint64(b[40:], uint64(shOff))
	le.PutUint16(b[52:], ehsize)
	le.PutUint16(b[58:], shentsize)
	le.PutUint16(b[60:], 3) // e_shnum
	le.PutUint16(b[62:], 2) // e_shstrndx
	copy(b[noteOff:], note)
	copy(b[strOff:], shstr)
	sh := func(i int, name, typ uint32, off, size, align int) {
		h := b[shOff+i*shentsize:]
		le.PutUint32(h[0:], name)
		le.PutUint32(h[4:], typ)
		le.PutUint64(h[24:], uint64(off))
		le.PutUint64(h[32:], uint64(size))
		le.PutUint64(h[48:], uint64(align))
	}
	sh(1, 1, 7, noteOff, len(note), 8)                  // SHT_NOTE
	sh(2, uint32(2+len(sec)), 3, strOff, len(shstr), 1) // SHT_STRTAB
	p := filepath.Join(t.TempDir(), "image")
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// manifestNote returns the manifest note of an image that declares devs.
func manifestNote(devs ...solo5.Entry) []byte {
	m := solo5.NewManifest(devs...)
	le := binary.LittleEndian
	b := make([]byte, solo5.ManifestNoteDescOff)
	le.PutUint32(b[0:], uint32(len(solo5.NoteName)+1))
	le.PutUint32(b[4:], uint32(solo5.ManifestNoteDescsz(len(m.Entries))))
	le.PutUint32(b[8:], solo5.NoteTypeManifest)
	copy(b[12:], solo5.NoteName)
	return solo5.AppendManifest(b, m)
}

func TestSPTDevices(t *testing.T) {
	net := solo5.Entry{Name: "service0", Type: solo5.DevNetBasic}
	blk := solo5.Entry{Name: "storage", Type: solo5.DevBlockBasic}
	for _, tc := range []struct {
		name         string
		sec          string
		note         []byte
		nets, blocks []string
		err          string
	}{
		{name: "none", sec: ".note.solo5.manifest", note: manifestNote()},
		{name: "net", sec: ".note.solo5.manifest", note: manifestNote(net), nets: []string{"service0"}},
		{name: "block", sec: ".note.solo5.manifest", note: manifestNote(blk), blocks: []string{"storage"}},
		{name: "both", sec: ".note.solo5.manifest", note: manifestNote(net, blk), nets: []string{"service0"}, blocks: []string{"storage"}},
		{name: "no manifest", sec: ".note.other", note: manifestNote(net)},
		{name: "short", sec: ".note.solo5.manifest", note: manifestNote(net)[:30], err: "bad manifest note"},
		{name: "no header", sec: ".note.solo5.manifest", note: make([]byte, 8), err: "bad manifest note"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			nets, blocks, err := sptDevices(writeELF(t, tc.sec, tc.note))
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want one with %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(nets, tc.nets) || !slices.Equal(blocks, tc.blocks) {
				t.Errorf("nets %q, blocks %q; want %q, %q", nets, blocks, tc.nets, tc.blocks)
			}
		})
	}
	if _, _, err := sptDevices(filepath.Join(t.TempDir(), "missing")); err == nil || !strings.Contains(err.Error(), "cannot read image") {
		t.Errorf("a missing image: %v", err)
	}
}

func TestSPTBlockArgs(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "disk")
	odd := filepath.Join(dir, "odd")
	empty := filepath.Join(dir, "empty")
	os.WriteFile(good, make([]byte, 4096), 0o644)
	os.WriteFile(odd, make([]byte, 1000), 0o644)
	os.WriteFile(empty, nil, 0o644)
	for _, tc := range []struct {
		disk   string
		blocks []string
		want   string // the option, or a word of the error
	}{
		{good, []string{"storage"}, "--block:storage=" + good},
		{"", []string{"storage"}, "set MIRAGO_SOLO5_DISK"},
		{odd, []string{"storage"}, "whole 512-byte blocks (it has 1000 bytes)"},
		{empty, []string{"storage"}, "(it has 0 bytes)"},
		{dir, []string{"storage"}, "regular file"},
		{filepath.Join(dir, "missing"), []string{"storage"}, "no such file"},
		{good, []string{"a", "b"}, "only one"},
	} {
		lookup := func(k string) (string, bool) {
			if k == "MIRAGO_SOLO5_DISK" && tc.disk != "" {
				return tc.disk, true
			}
			return "", false
		}
		args, err := sptBlockArgs(lookup, tc.blocks)
		got := strings.Join(args, " ")
		if err != nil {
			got = err.Error()
		}
		if !strings.Contains(got, tc.want) {
			t.Errorf("MIRAGO_SOLO5_DISK=%q, devices %q: %q, want %q in it", tc.disk, tc.blocks, got, tc.want)
		}
	}
}

// TestInitrdArchive checks the initrd device's file when there is
// nothing to mount: an archive with no entries, padded with zeros to
// whole blocks of the size the wrapper asks the tender for (the guest's
// reader stops at the trailer).
func TestInitrdArchive(t *testing.T) {
	file, err := emptyArchive()
	if err != nil {
		t.Fatal(err)
	}
	defer os.Remove(file)
	archive, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if entries, err := readNewc(archive); err != nil || len(entries) != 0 {
		t.Errorf("readNewc = %v, %v; want no entries", entries, err)
	}
	for i := 0; i < 2; i++ { // a second time changes nothing
		if err := padToBlock(file, sptInitrdBlock); err != nil {
			t.Fatal(err)
		}
	}
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if len(b) != sptInitrdBlock {
		t.Errorf("padded empty archive has %d bytes, want one block of %d", len(b), sptInitrdBlock)
	}
	if !strings.HasPrefix(string(b), string(archive)) || strings.Trim(string(b[len(archive):]), "\x00") != "" {
		t.Errorf("padding changed the archive or is not zeros")
	}
}
