// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package uart

import (
	"io"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var _ io.Writer = (*UART)(nil)

func TestWrite(t *testing.T) {
	tests := []struct {
		name    string
		txPolls int
		in      string
	}{
		{"idle transmitter", 0, "Hello from Mirago!\n"},
		{"slow transmitter", 3, "a\nb\r\n"},
		{"binary bytes untranslated", 1, "\x00\xff\n\x1b[0m"},
		{"empty", 5, ""},
	}
	for _, tt := range tests {
		f := &fake16550{base: COM1, txPolls: tt.txPolls}
		u := New(f, COM1)
		n, err := u.Write([]byte(tt.in))
		if n != len(tt.in) || err != nil {
			t.Errorf("%s: Write = %d, %v; want %d, nil", tt.name, n, err, len(tt.in))
		}
		if diff := cmp.Diff(tt.in, string(f.wire)); diff != "" {
			t.Errorf("%s: bytes on the wire (-want +got):\n%s", tt.name, diff)
		}
		if len(f.errs) > 0 {
			t.Errorf("%s: device saw bad accesses: %q", tt.name, f.errs)
		}
	}
}

func TestWriteWedged(t *testing.T) {
	f := &fake16550{base: COM1, txPolls: -1}
	u := New(f, COM1)
	n, err := u.Write([]byte("xyz"))
	// The first byte goes out; the transmitter then never empties.
	if n != 1 || err != ErrTimeout {
		t.Errorf("Write to a wedged UART = %d, %v; want 1, ErrTimeout", n, err)
	}
	if len(f.errs) > 0 {
		t.Errorf("device saw bad accesses: %q", f.errs)
	}
}

func TestInit(t *testing.T) {
	tests := []struct {
		baud     int
		wantDivL uint8
		wantDivH uint8
	}{
		{115200, 1, 0},
		{9600, 12, 0},
		{50, 0x00, 0x09}, // divisor 2304
		{0, 0x77, 0x77},  // left as firmware set it
		{7, 0x77, 0x77},  // does not divide 115200
	}
	for _, tt := range tests {
		f := &fake16550{base: 0x2f8, ier: 0x0f, dll: 0x77, dlm: 0x77}
		New(f, 0x2f8).Init(tt.baud)
		got := [...]uint8{f.dll, f.dlm, f.lcr, f.ier, f.mcr}
		want := [...]uint8{tt.wantDivL, tt.wantDivH, lcrWordLen8, 0, mcrDTR | mcrRTS}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("Init(%d): [DLL DLM LCR IER MCR] (-want +got):\n%s", tt.baud, diff)
		}
		if diff := cmp.Diff([]uint8{0xc7}, f.fcr); diff != "" {
			t.Errorf("Init(%d): FCR writes (-want +got):\n%s", tt.baud, diff)
		}
		if len(f.errs) > 0 {
			t.Errorf("Init(%d): device saw bad accesses: %q", tt.baud, f.errs)
		}
	}
}

func TestTryReadByte(t *testing.T) {
	f := &fake16550{base: COM1, rx: []byte("ok")}
	u := New(f, COM1)
	var got []byte
	for {
		c, ok := u.TryReadByte()
		if !ok {
			break
		}
		got = append(got, c)
	}
	if string(got) != "ok" {
		t.Errorf("read %q, want %q", got, "ok")
	}
	if len(f.errs) > 0 {
		t.Errorf("device saw bad accesses: %q", f.errs)
	}
}

func TestPresent(t *testing.T) {
	if !New(&fake16550{base: COM1}, COM1).Present() {
		t.Error("Present() = false for a 16550")
	}
	if New(floatingBus{}, COM1).Present() {
		t.Error("Present() = true for an empty port range")
	}
}
