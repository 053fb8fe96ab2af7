// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package virtio

import (
	"io"
	"testing"

	"mirago.dev/sys/virtiospec"
)

var _ io.Reader = (*RNG)(nil)

func TestRNG(t *testing.T) {
	for _, tt := range []struct {
		name  string
		model fakeRNG
		n     int
		want  error
	}{
		{"whole chunks", fakeRNG{}, 1000, nil},
		{"device gives 7 bytes at a time", fakeRNG{short: 7}, 100, nil},
		{"device gives nothing", fakeRNG{empty: true}, 10, ErrIO},
	} {
		model := tt.model
		d := newFakeDev(virtiospec.IDEntropy, bit(virtiospec.FVersion1), &model, nil, 8)
		tr, _ := NewMMIO(newFakeMMIO(d))
		r, err := NewRNG(tr, d.mem, nil)
		if err != nil {
			t.Fatal(err)
		}
		p := make([]byte, tt.n)
		n, err := r.Read(p)
		if err != tt.want {
			t.Errorf("%s: Read = %d, %v; want %v", tt.name, n, err, tt.want)
		}
		if err == nil {
			for i, c := range p {
				if c != byte(i) {
					t.Errorf("%s: byte %d = %d; want %d (the device's counter)", tt.name, i, c, byte(i))
					break
				}
			}
		}
		noDeviceErrors(t, d)
	}
}
