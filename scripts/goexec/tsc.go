// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package main

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// hostTSCkHz returns the host's TSC frequency in kHz, or 0 where it
// cannot tell. A guest's TSC runs at the host's rate, under KVM and
// under QEMU's TCG alike, and the guest measuring it itself against
// an emulated timer can be off by percents on a loaded host: so the
// wrapper states it on the kernel command line (tsc_khz=), as Linux
// guests take tsc_early_khz.
//
// It is measured against the host's monotonic clock: three windows of
// 50 ms, each bracketed by clock reads, and the median taken. The
// result is kept for the host's boot (keyed by its boot id) in the
// cache directory, so only the first run in a boot pays 150 ms.
func hostTSCkHz(cacheDir string) uint64 {
	if !haveTSC {
		return 0
	}
	bootID, _ := os.ReadFile("/proc/sys/kernel/random/boot_id")
	cacheFile := ""
	if id := strings.TrimSpace(string(bootID)); id != "" && cacheDir != "" {
		cacheFile = filepath.Join(cacheDir, "tsc-khz-"+id)
		if b, err := os.ReadFile(cacheFile); err == nil {
			if v, err := strconv.ParseUint(strings.TrimSpace(string(b)), 10, 64); err == nil && v > 0 {
				return v
			}
		}
	}
	var rates [3]uint64
	for i := range rates {
		rates[i] = measureTSC(50 * time.Millisecond)
	}
	slices.Sort(rates[:])
	khz := rates[1]
	if cacheFile != "" && khz > 0 {
		if os.MkdirAll(cacheDir, 0o755) == nil {
			os.WriteFile(cacheFile, []byte(strconv.FormatUint(khz, 10)+"\n"), 0o644)
		}
	}
	return khz
}

// measureTSC counts TSC ticks over about d of monotonic time and
// returns the rate in kHz.
func measureTSC(d time.Duration) uint64 {
	t0 := time.Now()
	c0 := rdtsc()
	for time.Since(t0) < d {
	}
	c1 := rdtsc()
	elapsed := time.Since(t0)
	if elapsed <= 0 || c1 <= c0 {
		return 0
	}
	return (c1 - c0) * uint64(time.Millisecond) / uint64(elapsed)
}

// cacheDir is where Mirago keeps what it computes once: $MIRAGO_CACHE,
// or mirago in the user's cache directory.
func cacheDir(lookup func(string) (string, bool)) string {
	if v, ok := lookup("MIRAGO_CACHE"); ok && v != "" {
		return v
	}
	if d, err := os.UserCacheDir(); err == nil {
		return filepath.Join(d, "mirago")
	}
	return ""
}

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
	return hostTSCkHz(cacheDir(lookup)), nil
}
