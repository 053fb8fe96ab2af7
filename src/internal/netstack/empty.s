// Copyright 2026 The Mirago Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

//go:build xen || solo5

// This file is empty on purpose. It lets netstack.go declare
// goUnbubbled without a body: the runtime pushes it here.
