// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

// Package hosttsc measures the host's TSC frequency, which an amd64
// guest's TSC runs at under KVM and under QEMU's TCG alike. The exec
// wrapper states it on the guest's kernel command line (tsc_khz=), as
// Linux guests take tsc_early_khz, because a guest measuring it itself
// against an emulated timer can be off by percents on a loaded host;
// tests that start QEMU themselves do the same.
package hosttsc

import (
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// KHz returns the host's TSC frequency in kHz, or 0 where it cannot
// tell.
//
// It is measured against the host's monotonic clock: three windows of
// 50 ms, and the median taken. The result is kept for the host's boot
// (keyed by its boot id) in cacheDir, if not empty, so only the first
// call in a boot pays 150 ms.
func KHz(cacheDir string) uint64 {
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
		rates[i] = measure(50 * time.Millisecond)
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

// measure counts TSC ticks over about d of monotonic time and returns
// the rate in kHz.
func measure(d time.Duration) uint64 {
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

// CacheDir is where Mirago keeps what it computes once: $MIRAGO_CACHE,
// or mirago in the user's cache directory.
func CacheDir(lookup func(string) (string, bool)) string {
	if v, ok := lookup("MIRAGO_CACHE"); ok && v != "" {
		return v
	}
	if d, err := os.UserCacheDir(); err == nil {
		return filepath.Join(d, "mirago")
	}
	return ""
}
