// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package main

import "testing"

func TestTSCkHz(t *testing.T) {
	for _, tt := range []struct {
		v       string
		want    uint64
		wantErr bool
	}{
		{"0", 0, false},
		{"2100000", 2100000, false},
		{"x", 0, true},
		{"-5", 0, true},
		{"2000000000", 0, true},
	} {
		got, err := tscKHz(env(map[string]string{"MIRAGO_TSC_KHZ": tt.v}))
		if got != tt.want || (err != nil) != tt.wantErr {
			t.Errorf("MIRAGO_TSC_KHZ=%s: got %d, %v; want %d, error %v", tt.v, got, err, tt.want, tt.wantErr)
		}
	}
}
