// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package test

import (
	"os"
	"sync"
	"testing"
)

var (
	cleanupMu   sync.Mutex
	cleanupDirs []string
)

// registerCleanup removes dir when all tests are done. Images built once
// and shared between tests live there, so no single test can own them.
func registerCleanup(dir string) {
	cleanupMu.Lock()
	cleanupDirs = append(cleanupDirs, dir)
	cleanupMu.Unlock()
}

func TestMain(m *testing.M) {
	code := m.Run()
	for _, d := range cleanupDirs {
		os.RemoveAll(d)
	}
	os.Exit(code)
}
