// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package main

import (
	"errors"
	"strconv"

	"mirago.dev/mirago/scripts/hosttsc"
)

// tscKHz returns the TSC frequency to state on the guest's command
// line: MIRAGO_TSC_KHZ if set (0 states none, and the guest measures
// it), else the host's.
func tscKHz(lookup func(string) (string, bool)) (uint64, error) {
	if v, ok := lookup("MIRAGO_TSC_KHZ"); ok {
		khz, err := strconv.ParseUint(v, 10, 64)
		if err != nil || khz > 1e9 {
			return 0, errors.New("MIRAGO_TSC_KHZ=" + v + ": want the TSC frequency in kHz, or 0")
		}
		return khz, nil
	}
	return hosttsc.KHz(hosttsc.CacheDir(lookup)), nil
}
