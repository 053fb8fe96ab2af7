// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package hosttsc

const haveTSC = true

// rdtsc returns the time-stamp counter (tsc_amd64.s).
func rdtsc() uint64
