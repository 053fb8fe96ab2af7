// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

//go:build !amd64

package hosttsc

// Only an amd64 host has the TSC an amd64 guest sees.
const haveTSC = false

func rdtsc() uint64 { return 0 }
