// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package solo5net

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
	"mirago.dev/drivers/ethernet"
)

// fakePort is a tap: a queue of frames to read, and the frames
// written. A non-zero err is returned (negated) by the next call.
type fakePort struct {
	rx      [][]byte
	tx      [][]byte
	readErr int
	wrErr   int
}

func (f *fakePort) Read(p []byte) int {
	if f.readErr != 0 {
		e := f.readErr
		f.readErr = 0
		return -e
	}
	if len(f.rx) == 0 {
		return -errnoAGAIN
	}
	n := copy(p, f.rx[0])
	f.rx = f.rx[1:]
	return n
}

func (f *fakePort) Write(p []byte) int {
	if f.wrErr != 0 {
		e := f.wrErr
		f.wrErr = 0
		return -e
	}
	f.tx = append(f.tx, append([]byte(nil), p...))
	return len(p)
}

var _ ethernet.Device = (*Net)(nil)

func TestNet(t *testing.T) {
	port := &fakePort{rx: [][]byte{[]byte("frame one......"), []byte("frame two......")}}
	mac := [6]byte{2, 0, 0, 0, 0, 1}
	d, err := New(port, mac, 1500)
	if err != nil {
		t.Fatal(err)
	}
	if got, ok := d.MAC(); !ok || got != mac {
		t.Errorf("MAC() = %x, %v; want %x, true", got, ok, mac)
	}
	if d.MTU() != 1500 || d.MaxFrame() != 1514 {
		t.Errorf("MTU, MaxFrame = %d, %d; want 1500, 1514", d.MTU(), d.MaxFrame())
	}

	var got []string
	buf := make([]byte, d.MaxFrame())
	for {
		n, valid, err := d.Receive(buf)
		if errors.Is(err, ethernet.ErrNoFrame) {
			break
		}
		if err != nil || valid {
			t.Fatalf("Receive: %d, %v, %v", n, valid, err)
		}
		got = append(got, string(buf[:n]))
	}
	if diff := cmp.Diff([]string{"frame one......", "frame two......"}, got); diff != "" {
		t.Errorf("received frames (-want +got):\n%s", diff)
	}

	port.readErr = 5 // EIO
	if _, _, err := d.Receive(buf); err == nil || errors.Is(err, ethernet.ErrNoFrame) || err.Error() != "solo5net: read: errno 5" {
		t.Errorf("Receive on EIO: %v", err)
	}

	if err := d.Transmit([]byte("out")); err != nil {
		t.Fatal(err)
	}
	port.wrErr = errnoAGAIN
	if err := d.Transmit([]byte("full")); !errors.Is(err, ethernet.ErrFull) {
		t.Errorf("Transmit on EAGAIN: %v, want ErrFull", err)
	}
	if err := d.Transmit(make([]byte, 1515)); err == nil {
		t.Error("Transmit of 1515 bytes: no error")
	}
	if diff := cmp.Diff([][]byte{[]byte("out")}, port.tx); diff != "" {
		t.Errorf("sent frames (-want +got):\n%s", diff)
	}
}

func TestNewBadMTU(t *testing.T) {
	if _, err := New(&fakePort{}, [6]byte{}, 0); err == nil {
		t.Error("New with MTU 0: no error")
	}
}
