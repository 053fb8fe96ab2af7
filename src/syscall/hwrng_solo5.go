// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package syscall

// GOOS=solo5 drives no entropy device yet.

func randomDevice(b []byte) error { return errNoRandom }

func hwrngRead(p []byte) (int, error) { return 0, ENODEV }
